"""Tests of the tests, for every exercise: like scikit-learn's parametrize_with_checks.

For each (exercise, question): the solution passes all its tests, the released stub is
"not attempted" on all of them. For each catalogued mistake: its test catches it with
its message. And the release in ``exercises/`` is in sync with ``solutions/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from grader._exercises import find_exercises
from grader._grading import grade_notebook
from grader._notebook import read_notebook, solution_names
from grader._outcomes import Status
from grader._release import release_notebook
from grader._release._workbook import out_of_sync
from grader._validate import check_mistakes, check_structure
from grader.catalogue import load_mistakes

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [ex for ex in find_exercises(ROOT) if ex.has_solutions]
QUESTIONS = [(ex, name) for ex in EXERCISES for name in solution_names(read_notebook(ex.source))]
MISTAKES = [(ex, m) for ex in EXERCISES for m in load_mistakes(ex.mistakes)]


@functools.cache
def _solution(exercise):
    return grade_notebook(exercise.source, ROOT, learner="solution")


@functools.cache
def _stub(exercise):
    nb = release_notebook(read_notebook(exercise.source))
    return grade_notebook(exercise.released, ROOT, learner="stub", nb=nb)


@functools.cache
def _mistake_findings(exercise):
    mistakes = load_mistakes(exercise.mistakes)
    return dict(zip(mistakes, check_mistakes(exercise, mistakes)))


def test_there_are_exercises():
    assert EXERCISES, "no exercise found in solutions/"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_structure(exercise):
    bad = [f for f in check_structure(exercise) if not f.ok]
    assert not bad, "; ".join(f"{f.check}: {f.detail}" for f in bad)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_solution_cells_run_cleanly(exercise):
    result = _solution(exercise)
    assert not result.cells, [c.message for c in result.cells]
    assert not result.ungradable and not result.problems


@pytest.mark.parametrize(("exercise", "question"), QUESTIONS, ids=lambda v: getattr(v, "name", v))
def test_solution_passes(exercise, question):
    tests = [t for t in _solution(exercise).tests if t.question == question]
    assert tests, f"no tests ran for {question}"
    failing = {t.test: t.message for t in tests if t.status is not Status.PASSED}
    assert not failing, failing


@pytest.mark.parametrize(("exercise", "question"), QUESTIONS, ids=lambda v: getattr(v, "name", v))
def test_stub_not_attempted(exercise, question):
    tests = [t for t in _stub(exercise).tests if t.question == question]
    assert tests, f"no tests ran for {question}"
    wrong = {t.test: t.status.value for t in tests if t.status is not Status.NOT_ATTEMPTED}
    assert not wrong, wrong
    assert sum(t.score for t in tests) == 0


@pytest.mark.parametrize(("exercise", "mistake"), MISTAKES, ids=lambda v: getattr(v, "name", None) if hasattr(v, "root") else f"{v.name}-{v.title}")
def test_mistake_is_caught(exercise, mistake):
    finding = _mistake_findings(exercise)[mistake]
    assert finding.ok, finding.detail


def test_release_in_sync():
    stale = out_of_sync(ROOT)
    assert not stale, f"run 'mlday release': {stale}"
