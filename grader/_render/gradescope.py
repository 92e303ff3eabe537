"""One exercise result as Gradescope's ``results.json``."""

from __future__ import annotations

from .._outcomes import Status

VISIBILITY = {False: "visible", True: "after_due_date"}


def render(result) -> dict:
    """The results.json document for one learner's exercise.

    Gradescope knows only "passed" and "failed"; mlday's own status is in each test's
    ``extra_data`` and leads its ``output``. An ungradable test scores 0 here and is
    marked ``ungradable`` so that it is regraded, never counted.
    """
    tests = []
    for number, t in enumerate(result.tests, 1):
        status_line = f"[{t.status.value}]"
        if t.status is Status.UNGRADABLE:
            status_line = "[ungradable: a fault of the grader, not of your work; this test will be regraded]"
        tests.append(
            {
                "name": f"{t.question}: {t.title}" + (" (hidden)" if t.hidden else ""),
                "number": str(number),
                "score": t.score,
                "max_score": t.max_score,
                "status": "passed" if t.status is Status.PASSED else "failed",
                "output": f"{status_line} {t.message}".strip(),
                "visibility": VISIBILITY[t.hidden],
                "extra_data": {
                    "status": t.status.value, "question": t.question, "test": t.test,
                    "hidden": t.hidden, "title": t.title, "message": t.message,
                },
            }
        )
    lines = [f"{result.exercise}: {result.score:g}/{result.max_score:g}"]
    lines += [f"notebook: {p}" for p in result.problems]
    lines += [f"cell {c.index}: {c.status.value}: {c.message}" for c in result.cells]
    if result.ungradable:
        lines.append(f"ungradable: {result.ungradable}")
    return {
        "score": result.score,
        "execution_time": round(result.execution_time, 3),
        "output": "\n".join(lines),
        "tests": tests,
        "extra_data": {
            "learner": result.learner,
            "exercise": result.exercise,
            "notebook": result.notebook,
            "isolation": result.isolation,
            "problems": list(result.problems),
            "cells": [{"index": c.index, "status": c.status.value, "message": c.message} for c in result.cells],
            "ungradable": result.ungradable,
            "invalid": result.invalid,
            "max_score": result.max_score,
        },
    }


def render_submission(documents: list[dict], notes=()) -> dict:
    """One results.json for a whole Gradescope submission, from :func:`render`'s documents.

    Gradescope reads one document per submission, and a submission may hold several
    exercises. Tests are numbered "<exercise number>.<test number>"; when there is more
    than one exercise, each test's name starts with its exercise. ``notes`` are about
    the submission as a whole (a file that was not graded, and why) and lead the output.

    Parameters
    ----------
    documents : list of dict
        One :func:`render` document per exercise, in the order to show them.
    notes : sequence of str
        Lines for the learner about the submission as a whole.
    """
    several = len(documents) > 1
    tests = []
    for doc in documents:
        exercise = doc["extra_data"]["exercise"]
        number = exercise.split("_", 1)[0].lstrip("0") or "0"
        for test in doc["tests"]:
            merged = dict(test, number=f"{number}.{test['number']}")
            if several:
                merged["name"] = f"{exercise}: {test['name']}"
            tests.append(merged)
    score = round(sum(t["score"] for t in tests), 6)
    max_score = round(sum(doc["extra_data"]["max_score"] for doc in documents), 6)
    head = [*notes, f"total: {score:g}/{max_score:g}"] if several else list(notes)
    return {
        "score": score,
        "execution_time": round(sum(doc["execution_time"] for doc in documents), 3),
        "output": "\n\n".join(part for part in ["\n".join(head), *(doc["output"] for doc in documents)] if part),
        # mlday grade's log names hidden tests and the instructor's paths: instructors only.
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"exercises": [doc["extra_data"] for doc in documents], "notes": list(notes)},
    }
