"""Warm workers: a submission's worker has already imported numpy, pandas and
scikit-learn when the submission is assigned to it.

A warm worker has run no learner code and seen no test: it is a fresh sandbox, a
fresh scratch folder and an interpreter that imported the libraries. Each one serves
one submission (or one restart of it) and is then killed. At the strict level it is
forked from a zygote that imported the libraries once (grader._zygote); elsewhere, or
if the zygote cannot start, the pool starts a spare ahead of need, which warms up while
the current submission is graded.

What a warm worker imports is what the exercise's source notebook imports
(:func:`exercise_modules`), plus the libraries the wire needs: the spare started when a
worker is taken imports the modules of that worker's exercise, on the bet that the next
submission is of the same exercise (``mlday grade`` grades a class exercise by exercise).
A lost bet costs nothing but time: any warm worker can grade any notebook.

Workers are started from the thread that asks for one: bubblewrap's
``--die-with-parent`` ties a worker to the thread that started it.
"""

from __future__ import annotations

import ast
import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from ._sandbox import kill_worker, launch_worker
from ._zygote import Zygote, ZygoteError

# What every worker needs, whatever the exercise: the wire decodes arrays and frames.
BASE_MODULES = ("numpy", "pandas", "pyarrow")

# When the exercise is not known: what the workbook's exercises import between them.
WARM_MODULES = (
    *BASE_MODULES,
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


def exercise_modules(source: Path) -> tuple[str, ...]:
    """The modules a worker for the exercise of ``source`` (its source notebook) should
    import ahead: :data:`BASE_MODULES`, every absolute import of its code cells, and
    skops.io when it uses scikit-learn."""
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        return WARM_MODULES
    return _imports_of(source, stamp)


@functools.cache
def _imports_of(source: Path, stamp: int) -> tuple[str, ...]:
    from ._notebook import NotebookError, read_notebook
    from ._worker._cells import strip_magics

    try:
        nb = read_notebook(source)
    except NotebookError:
        return WARM_MODULES
    found = list(BASE_MODULES)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(strip_magics(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    if any(name.split(".")[0] == "sklearn" for name in found):
        # The wire sends a fitted estimator back with skops (0.6 s to import).
        found.append("skops.io")
    return tuple(dict.fromkeys(found))


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
    """Warm workers per (datasets, isolation): forked by a zygote at strict isolation
    (grader._zygote), else ``spares`` started ahead.

    Parameters
    ----------
    spares : int
        Workers kept started ahead where there is no zygote.
    modules : tuple of str
        What a warm worker (or the zygote) imports when the caller does not say.
    """

    def __init__(self, spares: int = 1, modules=WARM_MODULES):
        self.spares = spares
        self.modules = tuple(modules)
        self._ready: dict[tuple, list] = {}
        self._zygotes: dict[Path | None, Zygote] = {}
        self.zygote_failure = ""  # why strict workers are no longer forked, if so

    def take(self, datasets: Path | None, isolation: str, modules=None):
        """(process, scratch) of a warm worker, now the caller's; a replacement starts,
        importing ``modules`` (default: the pool's own list)."""
        warm = self.modules if modules is None else tuple(modules)
        if isolation == "strict" and not self.zygote_failure:
            forked = self._fork(datasets, warm)
            if forked is not None:
                return forked
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
            taken = launch(datasets, isolation, warm)
        while len(ready) < self.spares:
            ready.append(launch(datasets, isolation, warm))
        return taken

    def _fork(self, datasets: Path | None, warm):
        # A zygote that ended (bubblewrap ties it to the thread that started it) is
        # replaced once; a second failure turns the zygotes off for this pool.
        for _attempt in range(2):
            if datasets not in self._zygotes:
                try:
                    self._zygotes[datasets] = Zygote(datasets, self.modules)
                except ZygoteError as exc:
                    failure = str(exc)
                    continue
            try:
                return self._zygotes[datasets].fork(warm)
            except ZygoteError as exc:
                failure = str(exc)
                self._zygotes.pop(datasets).close()
        self.zygote_failure = failure
        return None

    def close(self) -> None:
        """Stop every spare worker and zygote, and remove their scratch folders."""
        for ready in self._ready.values():
            while ready:
                _discard(*ready.pop())
        while self._zygotes:
            self._zygotes.popitem()[1].close()


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
