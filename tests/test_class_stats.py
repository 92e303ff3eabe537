"""Tests of grader._class_stats: the class statistics behind the class report."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import _results
from grader._class_stats import MAX_HEADLINE, class_stats, headline
from grader.catalogue import shows_mistake
from grader.catalogue import test_function as function_name
from grader._outcomes import Status
from grader._results import ExerciseResult
from grader._store import read_all, write_result
from grader.catalogue import load_mistakes

ROOT = Path(__file__).resolve().parents[1]
EX1, EX2 = "01_morning_review", "02_debugging"
P, F, NA, ERR, TO, UG = Status.PASSED, Status.FAILED, Status.NOT_ATTEMPTED, Status.ERROR, Status.TIMEOUT, Status.UNGRADABLE


@pytest.fixture(scope="module")
def mistake():
    """The first catalogued mistake of exercise 01 (a real one, read from the catalogue)."""
    return load_mistakes(ROOT / "solutions" / "mistakes" / f"{EX1}.py")[0]


def t(question, name, status, message="", *, hidden=False, points=1.0, exercise=EX1):
    """One test result, its id a pytest node id as the plugin records it."""
    folder = "solutions/tests" if hidden else "exercises/tests"
    suffix = "_hidden" if hidden else ""
    return _results.TestResult(
        test=f"{folder}/test_{exercise}{suffix}.py::{name}", question=question, title=name, hidden=hidden,
        status=status, score=points if status is P else 0.0, max_score=points, message=message,
    )


def r(learner, *tests, exercise=EX1, ungradable=""):
    return ExerciseResult(learner, exercise, f"{learner}/{exercise}.ipynb", tests=tuple(tests), ungradable=ungradable)


@pytest.fixture(scope="module")
def results(mistake):
    """A small class. Exercise 01 has questions q1 (two tests) and q2 (one test, 2 points):

    - ada passes everything;
    - ben makes the catalogued mistake on q1 and has not attempted q2;
    - cleo's q1 raises, and she passes q2;
    - dan's q1 is ungradable (the grader's fault), and he fails q2 the same way as ben's second q1 test;
    - eve has not attempted anything; she has no result for exercise 02.
    """
    shown = f"{mistake.name}(example): values differ in {mistake.message}\nHint: look again"
    q1, q2 = "q1", "q2"
    return [
        r("ada", t(q1, "test_a", P), t(q1, "test_b", P), t(q2, "test_c", P, points=2.0)),
        r("ben", t(q1, mistake.test, F, shown), t(q1, "test_b", F, "wrong shape\nexpected (3,)"), t(q2, "test_c", NA, "q2 is still the stub", points=2.0)),
        r("cleo", t(q1, "test_a", ERR, "q1 raised KeyError: 'x'\n  cell 3, line 2"), t(q1, "test_b", ERR, "q1 raised KeyError: 'x'"), t(q2, "test_c", P, points=2.0)),
        r("dan", t(q1, "test_a", UG, "worker lost"), t(q1, "test_b", P), t(q2, "test_c", F, "wrong shape", hidden=True, points=2.0)),
        r("eve", t(q1, "test_a", NA, "stub"), t(q1, "test_b", NA, "stub"), t(q2, "test_c", NA, "stub", points=2.0)),
        r("ada", t("z", "test_z", P, points=3.0, exercise=EX2), exercise=EX2),
        r("ben", t("z", "test_z", TO, "z ran past its limit of 10 s", points=3.0, exercise=EX2), exercise=EX2),
        r("cleo", exercise=EX2, ungradable="the worker could not start"),
        r("dan", t("z", "test_z", P, points=3.0, exercise=EX2), exercise=EX2),
    ]


@pytest.fixture(scope="module")
def stats(results, mistake):
    return class_stats(results, {EX1: [mistake]})


def by_question(stats):
    return {(q.exercise, q.question): q for ex in stats.exercises for q in ex.questions}


# -- helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("test_id, expected", [
    ("exercises/tests/test_01.py::test_x", "test_x"),
    ("solutions/tests/test_01_hidden.py::test_x[case-1]", "test_x"),
    ("test_x", "test_x"),
])
def test_function_name_takes_the_function_from_a_node_id(test_id, expected):
    assert function_name(test_id) == expected


def test_headline_keeps_the_first_non_empty_line():
    assert headline("expected 3 rows, got 2\nHint: filter first") == "expected 3 rows, got 2"
    assert headline("\n\n  q raised ValueError  \n  cell 2") == "q raised ValueError"
    assert headline("['precision'] differs") == "['precision'] differs"


def test_headline_of_an_empty_message_and_of_a_long_one():
    assert headline("  \n") == "(no message)"
    long = headline("x" * (MAX_HEADLINE + 50))
    assert len(long) == MAX_HEADLINE and long.endswith("…")


def test_shows_mistake_needs_the_test_the_status_and_the_fragment(mistake):
    good = t(mistake.name, mistake.test, Status(mistake.status), f"before {mistake.message} after")
    assert shows_mistake(good, mistake)
    assert not shows_mistake(t(mistake.name, mistake.test + "_other", Status(mistake.status), good.message), mistake)
    assert not shows_mistake(t(mistake.name, mistake.test, P, good.message), mistake)
    assert not shows_mistake(t(mistake.name, mistake.test, Status(mistake.status), "some other message"), mistake)


# -- the statistics ---------------------------------------------------------------------


def test_learners_and_exercises(stats):
    assert stats.learners == ("ada", "ben", "cleo", "dan", "eve")
    assert [ex.exercise for ex in stats.exercises] == [EX1, EX2]


def test_pass_rate_counts_learners_who_passed_every_test_and_leaves_out_ungradable(stats):
    q = by_question(stats)
    # q1: dan's is ungradable, so 4 graded; only ada passed both tests.
    assert (q[EX1, "q1"].graded, q[EX1, "q1"].passed, q[EX1, "q1"].pass_rate) == (4, 1, 0.25)
    # q2: all 5 graded; ada and cleo passed.
    assert (q[EX1, "q2"].graded, q[EX1, "q2"].passed, q[EX1, "q2"].pass_rate) == (5, 2, 0.4)
    # exercise 02: cleo's whole result is ungradable; ada and dan of the 3 others passed.
    assert (q[EX2, "z"].graded, q[EX2, "z"].passed) == (3, 2)


def test_questions_keep_the_test_order(stats):
    assert [q.question for q in stats.exercises[0].questions] == ["q1", "q2"]


def test_status_counts_count_tests(stats):
    q = by_question(stats)
    assert q[EX1, "q1"].statuses == {P: 3, F: 2, NA: 2, ERR: 2, UG: 1}
    assert q[EX1, "q2"].statuses == {P: 2, F: 1, NA: 2}


def test_exercise_score_distribution_leaves_out_ungradable_results(stats):
    ex1, ex2 = stats.exercises
    # ada 4 (all), ben 0, cleo 2 (q2), eve 0; dan's result has an ungradable test.
    assert (ex1.scores.scores, ex1.scores.max_score, ex1.scores.ungradable) == ((0.0, 0.0, 2.0, 4.0), 4.0, 1)
    assert (ex1.scores.mean, ex1.scores.median) == (1.5, 1.0)
    assert (ex2.scores.scores, ex2.scores.max_score, ex2.scores.ungradable) == ((0.0, 3.0, 3.0), 3.0, 1)


def test_total_counts_a_missing_exercise_as_zero_and_leaves_out_ungradable_learners(stats):
    # cleo (ungradable in 02) and dan (ungradable in 01) are left out; eve has no 02 result.
    assert (stats.total.scores, stats.total.max_score, stats.total.ungradable) == ((0.0, 0.0, 7.0), 7.0, 2)


def test_failure_messages_count_learners_and_skip_statuses_that_are_not_failures(stats, mistake):
    messages = by_question(stats)[EX1, "q1"].messages
    # cleo's two tests share one headline: one learner. ben's hint line is not part of
    # the headline. "not attempted" and "ungradable" are not failures.
    expected = {
        (F, f"{mistake.name}(example): values differ in {mistake.message}"): 1,
        (F, "wrong shape"): 1,
        (ERR, "q1 raised KeyError: 'x'"): 1,
    }
    assert {(m.status, m.message): m.learners for m in messages} == expected
    # Ties are in the order of the message text.
    assert [m.message for m in messages] == sorted(text for _, text in expected)
    q2 = by_question(stats)[EX1, "q2"].messages
    assert [(m.learners, m.status, m.message) for m in q2] == [(1, F, "wrong shape")]


def test_the_same_message_from_two_learners_counts_two():
    shared = [r(name, t("q", "test_q", F, "expected 1, got 2")) for name in ("a", "b")]
    other = r("c", t("q", "test_q", F, "expected 1, got 3"))
    messages = class_stats([other, *shared]).exercises[0].questions[0].messages
    assert [(m.learners, m.message) for m in messages] == [(2, "expected 1, got 2"), (1, "expected 1, got 3")]


def test_top_keeps_the_most_frequent_messages():
    results = [r(f"l{i}", t("q", "test_q", F, f"message {min(i, 3)}")) for i in range(6)]
    messages = class_stats(results, top=2).exercises[0].questions[0].messages
    assert [(m.learners, m.message) for m in messages] == [(3, "message 3"), (1, "message 0")]


@pytest.mark.parametrize("top", [0, -1, 1.5, True])
def test_top_must_be_a_positive_integer(top):
    with pytest.raises(ValueError, match=r"The 'top' parameter of class_stats must be a positive integer\. Got"):
        class_stats([], top=top)


def test_catalogued_mistake_is_counted_per_learner(stats, mistake):
    (count,) = stats.exercises[0].mistakes
    assert (count.exercise, count.question, count.title, count.test, count.learners) == (EX1, mistake.name, mistake.title, mistake.test, 1)
    assert stats.exercises[1].mistakes == ()


def test_no_results_give_empty_statistics():
    stats = class_stats([])
    assert (stats.learners, stats.exercises, stats.total.scores, stats.total.mean) == ((), (), (), None)


def test_statistics_survive_the_round_trip_through_results_json(tmp_path, results, mistake, stats):
    # results.json puts "[status]" before each message and keeps the node id: the
    # statistics read back must be those of the results written.
    for result in results:
        write_result(tmp_path, result)
    again = class_stats(read_all(tmp_path), {EX1: [mistake]})
    assert again == stats
