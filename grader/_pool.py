"""Warm workers: started ahead of need, so that a submission's worker has already
imported numpy, pandas and scikit-learn when the submission is assigned to it.

A warm worker has run no learner code and seen no test: it is a fresh sandbox, a
fresh scratch folder and an interpreter that imported the libraries. Each one serves
one submission (or one restart of it) and is then killed; the pool starts its
replacement at once, so it warms up while the current submission is graded.

Workers are started from the thread that asks for one: bubblewrap's
``--die-with-parent`` ties a worker to the thread that started it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from ._sandbox import kill_worker, launch_worker

# What the exercises import; importing them costs about a second of CPU per worker.
WARM_MODULES = (
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.base",
    "sklearn.compose",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "skops.io",
)


def new_scratch() -> Path:
    """A fresh, empty scratch folder for one worker."""
    return Path(tempfile.mkdtemp(prefix="mlday-worker-"))


def launch(datasets: Path | None, isolation: str, warm=()):
    """(process, scratch) of a newly started worker."""
    scratch = new_scratch()
    try:
        return launch_worker(scratch, datasets, isolation, warm=warm), scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


class WarmPool:
    """Keeps ``spares`` warm workers ready per (datasets, isolation)."""

    def __init__(self, spares: int = 1, modules=WARM_MODULES):
        self.spares = spares
        self.modules = tuple(modules)
        self._ready: dict[tuple, list] = {}

    def take(self, datasets: Path | None, isolation: str):
        """(process, scratch) of a warm worker, now the caller's; a replacement starts."""
        key = (datasets, isolation)
        ready = self._ready.setdefault(key, [])
        taken = None
        while ready and taken is None:
            proc, scratch = ready.pop(0)
            if proc.poll() is None:
                taken = proc, scratch
            else:
                _discard(proc, scratch)
        if taken is None:
            taken = launch(datasets, isolation, self.modules)
        while len(ready) < self.spares:
            ready.append(launch(datasets, isolation, self.modules))
        return taken

    def close(self) -> None:
        """Stop every spare worker and remove its scratch folder."""
        for ready in self._ready.values():
            while ready:
                _discard(*ready.pop())


def _discard(proc, scratch: Path) -> None:
    kill_worker(proc)
    shutil.rmtree(scratch, ignore_errors=True)


_shared: WarmPool | None = None


def shared() -> WarmPool:
    """This process's pool, made on first use and emptied at exit."""
    global _shared
    if _shared is None:
        _shared = WarmPool()
        atexit.register(_shared.close)
    return _shared
