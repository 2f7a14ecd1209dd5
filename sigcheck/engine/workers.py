"""Files checked in worker processes (`--jobs N`): load, normalize and the per-resource rules of
each file run in a worker, which hands back a FileOutcome (findings, suppressions, compact facts),
never the model. The workers are forked from the running process, so they share its registry,
options and imported modules without pickling them; where fork is unavailable (or for a handful
of files, where starting workers costs more than it saves), files are checked in this process."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from sigcheck.engine.outcome import FileOutcome
    from sigcheck.engine.run import Engine

# Below this many files per worker, a worker's start-up and the hand-back cost more than they save.
MIN_FILES_PER_WORKER = 4

_engine: Engine | None = None  # the engine of the forked run, inherited by the workers


def cores() -> int:
    """The cores this process may run on (the default of --jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    import multiprocessing

    # macOS forks unsafely once system frameworks are loaded; Windows cannot fork at all.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# Files between two runs of the cyclic garbage collector, which is otherwise off while files
# are checked: a file leaves a few hundred objects in reference cycles, and letting the collector
# run on its own thresholds costs a fifth of the time of a run over many small files, while
# collecting after every few hundred files costs almost nothing and bounds the memory they hold.
COLLECT_EVERY = 200
_done = 0


def _work(path: str) -> FileOutcome | None:
    global _done
    assert _engine is not None
    _done += 1
    if _done % COLLECT_EVERY == 0:
        gc.collect(0)
    return _engine.outcome(path)


def _start_worker() -> None:
    # Objects inherited from the parent are never freed in a worker: keep the collector off them,
    # so it does not touch (and copy) their pages; then off, as in _in_process.
    gc.freeze()
    gc.disable()


def _in_process(engine: Engine, paths: Sequence[str]) -> list[FileOutcome | None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        out = []
        for done, path in enumerate(paths, start=1):
            out.append(engine.outcome(path))
            if done % COLLECT_EVERY == 0:
                gc.collect(0)
        return out
    finally:
        if enabled:
            gc.enable()


def compute(engine: Engine, paths: Sequence[str]) -> list[FileOutcome | None]:
    """The outcome of each file, in the order of `paths`."""
    jobs = min(engine.options.jobs, len(paths) // MIN_FILES_PER_WORKER)
    if jobs <= 1 or not _can_fork():
        return _in_process(engine, paths)
    import multiprocessing

    global _engine
    _engine = engine
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # else a worker, a copy of this process, flushes it too when it ends
        except (OSError, ValueError, AttributeError):
            pass
    try:
        context = multiprocessing.get_context("fork")
        # Chunks of a few files: few round trips, yet a slow file does not hold up a whole share.
        chunk = max(1, len(paths) // (jobs * 8))
        with context.Pool(jobs, initializer=_start_worker) as pool:
            return pool.map(_work, paths, chunksize=chunk)
    finally:
        _engine = None
