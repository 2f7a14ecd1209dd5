# Publish a Windows image version with Az.Compute.
$rg = 'images-rg'
$gallery = 'contoso_images'

$region1 = @{ Name = 'South Central US'; ReplicaCount = 1 }
$region2 = @{ Name = 'East US'; ReplicaCount = 2; StorageAccountType = 'Standard_ZRS' }
$region3 = @{ Name = 'southcentralus'; ReplicaCount = 1 }

New-AzGalleryImageVersion -ResourceGroupName $rg -GalleryName $gallery `
   -GalleryImageDefinitionName 'win2022' -Name '2024.06.01' `
   -Location 'westeurope' `
   -TargetRegion @($region1, $region2, $region3) `
   -SourceImageId '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images-rg/providers/Microsoft.Compute/images/win2022'
