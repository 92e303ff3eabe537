"""``check(name, hidden=True)`` for nbgrader's autograde: the question's points as the cell's value.

nbgrader scores a test cell from its outputs: an ``error`` output, or any output on
stderr, gives 0; an ``execute_result`` whose ``text/plain`` reads as a number gives
that many points (more than the cell is worth makes autograde fail); anything else
gives full marks. So the hidden check ends its cell with a :class:`Score`, a float
that Jupyter shows as the check's report, and raises when the question earned
nothing, or when the grader itself failed (nbgrader has no "ungradable": a visible
error is the honest choice there).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

from ._outcomes import Status, Ungradable

__all__ = ["Score", "cell_points", "hidden_score"]


class Score(float):
    """The points a question earned, scaled to its test cell's points.

    Its plain-text form is the bare number, which nbgrader reads; in Jupyter it also
    shows the report it was computed from.
    """

    def __new__(cls, points: float, report):
        score = super().__new__(cls, points)
        score.report = report
        return score

    def _repr_html_(self) -> str:
        from ._render.check_html import render

        return render(self.report) + f"<p>{float(self):g} points</p>"


def cell_points(exercise, question: str) -> float | None:
    """The nbgrader points of question's test cell (grade_id ``test_<question>``) in the
    exercise's source notebook, or None if there is no such cell."""
    path = exercise.source
    try:
        table = _points_by_grade_id(path, path.stat().st_mtime_ns)
    except OSError:
        return None
    return table.get(f"test_{question}")


@functools.cache
def _points_by_grade_id(path: Path, mtime_ns: int) -> dict[str, float]:
    from ._notebook import NotebookError, is_grade, nbgrader, read_notebook

    try:
        nb = read_notebook(path)
    except NotebookError:
        return {}
    table = {}
    for cell in nb.cells:
        if not is_grade(cell):
            continue
        try:
            table[str(nbgrader(cell).get("grade_id"))] = float(nbgrader(cell).get("points", 0))
        except (TypeError, ValueError):
            continue  # no usable points: the check falls back to its tests' points
    return table


def hidden_score(report, points: float | None = None) -> Score:
    """The :class:`Score` of a report of the public and hidden tests of one question.

    Parameters
    ----------
    report : CheckReport
        ``check(name, hidden=True)``'s report.
    points : float or None
        What the question is worth in nbgrader (its test cell's points); None means
        the sum of its tests' points, as ``mlday grade`` gives it.

    Raises
    ------
    ValueError
        ``points`` is not a finite number >= 0.
    Ungradable
        The grader failed: a test file did not load, a test is ungradable, or there is
        no such question.
    AssertionError
        The question earned no points; the message is the report.
    """
    if points is not None and not (isinstance(points, (int, float)) and math.isfinite(points) and points >= 0):
        raise ValueError(f"check(..., points=) must be a number of points >= 0. Got {points!r} instead.")
    if report.problems or not report.tests or any(t.status is Status.UNGRADABLE for t in report.tests):
        raise Ungradable(f"{report}\n(ungradable: the grader failed, not the learner's code; grade this question by hand)")
    earned = sum(t.score for t in report.tests)
    total = sum(t.max_score for t in report.tests)
    worth = total if points is None else float(points)
    score = round(earned * worth / total, 6) if total else 0.0
    if score <= 0:
        raise AssertionError(f"{report}\n0 of {worth:g} points")
    return Score(score, report)
