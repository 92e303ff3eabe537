"""Tests of the tests: the solution passes, the stub is not attempted, every mistake is caught."""

from __future__ import annotations

from dataclasses import dataclass

from ._exercises import Exercise
from ._grading import grade_notebook
from ._inventory import collect_tests, question_table
from ._notebook import is_grade, nbgrader, read_notebook, solution_names
from ._outcomes import Status, Ungradable
from .catalogue import Mistake, load_mistakes, test_function


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


def _judge(exercise: Exercise, mistake: Mistake, tests) -> Finding:
    label = f"mistake {mistake.name}: {mistake.title}"
    matches = [t for t in tests if test_function(t.test) == mistake.test]
    if not matches:
        return Finding(exercise.name, label, False, f"no test {mistake.test} ran for {mistake.name}")
    for t in matches:
        if t.status.value != mistake.status:
            return Finding(exercise.name, label, False, f"{mistake.test} ended {t.status.value!r}, not {mistake.status!r}: {t.message[:200]}")
        if mistake.message.lower() not in t.message.lower():
            return Finding(exercise.name, label, False, f"{mistake.test}'s message lacks {mistake.message!r}: {t.message[:300]}")
    return Finding(exercise.name, label, True)


def check_mistakes(exercise: Exercise, mistakes: list[Mistake]) -> list[Finding]:
    """Every mistake's test ends with its status, and its message holds the fragment.

    The source notebook runs once in one worker; for each mistake the question's name is
    removed, the mistake's cell runs in its place (replays after a crash use it too), the
    question's tests run, and the solution's cell is put back. The one difference from
    a notebook that holds the mistake: cells after it ran with the solution. The tests
    call only the question's name, so they see the mistake, at a fraction of the cost of
    running the whole notebook again for each mistake.
    """
    from . import _sandbox
    from ._grading import run_tests
    from ._limits import Limits
    from ._notebook import code_cells
    from ._paths import datasets_dir
    from ._proxy import RemoteNamespace
    from ._session import WorkerSession

    if not mistakes:
        return []
    source_nb = read_notebook(exercise.source)
    cells = code_cells(source_nb)
    index_of = {nbgrader(source_nb.cells[i]).get("grade_id"): i for i, _ in cells}
    findings = []
    with WorkerSession(cells, Limits(), datasets_dir(), isolation=_sandbox.resolve("auto")) as session:
        namespace = RemoteNamespace(session)
        for mistake in mistakes:
            index = index_of.get(mistake.name)
            if index is None:
                findings.append(Finding(exercise.name, f"mistake {mistake.name}: {mistake.title}", False, f"the notebook has no solution cell {mistake.name!r}"))
                continue
            original = dict(cells)[index]
            session.forget(mistake.name)  # as in a notebook whose cell never defined it
            session.replace_cell(index, mistake.code)
            try:
                collector = run_tests(exercise, namespace, questions=[mistake.name])
                findings.append(_judge(exercise, mistake, collector.tests))
            except Ungradable as exc:
                findings.append(Finding(exercise.name, f"mistake {mistake.name}: {mistake.title}", False, f"ungradable: {exc}"))
            finally:
                session.replace_cell(index, original)
    return findings


def validate_exercise(exercise: Exercise) -> list[Finding]:
    """Every check of one exercise."""
    findings = check_structure(exercise)
    findings.append(check_solution(exercise))
    findings.append(check_stub(exercise))
    findings += check_mistakes(exercise, load_mistakes(exercise.mistakes))
    return findings
