"""Tests of the tests: the solution passes, the stub is not attempted, every mistake is caught."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from ._exercises import Exercise
from ._grading import grade_notebook
from ._inventory import collect_tests, question_table
from ._notebook import is_grade, nbgrader, read_notebook, solution_names
from ._outcomes import Status, Ungradable
from .catalogue import Mistake, load_mistakes


@dataclass(frozen=True)
class Finding:
    """One check of ``mlday validate``: what was checked, whether it held, and why not."""

    exercise: str
    check: str
    ok: bool
    detail: str = ""


def check_structure(exercise: Exercise) -> list[Finding]:
    """Every question has tests, and its test cell's points equal its tests' points."""
    source = read_notebook(exercise.source)
    try:
        table = question_table(exercise, collect_tests(exercise))
    except Ungradable as exc:
        return [Finding(exercise.name, "tests load", False, str(exc))]
    findings = []
    cell_points = {
        nbgrader(c)["grade_id"].removeprefix("test_"): float(nbgrader(c).get("points", 0))
        for c in source.cells
        if is_grade(c)
    }
    for name in solution_names(source):
        row = table.get(name)
        if row is None:
            findings.append(Finding(exercise.name, f"{name}: tests", False, "the question has no tests"))
            continue
        if not (row["public_tests"] >= 1 and row["hidden_tests"] >= 2):
            findings.append(Finding(exercise.name, f"{name}: tests", False,
                                    f"needs at least 1 public and 2 hidden tests; has {row['public_tests']} and {row['hidden_tests']}"))
        if cell_points.get(name) != row["points"]:
            findings.append(Finding(exercise.name, f"{name}: points", False,
                                    f"the test cell is worth {cell_points.get(name)} points, its tests {row['points']}"))
    stray = sorted(q for q in table if q not in solution_names(source))
    if stray:
        findings.append(Finding(exercise.name, "questions", False, f"tests for names the notebook does not ask for: {stray}"))
    return findings or [Finding(exercise.name, "structure", True)]


def check_solution(exercise: Exercise) -> Finding:
    """The source notebook earns full marks, and its cells run cleanly."""
    result = grade_notebook(exercise.source, exercise.root, learner="solution")
    bad = [f"{t.test}: {t.status.value}: {t.message.splitlines()[0] if t.message else ''}" for t in result.tests if t.status is not Status.PASSED]
    bad += [f"cell {c.index}: {c.message.splitlines()[0]}" for c in result.cells]
    bad += [result.ungradable] if result.ungradable else []
    if not result.tests:
        bad.append("no tests ran")
    return Finding(exercise.name, "solution passes", not bad, "; ".join(bad))


def check_stub(exercise: Exercise) -> Finding:
    """The released notebook earns zero, every test "not attempted"."""
    from ._release import release_notebook

    nb = release_notebook(read_notebook(exercise.source))
    result = grade_notebook(exercise.released, exercise.root, learner="stub", nb=nb)
    bad = [f"{t.test}: {t.status.value}" for t in result.tests if t.status is not Status.NOT_ATTEMPTED]
    if not result.tests:
        bad.append("no tests ran")
    return Finding(exercise.name, "stub not attempted", not bad and result.score == 0, "; ".join(bad))


def mistake_notebook(source_nb, mistake: Mistake):
    """The source notebook with the cell of ``mistake.name`` replaced by the mistake."""
    nb = copy.deepcopy(source_nb)
    cells = [c for c in nb.cells if nbgrader(c).get("grade_id") == mistake.name and c.cell_type == "code"]
    if len(cells) != 1:
        raise Ungradable(f"the notebook has {len(cells)} solution cells named {mistake.name!r}")
    cells[0].source = mistake.code
    return nb


def check_mistake(exercise: Exercise, mistake: Mistake, source_nb=None) -> Finding:
    """The mistake's test ends with its status, and its message holds the fragment."""
    label = f"mistake {mistake.name}: {mistake.title}"
    source_nb = source_nb if source_nb is not None else read_notebook(exercise.source)
    try:
        nb = mistake_notebook(source_nb, mistake)
    except Ungradable as exc:
        return Finding(exercise.name, label, False, str(exc))
    result = grade_notebook(exercise.source, exercise.root, learner="mistake", nb=nb, questions=[mistake.name])
    matches = [t for t in result.tests if t.test.rsplit("::", 1)[-1].split("[")[0] == mistake.test]
    if not matches:
        return Finding(exercise.name, label, False, f"no test {mistake.test} ran for {mistake.name}")
    for t in matches:
        if t.status.value != mistake.status:
            return Finding(exercise.name, label, False, f"{mistake.test} ended {t.status.value!r}, not {mistake.status!r}: {t.message[:200]}")
        if mistake.message.lower() not in t.message.lower():
            return Finding(exercise.name, label, False, f"{mistake.test}'s message lacks {mistake.message!r}: {t.message[:300]}")
    return Finding(exercise.name, label, True)


def validate_exercise(exercise: Exercise) -> list[Finding]:
    """Every check of one exercise."""
    findings = check_structure(exercise)
    findings.append(check_solution(exercise))
    findings.append(check_stub(exercise))
    source_nb = read_notebook(exercise.source)
    for mistake in load_mistakes(exercise.mistakes):
        findings.append(check_mistake(exercise, mistake, source_nb))
    return findings
