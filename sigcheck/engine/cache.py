"""The content cache: a file's outcome (findings, suppressions, the facts the cross-file rules
need) kept under a key made of everything that decides it — the file's content and shown path,
the parameter files read with it, the options and configuration, the rules selected, and the
version and code of sigcheck — so a repeat run over unchanged files reads the outcomes back
instead of checking again. The cross-file rules are run again on every run from the cached facts,
so one changed file still changes what they report on the others.

Runs with third-party plugins are not cached (their code may change under the same version).
The cache lives in the platform's cache folder ($SIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/sigcheck,
else ~/.cache/sigcheck); `--no-cache` bypasses it. It is an optimisation only: an entry that
cannot be read back (corrupt, truncated, from another Python) is a miss, and a folder that cannot
be written is ignored; neither is ever an error.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from sigcheck.engine.outcome import FileOutcome
    from sigcheck.engine.run import Engine

MISS: Any = object()
_FORMAT = b"sigcheck-cache-1"
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_dir() -> str:
    """Where the cache lives unless configured otherwise."""
    configured = os.environ.get("SIGCHECK_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sigcheck")


def _code_fingerprint(digest: Any) -> None:
    """The version, and the size and time of every module and data file of sigcheck: a
    development checkout changes its code without changing its version."""
    from sigcheck import __version__

    digest.update(f"{__version__}|{sys.version}|".encode())
    from importlib.util import find_spec

    roots = [_PACKAGE]
    data = find_spec("sigcheck.data")  # the rules/ folder, mapped into the package
    if data is not None and data.submodule_search_locations:
        roots.extend(data.submodule_search_locations)
    stack = list(roots)
    entries: list[str] = []
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            stack.append(entry.path)
                    elif entry.name.endswith((".py", ".json")):
                        st = entry.stat()
                        entries.append(f"{entry.path}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            continue
    digest.update("\n".join(sorted(entries)).encode())


def _file_digest(path: str) -> str | None:
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


class Store:
    """The entries of one run's configuration in one folder."""

    def __init__(self, folder: str, prefix: bytes,
                 configurations_above: Callable[[str], list[str]] | None = None) -> None:
        self.folder = folder
        self.prefix = prefix
        self.configurations_above = configurations_above
        self.writable = True
        self._configs: dict[str, str] = {}  # folder -> the configurations above it, as digests

    def _configurations(self, path: str) -> str:
        """The configuration files above `path` (Options.configurations_above), by content."""
        if self.configurations_above is None:
            return ""
        folder = os.path.dirname(os.path.abspath(path))
        known = self._configs.get(folder)
        if known is None:
            known = self._configs[folder] = "\n".join(
                f"{config}:{_file_digest(config)}" for config in self.configurations_above(path))
        return known

    def key(self, path: str, shown: str) -> str | None:
        """The key of a file's outcome, None when the file cannot be read (not cached)."""
        import hashlib

        from sigcheck.inputs.arm.parameters import conventional_path

        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return None  # a pipe or device: reading it for a key would leave nothing to check
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        digest = hashlib.sha256(self.prefix)
        digest.update(shown.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(self._configurations(path).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        # A template is read with the parameter file beside it (x.parameters.json).
        if path.lower().endswith(".json"):
            beside = conventional_path(path)
            if beside is not None:
                digest.update(b"\0parameters\0" + (_file_digest(beside) or "unreadable").encode())
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key)

    def get(self, key: str) -> FileOutcome | None | Any:
        """The cached outcome, or MISS."""
        import pickle

        try:
            with open(self._path(key), "rb") as handle:
                blob = handle.read()
            if not blob.startswith(_FORMAT):
                return MISS
            return pickle.loads(blob[len(_FORMAT):])
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never an error
            return MISS

    def put(self, key: str, outcome: FileOutcome | None) -> None:
        if not self.writable:
            return
        target = self._path(key)
        import pickle
        import tempfile

        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_FORMAT + pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(temporary, target)  # readers see a whole entry or none
            except BaseException:
                os.unlink(temporary)
                raise
        except Exception:  # noqa: BLE001 - an unwritable cache only makes the next run slower
            self.writable = False


def _settings(settings: dict[str, Any]) -> str:
    """The rules' options as text for the key. The policy's scope (which configuration governs
    each folder) is an object: named by the run's configuration it starts from; the folder
    configurations it may read are in each file's key (Store.key)."""
    plain = {}
    for name, value in sorted(settings.items()):
        if name == "policy" and isinstance(value, dict) and "scope" in value:
            scope = value["scope"]
            primary = getattr(scope, "primary_path", None)
            value = {**value, "scope": (primary, _file_digest(primary) if primary else None,
                                        getattr(scope, "fixed", None), sorted(getattr(scope, "registered", ())))}
        plain[name] = value
    return repr(plain)


def open_for(engine: Engine) -> Store | None:
    """The store for this engine's configuration, None when it has no cache folder."""
    import hashlib

    folder = engine.options.cache_dir
    if not folder:
        return None
    if engine.options.base is not None or engine.options.extra_rules:
        # Findings that compare with a git revision, or custom rules whose conditions the key
        # cannot name: computed every run.
        return None
    if any(dist != "sigcheck" for dist in engine.registry.distributions.values()):
        # A plugin's code can change without its version changing, and sigcheck cannot tell
        # which of its files a rule depends on: with third-party plugins, nothing is cached.
        return None
    digest = hashlib.sha256(_FORMAT)
    _code_fingerprint(digest)
    options = engine.options
    parameters = _file_digest(options.parameters_file) if options.parameters_file else None
    described = repr((
        sorted((r.meta.id, r.meta.name, r.meta.origin, int(r.meta.severity)) for r in engine.rules),
        options.today.isoformat(), repr(options.context), options.parameters_file, parameters,
        list(options.var_files), [_file_digest(path) for path in options.var_files],
        options.file_timeout,  # a file past its time is a SIG001: the limit is part of the result
        _settings(options.settings),
        sorted(engine.registry.distributions.items()),
        sorted(loader.name for loader in engine.registry.loaders),
    ))
    digest.update(described.encode("utf-8", "surrogateescape"))
    return Store(folder, digest.digest(), options.configurations_above)
