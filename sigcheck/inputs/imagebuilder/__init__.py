"""Azure VM Image Builder (`Microsoft.VirtualMachineImages/imageTemplates`): the gallery image
versions a template's `distribute` entries of type SharedImage will create, and the constraints
Image Builder itself puts on those entries per API version.

Not a loader: the ARM and Bicep loaders locate an imageTemplates resource, evaluate its body, and
call `image_versions` with it.
"""

from sigcheck.inputs.imagebuilder.distribute import IMAGE_TEMPLATES, image_versions

__all__ = ["IMAGE_TEMPLATES", "image_versions"]
