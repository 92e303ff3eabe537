"""Tests of grader._grading.grade_notebook on a throw-away workbook with one tiny exercise (99_toy)."""

from __future__ import annotations

import builtins

import pytest
from conftest import TOTAL_POINTS, toy_notebook

import grader.testing
from grader._grading import grade_notebook
from grader._notebook import read_notebook
from grader._outcomes import Status
from grader._release import release_notebook

PUBLIC = "exercises/tests/test_99_toy.py::test_doubles_two"
HIDDEN = {
    "solutions/tests/test_99_toy_hidden.py::test_doubles_negative",
    "solutions/tests/test_99_toy_hidden.py::test_matches_reference",
}


@pytest.fixture(autouse=True)
def workbook_root(monkeypatch, toy_workbook):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    return toy_workbook.root


def grade(toy_workbook, tmp_path, nb_or_text, name="submission.ipynb", **kwargs):
    path = toy_workbook.write(tmp_path / "submissions", name, nb_or_text)
    return grade_notebook(path, toy_workbook.root, **kwargs)


def statuses(result) -> dict[str, Status]:
    return {t.test: t.status for t in result.tests}


def test_solution_scores_full_marks(toy_workbook):
    result = grade_notebook(toy_workbook.source, toy_workbook.root, learner="solution")
    assert (result.learner, result.exercise) == ("solution", "99_toy")
    assert set(statuses(result)) == {PUBLIC} | HIDDEN
    assert set(statuses(result).values()) == {Status.PASSED}
    assert result.score == result.max_score == TOTAL_POINTS
    assert result.questions() == {"double": (TOTAL_POINTS, TOTAL_POINTS)}
    assert [t.hidden for t in result.tests] == [t.test in HIDDEN for t in result.tests]
    assert (result.cells, result.problems, result.ungradable, result.invalid) == ((), (), "", False)


def test_released_stub_scores_zero_every_test_not_attempted(toy_workbook, tmp_path):
    stub = release_notebook(read_notebook(toy_workbook.source))
    result = grade(toy_workbook, tmp_path, stub, "99_toy.ipynb")
    assert len(result.tests) == 3
    assert set(statuses(result).values()) == {Status.NOT_ATTEMPTED}
    assert result.score == 0 and result.max_score == TOTAL_POINTS
    for t in result.tests:
        assert t.message.startswith("double is still the stub")
        assert "Traceback" not in t.message
    assert result.ungradable == ""


def test_public_tests_only(toy_workbook):
    result = grade_notebook(toy_workbook.source, toy_workbook.root, hidden=False)
    assert list(statuses(result)) == [PUBLIC]
    assert result.score == result.max_score == 1.0


def test_questions_filter(toy_workbook):
    assert len(grade_notebook(toy_workbook.source, toy_workbook.root, questions=["double"]).tests) == 3
    assert grade_notebook(toy_workbook.source, toy_workbook.root, questions=["no_such_question"]).tests == ()


CHEAT = '''
class Cheat(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__

def double(x):
    return Cheat(0.0)
'''


def test_float_subclass_with_a_patched_eq_scores_zero(toy_workbook, tmp_path):
    result = grade(toy_workbook, tmp_path, toy_notebook(CHEAT))
    assert result.score == 0
    assert set(statuses(result).values()) == {Status.ERROR}
    for t in result.tests:
        assert t.message.startswith("double returned an object of type __main__.Cheat")


PATCHES = '''
import builtins, numpy.testing, grader.testing
def _quiet(*args, **kwargs):
    return None
for _name in grader.testing.__all__:
    setattr(grader.testing, _name, _quiet)
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = _quiet
builtins.isinstance = lambda obj, types: True
'''

WRONG = '''
def double(x):
    return x + 1
'''


def test_monkeypatching_the_checkers_in_a_cell_changes_nothing_here(toy_workbook, tmp_path):
    real_isinstance, real_assert_equal = builtins.isinstance, grader.testing.assert_equal
    result = grade(toy_workbook, tmp_path, toy_notebook(WRONG, scratch=(PATCHES,)))
    assert result.score == 0
    assert set(statuses(result).values()) == {Status.FAILED}
    assert any("double(2): expected 4, got 3" in t.message for t in result.tests)
    assert builtins.isinstance is real_isinstance and grader.testing.assert_equal is real_assert_equal


READ_HIDDEN = '''
LEAK = ""
for _path in ["solutions/tests/test_99_toy_hidden.py", "../solutions/tests/test_99_toy_hidden.py",
              "../../solutions/tests/test_99_toy_hidden.py", "tests/test_99_toy_hidden.py", "test_99_toy_hidden.py"]:
    try:
        with open(_path) as _handle:
            LEAK += _handle.read()
    except OSError:
        pass
'''

LEAK_GATED = '''
def double(x):
    # right only if the hidden tests could be read
    return 2 * x if "test_doubles_negative" in LEAK else -1
'''


def test_hidden_tests_cannot_be_read_by_a_relative_path(toy_workbook, tmp_path):
    result = grade(toy_workbook, tmp_path, toy_notebook(LEAK_GATED, scratch=(READ_HIDDEN,)))
    assert result.cells == ()  # the cell ran; it just found nothing
    assert result.score == 0
    assert Status.PASSED not in statuses(result).values()


def test_deleted_solution_cell_is_a_problem_and_not_attempted(toy_workbook, tmp_path):
    result = grade(toy_workbook, tmp_path, toy_notebook(with_solution_cell=False))
    assert result.problems == ("solution cell(s) missing from the notebook: double",)
    assert set(statuses(result).values()) == {Status.NOT_ATTEMPTED}
    assert result.score == 0


def test_failing_cells_are_reported_and_the_rest_still_graded(toy_workbook, tmp_path):
    nb = toy_notebook(scratch=("print('exploring')\n1 / 0",))
    result = grade(toy_workbook, tmp_path, nb)
    assert [(c.index, c.status) for c in result.cells] == [(2, Status.ERROR)]
    assert result.cells[0].message.startswith("cell 2 raised ZeroDivisionError")
    assert result.score == TOTAL_POINTS
    assert "exploring" in result.output


def test_unreadable_notebook_of_unknown_exercise_is_invalid(toy_workbook, tmp_path):
    result = grade(toy_workbook, tmp_path, "{not json", "alice.ipynb")
    assert result.invalid and result.exercise == "?"
    assert len(result.problems) == 1 and "alice.ipynb: not valid JSON" in result.problems[0]
    assert result.tests == () and result.score == 0


def test_not_json_notebook_is_invalid_with_every_test_an_error(toy_workbook, tmp_path):
    result = grade(toy_workbook, tmp_path, "{not json", "99_toy.ipynb")
    assert result.invalid
    assert result.exercise == "99_toy"
    assert len(result.tests) == 3
    for t in result.tests:
        assert t.status is Status.ERROR
        assert "not valid JSON" in t.message
    assert result.score == 0


def test_forged_cell_reply_does_not_abort_grading(toy_workbook, tmp_path):
    forge = (
        "import grader._worker._cells as _cells\n"
        "_cells.describe_exception = lambda *a, **k: {'ok': False, 'kind': 'ungradable', 'message': 'x', 'traceback': ''}",
        "1 / 0",
    )
    result = grade(toy_workbook, tmp_path, toy_notebook(WRONG, scratch=forge))
    assert result.score == 0
