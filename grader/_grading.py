"""Grade one notebook: run it in a worker, run the tests here, return the results model."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import pytest

from . import _sandbox
from ._exercises import Exercise, find_exercises
from ._inventory import CollectionErrors, pytest_args
from ._limits import Limits, exercise_limits, with_exercise_limits
from ._notebook import (
    NotebookError,
    code_cells,
    exercise_of,
    read_notebook,
    solution_names,
)
from ._outcomes import LearnerError, Status, Ungradable
from ._paths import datasets_dir
from ._plugin import NAMESPACE_KEY
from ._pool import exercise_modules
from ._proxy import RemoteNamespace
from ._results import CellResult, ExerciseResult, TestResult
from ._session import WorkerSession


class _BrokenSession:
    """Stands in for a worker when the notebook could not be read: every test errors."""

    records: dict = {}
    output = b""

    def __init__(self, message: str):
        self.message = message

    def describe(self, name):
        raise LearnerError(self.message)

    call = lambda self, name, args, kwargs: self.describe(name)  # noqa: E731

    def close(self):
        pass


class _Collector(CollectionErrors):
    """Collects one TestResult per test, and collection errors, from pytest's reports."""

    def __init__(self, namespace):
        super().__init__()
        self.namespace = namespace
        self.tests: list[TestResult] = []

    def pytest_configure(self, config):
        """Hand the learner's namespace to the ``learner`` fixture."""
        config.stash[NAMESPACE_KEY] = self.namespace

    def pytest_runtest_logreport(self, report):
        """Record the outcome the plugin attached to the report."""
        props = dict(report.user_properties)
        if "mlday_status" not in props or any(t.test == report.nodeid for t in self.tests):
            return
        status = Status(props["mlday_status"])
        question = props["question"]
        if question is None:
            status, question = Status.UNGRADABLE, "?"
            props["mlday_message"] = "this test declares no question (use @pytest.mark.question)"
        points = props["points"]
        self.tests.append(
            TestResult(
                test=report.nodeid,
                question=question,
                title=props["title"],
                hidden=props["hidden"],
                status=status,
                score=points if status is Status.PASSED else 0.0,
                max_score=points,
                message=props["mlday_message"],
            )
        )


def run_tests(exercise: Exercise, namespace, *, hidden: bool = True, questions=()) -> _Collector:
    """Run the exercise's tests in this process against the learner's ``namespace``."""
    collector = _Collector(namespace)
    files = exercise.test_files(hidden=hidden)
    if not files:
        raise Ungradable(f"the tests of {exercise.name} are missing")
    args = pytest_args(exercise, files) + [f"--mlday-question={q}" for q in questions]
    code = pytest.main(args, plugins=[collector])
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise Ungradable(f"pytest could not run the tests of {exercise.name} (exit code {int(code)})")
    return collector


def session_for_notebook(path, *, timeouts: dict | None = None) -> WorkerSession:
    """A started worker session for the notebook at ``path`` (used by the plugin's --mlday-notebook)."""
    nb = read_notebook(Path(path))
    limits = Limits().replace(**timeouts) if timeouts else Limits()
    return WorkerSession(code_cells(nb), limits, datasets_dir(), isolation=_sandbox.resolve("auto")).start()


def grade_notebook(
    path: Path,
    root: Path,
    *,
    learner: str | None = None,
    nb=None,
    hidden: bool = True,
    questions=(),
    limits: Limits | None = None,
    isolation: str = "auto",
    pool=None,
) -> ExerciseResult:
    """Grade the notebook at ``path`` (or the already-read ``nb``) against its exercise's tests.

    ``isolation`` is a sandbox level, or "auto" for the strongest available here;
    ``pool`` a :class:`grader._pool.WarmPool` to take the worker from.
    """
    started = time.monotonic()
    isolation = _sandbox.resolve(isolation)
    path = Path(path)
    learner = learner or path.stem
    exercises = {ex.name: ex for ex in find_exercises(root)}
    problems: list[str] = []
    try:
        nb = nb if nb is not None else read_notebook(path)
        exercise = exercises[exercise_of(nb, path, list(exercises))]
    except NotebookError as exc:
        problems.append(str(exc))
        try:
            exercise = exercises[exercise_of({"metadata": {}} if nb is None else nb, path, list(exercises))]
        except NotebookError:
            return ExerciseResult(learner, "?", str(path), problems=tuple(problems), invalid=True)
        session = _BrokenSession(f"the notebook could not be graded: {exc}")
    else:
        problems += _restore(exercise, nb)
        missing = _missing_solution_cells(exercise, nb)
        if missing:
            problems.append(f"solution cell(s) missing from the notebook: {', '.join(missing)}")
        try:
            own_limits = _limits_for(exercise, limits)
        except Ungradable as exc:
            return ExerciseResult(learner, exercise.name, str(path), problems=tuple(problems), ungradable=str(exc), isolation=isolation)
        warm = exercise_modules(exercise.source) if pool is not None else None
        session = WorkerSession(code_cells(nb), own_limits, Path(root) / "datasets", isolation=isolation, pool=pool, warm=warm)
    try:
        if isinstance(session, WorkerSession):
            session.start()
        collector = run_tests(exercise, RemoteNamespace(session), hidden=hidden, questions=questions)
    except Ungradable as exc:
        return ExerciseResult(
            learner, exercise.name, str(path), problems=tuple(problems), ungradable=str(exc),
            execution_time=time.monotonic() - started, isolation=isolation,
        )
    finally:
        session.close()
    ungradable = [f"{t.test}: {t.message}" for t in collector.tests if t.status is Status.UNGRADABLE]
    ungradable += collector.errors
    return ExerciseResult(
        learner=learner,
        exercise=exercise.name,
        notebook=str(path),
        tests=tuple(collector.tests),
        cells=tuple(CellResult(r.index, r.status, r.message) for r in sorted(session.records.values(), key=lambda r: r.index)),
        problems=tuple(problems),
        output=bytes(session.output).decode("utf-8", "replace"),
        execution_time=time.monotonic() - started,
        isolation=isolation,
        ungradable="; ".join(ungradable),
        invalid=isinstance(session, _BrokenSession),
    )


def _pristine(exercise: Exercise):
    """The notebook as the learner received it, for its locked cells (None if unreadable).

    Made once per grading process; callers must not change it.
    """
    released = not exercise.has_solutions
    path = exercise.released if released else exercise.source
    try:
        return _as_released(path, path.stat().st_mtime_ns, released)
    except (NotebookError, OSError):
        return None


@functools.cache
def _as_released(path: Path, mtime_ns: int, released: bool):
    from ._release import release_notebook

    nb = read_notebook(path)
    return nb if released else release_notebook(nb)


def _limits_for(exercise: Exercise, run: Limits | None) -> Limits:
    # The exercise's limits come from the instructors' notebook, never the submission.
    pristine = _pristine(exercise)
    try:
        own = exercise_limits(pristine) if pristine is not None else {}
    except ValueError as exc:
        raise Ungradable(f"{exercise.name}: {exc}") from None
    return with_exercise_limits(run or Limits(), own)


def _restore(exercise: Exercise, nb) -> list[str]:
    from ._restore import restore_locked_cells

    pristine = _pristine(exercise)
    return restore_locked_cells(nb, pristine) if pristine is not None else []


def _missing_solution_cells(exercise: Exercise, nb) -> list[str]:
    pristine = _pristine(exercise)
    if pristine is None:
        return []
    expected = solution_names(pristine)
    present = set(solution_names(nb))
    return [name for name in expected if name not in present]
