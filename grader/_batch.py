"""Grade many submissions: in parallel grading processes, resumable, written atomically.

Each grading process is trusted (it holds the tests and the reference values, which
the run's processes compute once and share); every submission still gets its own
fresh worker.
Results are written by the parent, each to a temporary file renamed into place, so a
run killed at any moment leaves only whole results; the next run grades what is missing.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from . import _shared_memo
from ._grading import grade_notebook
from ._limits import Limits
from ._notebook import NotebookError, exercise_of, read_notebook
from ._pool import shared as shared_pool
from ._store import read_result, result_path


@dataclass(frozen=True)
class Task:
    """One notebook of one learner to grade."""

    learner: str
    notebook: Path
    exercise: str | None  # None when the notebook cannot be read: always graded


def plan(submissions, root: Path, out: Path, known: list[str], force: bool = False) -> tuple[list[Task], list[Task]]:
    """(to grade, already graded): a task is done when it has a readable results.json
    that is not ungradable. The tasks to grade come exercise by exercise, so that a
    grading process's warm worker has imported what the next notebook needs."""
    todo, done = [], []
    for learner, notebook in submissions:
        try:
            exercise = exercise_of(read_notebook(notebook), notebook, known)
        except NotebookError:
            exercise = None
        task = Task(learner, notebook, exercise)
        if not force and exercise is not None and _graded(result_path(out, learner, exercise)):
            done.append(task)
        else:
            todo.append(task)
    todo.sort(key=lambda t: t.exercise or "")  # stable: learners keep their order
    return todo, done


def _graded(path: Path) -> bool:
    # An ungradable result was the grader's failure, not a grade: the next run retries it.
    try:
        return not read_result(path).ungradable
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _grade(task: Task, root: Path, limits: Limits, isolation: str):
    # Each grading process keeps one warm worker ready for its next submission.
    return grade_notebook(task.notebook, root, learner=task.learner, limits=limits, isolation=isolation, pool=shared_pool())


def grade_all(tasks: list[Task], root: Path, *, jobs: int, limits: Limits, isolation: str):
    """Yield (task, result) as each finishes; ``jobs`` grading processes at most, which
    share the reference values they compute."""
    with _shared_memo.run_folder():
        yield from in_parallel(_grade, tasks, root, jobs=jobs, args=(root, limits, isolation))


def in_parallel(fn, items: list, root: Path, *, jobs: int, args=()):
    """Yield (item, fn(item, *args)) as each finishes: here for one job, else in at most
    ``jobs`` trusted processes of their own (spawned, with ``root`` and this process's
    shared memo folder; each dies with this process)."""
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            yield item, fn(item, *args)
        return
    # Spawned, not forked: this process runs threads (the progress bar, warm workers'
    # readers); and not from a forkserver, which would outlive a SIGKILL of this process.
    context = multiprocessing.get_context("spawn")
    memo = _shared_memo.current()
    initargs = (str(root), str(memo) if memo else None)
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_child, initargs=initargs) as pool:
        futures = {pool.submit(fn, item, *args): item for item in items}
        for future in cf.as_completed(futures):
            yield futures[future], future.result()


def _init_child(root: str, memo: str | None = None) -> None:
    _die_with_parent()
    os.environ.setdefault("MLDAY_ROOT", root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    _shared_memo.use(memo)


def _die_with_parent() -> None:
    # Without this, a run killed with SIGKILL leaves its grading processes (and their
    # warm workers) waiting on the task queue for ever: each holds the queue's write end.
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: such a run leaves them behind
        pass


_PR_SET_PDEATHSIG = 1


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
