"""Every result as ``grades_long.csv``: one row per learner, exercise and question."""

from __future__ import annotations

import csv
import io

from .._outcomes import Status


def question_status(tests) -> Status:
    """A question's status: passed if every test passed, else the first other status in
    the order of severity a grader reads them (ungradable first)."""
    statuses = {t.status for t in tests}
    if statuses == {Status.PASSED}:
        return Status.PASSED
    for status in (Status.UNGRADABLE, Status.TIMEOUT, Status.OUT_OF_MEMORY, Status.ERROR, Status.FAILED, Status.NOT_ATTEMPTED):
        if status in statuses:
            return status
    return Status.FAILED


def render(results) -> str:
    """The long-format gradebook as CSV text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["learner", "exercise", "question", "score", "max", "status"])
    for result in sorted(results, key=lambda r: (r.learner, r.exercise)):
        by_question: dict[str, list] = {}
        for test in result.tests:
            by_question.setdefault(test.question, []).append(test)
        for question, tests in by_question.items():
            score = sum(t.score for t in tests)
            status = question_status(tests)
            shown = "ungradable" if status is Status.UNGRADABLE else f"{score:g}"
            writer.writerow([result.learner, result.exercise, question, shown, f"{sum(t.max_score for t in tests):g}", status.value])
    return buf.getvalue()
