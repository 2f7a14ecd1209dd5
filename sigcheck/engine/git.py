"""The repository's own git, asked read-only: the revision a change is compared with (`--base`),
what a file looked like there, which files differ, and where the run stands (for SARIF
provenance). Only `git` itself runs; nothing read from the files is executed."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field

_TIMEOUT = 60
# A Terraform configuration is read as its folder's module (variables, locals and resources in
# sibling files, terraform.tfvars): the old side needs the folder's configuration as it was too,
# or names built from variables stay unknown there and nothing pairs.
_MODULE_FILES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


class GitError(Exception):
    """git is missing, the folder is not in a repository, or the revision is unknown: a usage error."""


def _git(args: list[str], cwd: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer within {_TIMEOUT} s") from None
    if check and done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return done


def toplevel(start: str) -> str:
    """The root of the work tree that holds `start` (a file or folder)."""
    folder = start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start)) or "."
    done = _git(["rev-parse", "--show-toplevel"], os.path.abspath(folder), check=False)
    if done.returncode != 0:
        raise GitError(f"'{os.path.abspath(folder)}' is not inside a git repository")
    return os.path.realpath(done.stdout.decode("utf-8").strip())


def _lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8", "surrogateescape").split("\0") if line]


@dataclass
class BaseRevision:
    """The revision `--base` names, in the repository at `root`: file contents there, renames
    since, and the set of files that differ from it (committed, staged, in the work tree or new)."""

    rev: str  # as the user wrote it: it labels the old side in messages
    root: str
    commit: str
    renamed_from: dict[str, str] = field(default_factory=dict)  # new path -> old path (repository-relative)
    changed: set[str] = field(default_factory=set)  # repository-relative paths that differ from the base
    _scratch: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, rev: str, start: str) -> BaseRevision:
        root = toplevel(start)
        done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], root, check=False)
        if done.returncode != 0 or not rev or rev.startswith("-"):
            raise GitError(f"unknown revision '{rev}' in the repository at {root} "
                           "(in a shallow CI checkout, fetch it first, e.g. `git fetch --depth=1 origin <sha>`)")
        base = cls(rev, root, done.stdout.decode("ascii").strip())
        # -M follows the renames git detects; the work tree side includes uncommitted edits.
        status = _lines(_git(["diff", "--name-status", "-z", "-M", base.commit, "--"], root).stdout)
        i = 0
        while i < len(status):
            code = status[i]
            if code.startswith(("R", "C")) and i + 2 < len(status):
                old, new = status[i + 1], status[i + 2]
                if code.startswith("R"):
                    base.renamed_from[new] = old
                base.changed.add(new)
                i += 3
            else:
                if i + 1 < len(status):
                    base.changed.add(status[i + 1])
                i += 2
        base.changed.update(_lines(_git(["ls-files", "-z", "--others", "--exclude-standard"], root).stdout))
        return base

    def relative(self, path: str) -> str | None:
        """`path` relative to the repository root, `/`-separated; None outside the repository."""
        real = os.path.realpath(path)
        rel = os.path.relpath(real, self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            return None
        return rel.replace(os.sep, "/")

    def differs(self, path: str) -> bool:
        """Whether the file at `path` (as the run shows it) is new or changed since the base."""
        rel = self.relative(path)
        return rel is not None and rel in self.changed

    def old_path(self, path: str) -> str | None:
        """The repository-relative path the file at `path` had at the base (following a rename)."""
        rel = self.relative(path)
        if rel is None:
            return None
        return self.renamed_from.get(rel, rel)

    def read(self, repo_path: str) -> bytes | None:
        """The content of `repo_path` at the base; None when it did not exist there."""
        done = _git(["cat-file", "blob", f"{self.commit}:{repo_path}"], self.root, check=False)
        return done.stdout if done.returncode == 0 else None

    def listing(self, folder: str) -> list[str]:
        """Repository-relative paths of the files directly in `folder` at the base."""
        spec = f"{self.commit}:{folder}" if folder else f"{self.commit}:"
        done = _git(["ls-tree", "-z", "--name-only", spec], self.root, check=False)
        if done.returncode != 0:
            return []
        return [f"{folder}/{name}" if folder else name for name in _lines(done.stdout)]

    def materialize(self, repo_path: str) -> str | None:
        """Write the base content of `repo_path`, and of the files beside it that share its stem
        (the ARM `x.parameters.json` convention) or, for a Terraform file, the configuration files
        of its folder, into a scratch tree; the scratch copy's path.
        The loaders then read the old side exactly as they read the new one."""
        data = self.read(repo_path)
        if data is None:
            return None
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="sigcheck-base-")
        folder, name = repo_path.rpartition("/")[::2]
        stem = name.split(".", 1)[0]
        module = name.lower().endswith(_MODULE_FILES)
        companions = [p for p in self.listing(folder) if p != repo_path and (
            p.rpartition("/")[2].startswith(stem + ".") or (module and p.lower().endswith(_MODULE_FILES)))]
        for path, content in [(repo_path, data), *((p, self.read(p)) for p in companions)]:
            if content is None:
                continue
            target = os.path.join(self._scratch.name, *path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(content)
        return os.path.join(self._scratch.name, *repo_path.split("/"))

    def label(self, scratch_path: str) -> str:
        """`REV:repo/path` for a path in the scratch tree (how messages name the old side)."""
        if self._scratch is not None:
            rel = os.path.relpath(scratch_path, self._scratch.name)
            if not rel.startswith(".."):
                return f"{self.rev}:{rel.replace(os.sep, '/')}"
        return f"{self.rev}:{scratch_path}"

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


@dataclass
class Provenance:
    """Where a run stands in version control, for SARIF `versionControlProvenance`."""

    root: str
    revision: str
    branch: str | None = None
    repository_uri: str | None = None


def provenance(start: str = ".") -> Provenance | None:
    """The repository, commit and branch of the work tree holding `start`; None outside one (or
    without git, or in a repository with no commit yet)."""
    try:
        root = toplevel(start)
        head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], root, check=False)
        if head.returncode != 0:
            return None
        branch = _git(["symbolic-ref", "--quiet", "--short", "HEAD"], root, check=False)
        remote = _git(["remote", "get-url", "origin"], root, check=False)
    except GitError:
        return None
    uri = remote.stdout.decode("utf-8", "replace").strip() if remote.returncode == 0 else None
    return Provenance(
        root=root,
        revision=head.stdout.decode("ascii").strip(),
        branch=branch.stdout.decode("utf-8", "replace").strip() or None if branch.returncode == 0 else None,
        repository_uri=_public_uri(uri) if uri else None,
    )


def _public_uri(uri: str) -> str | None:
    """A remote as an absolute URI without credentials (`git@host:o/r.git` becomes ssh://);
    None for a local path, which means nothing to a reader elsewhere."""
    from urllib.parse import urlsplit, urlunsplit

    if "://" not in uri:
        if ":" in uri and "@" in uri.split(":", 1)[0] and not uri.startswith("/"):
            user_host, path = uri.split(":", 1)
            return f"ssh://{user_host.split('@', 1)[1]}/{path.lstrip('/')}"
        return None
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return None
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
