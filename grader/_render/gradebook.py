"""Every learner's results as ``gradebook.csv``: a row per learner, a column per question."""

from __future__ import annotations

import csv
import io

from .._outcomes import Status


def render(results) -> str:
    """The gradebook as CSV text.

    A question with an ungradable test shows "ungradable" instead of a number, and so
    does the learner's total: a fault of the grader is neither a zero nor full marks.
    """
    columns: dict[str, None] = {}
    rows: dict[str, dict[str, object]] = {}
    for result in results:
        row = rows.setdefault(result.learner, {})
        ungradable_questions = {t.question for t in result.tests if t.status is Status.UNGRADABLE}
        for question, (score, _) in result.questions().items():
            key = f"{result.exercise}:{question}"
            columns[key] = None
            row[key] = "ungradable" if question in ungradable_questions or result.ungradable else score
        if result.ungradable and not result.tests:
            row[f"{result.exercise}:*"] = "ungradable"
            columns[f"{result.exercise}:*"] = None
    keys = sorted(columns)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["learner", *keys, "total"])
    for learner in sorted(rows):
        row = rows[learner]
        values = [row.get(k, "") for k in keys]
        numbers = [v for v in values if isinstance(v, float)]
        total = "ungradable" if "ungradable" in values else round(sum(numbers), 6)
        writer.writerow([learner, *[_fmt(v) for v in values], _fmt(total)])
    return buf.getvalue()


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
