"""grader/_validate: the tests of the tests hold for a good exercise, and say so when not."""

import pytest

from grader._exercises import Exercise
from grader._validate import check_mistakes, check_solution, check_stub
from grader.catalogue import Mistake

from conftest import TOY

WRONG = "def double(x):\n    return x + 2\n"
RIGHT = "def double(x):\n    return 2 * x\n"


@pytest.fixture
def toy(toy_workbook, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    return Exercise(TOY, toy_workbook.root)


def test_solution_passes_and_stub_is_not_attempted(toy):
    assert check_solution(toy).ok
    assert check_stub(toy).ok


def test_caught_and_uncaught_mistakes_are_told_apart(toy):
    mistakes = [
        Mistake("double", "adds two", "test_doubles_negative", "double(-7)", WRONG),
        Mistake("double", "not a mistake at all", "test_doubles_negative", "double(-7)", RIGHT),
        Mistake("double", "wrong message named", "test_doubles_negative", "no such words", WRONG),
        Mistake("double", "wrong test named", "test_no_such_test", "double(-7)", WRONG),
        Mistake("double", "raises", "test_doubles_two", "ZeroDivisionError", "def double(x):\n    return 1 / 0\n", status="error"),
    ]
    findings = check_mistakes(toy, mistakes)
    assert [f.ok for f in findings] == [True, False, False, False, True]
    assert "ended 'passed', not 'failed'" in findings[1].detail
    assert "lacks 'no such words'" in findings[2].detail
    assert "no test test_no_such_test ran" in findings[3].detail


def test_each_mistake_sees_a_fresh_solution_around_it(toy):
    """A mistake that breaks its cell does not leak into the next mistake's grading."""
    mistakes = [
        Mistake("double", "syntax error", "test_doubles_two", "not defined", "def double(x:\n"),
        Mistake("double", "adds two", "test_doubles_negative", "double(-7)", WRONG),
    ]
    findings = check_mistakes(toy, mistakes)
    assert [f.ok for f in findings] == [False, True]
    assert "ended 'not attempted'" in findings[0].detail  # the solution's double is gone
