"""A learner's progress: per exercise, the questions whose public tests pass.

Each notebook is checked as ``mlday check`` does, in a sandboxed worker with the
public tests only; the results reduce to an :class:`ExerciseProgress` (data only,
rendered by ``_render/progress_table.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._grading import grade_notebook
from ._limits import Limits
from ._outcomes import Status
from ._results import ExerciseResult

__all__ = ["ExerciseProgress", "check_notebooks", "progress_of"]


@dataclass(frozen=True)
class ExerciseProgress:
    """How far one notebook is: its questions by the outcome of their public tests.

    Parameters
    ----------
    exercise : str
        The exercise's name ("?" when the notebook could not be read).
    notebook : str
        The notebook's path.
    passing, failing, not_attempted : int
        Questions whose public tests all pass; that were tried but do not pass yet;
        whose tests all say "not attempted".
    problem : str
        Why the notebook could not be checked, or a grader fault; empty if none.
    """

    exercise: str
    notebook: str
    passing: int = 0
    failing: int = 0
    not_attempted: int = 0
    problem: str = ""

    @property
    def total(self) -> int:
        return self.passing + self.failing + self.not_attempted


def progress_of(result: ExerciseResult) -> ExerciseProgress:
    """The progress that the public-test ``result`` of one notebook shows."""
    if result.invalid or result.exercise == "?":
        problem = "; ".join(result.problems) or "the notebook cannot be checked"
        return ExerciseProgress(result.exercise, result.notebook, problem=problem)
    by_question: dict[str, list[Status]] = {}
    for test in result.tests:
        by_question.setdefault(test.question, []).append(test.status)
    passing = sum(all(s is Status.PASSED for s in statuses) for statuses in by_question.values())
    not_attempted = sum(all(s is Status.NOT_ATTEMPTED for s in statuses) for statuses in by_question.values())
    return ExerciseProgress(
        result.exercise,
        result.notebook,
        passing=passing,
        failing=len(by_question) - passing - not_attempted,
        not_attempted=not_attempted,
        problem=f"ungradable: {result.ungradable}" if result.ungradable else "",
    )


def _check(notebook: Path, root: Path, limits: Limits, isolation: str) -> ExerciseResult:
    return grade_notebook(notebook, root, hidden=False, limits=limits, isolation=isolation)


def check_notebooks(notebooks: list[Path], root: Path, *, jobs: int, limits: Limits, isolation: str):
    """Yield (notebook, result) of the public tests, as each finishes; ``jobs`` at a time.

    Each notebook gets its own worker, as in ``mlday check``; with more than one job,
    the tests run in separate trusted processes, as in ``mlday grade -j``.
    """
    from ._batch import in_parallel

    yield from in_parallel(_check, notebooks, root, jobs=jobs, args=(root, limits, isolation))
