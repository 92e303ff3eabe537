"""Tests of the pytest plugin grader._plugin (entry point ``mlday`` under ``pytest11``), with pytester."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import nbformat

from grader import _authoring as A

pytest_plugins = ["pytester"]

#: hypothesis's pytest plugin costs about a second per pytest run; these runs do not need it.
FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")

RECORDER = """
import json

RECORDS = []


def pytest_runtest_logreport(report):
    props = dict(report.user_properties)
    if "mlday_status" in props:
        RECORDS.append({"test": report.nodeid.split("::")[-1], "when": report.when, "outcome": report.outcome, **props})


def pytest_sessionfinish(session):
    with open("mlday_props.json", "w") as handle:
        json.dump(RECORDS, handle)
"""

QUESTIONS = """
import pytest


@pytest.mark.question("double", points=2)
def test_double(learner):
    \"\"\"Doubles two.

    More words that are not the title.
    \"\"\"
    assert learner.double(2) == 4


@pytest.mark.question("triple")
def test_triple(learner):
    \"\"\"Triples two.\"\"\"
    assert learner.triple(2) == 6
"""

HIDDEN = """
import pytest


@pytest.mark.question("double", points=0.5)
def test_double_three(learner):
    assert learner.double(3) == 7, "double(3): expected 7, got 6"


@pytest.mark.question("spin")
def test_spin(learner):
    \"\"\"Returns at all.\"\"\"
    learner.spin()


@pytest.mark.question("double")
def test_grader_bug(learner):
    \"\"\"A test that breaks.\"\"\"
    return {}["missing"]
"""

NO_LEARNER = """
import pytest


@pytest.mark.question("a")
def test_a():
    pass


@pytest.mark.question("b", 2)
def test_b():
    pass


@pytest.mark.question("a")
def test_a_again():
    pass


def test_unmarked():
    pass
"""


def props_by_test(pytester) -> dict[str, dict]:
    records = json.loads((pytester.path / "mlday_props.json").read_text())
    return {r["test"]: r for r in records}


def test_entry_point_is_registered():
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("mlday") == "grader._plugin"


def test_question_marker_is_registered(pytester):
    result = pytester.runpytest("--markers", *FAST)
    result.stdout.fnmatch_lines(["@pytest.mark.question(name, points=1): the graded question*"])
    assert result.ret == 0


def test_options_and_ini_values_are_listed_in_help(pytester):
    result = pytester.runpytest("--help", *FAST)
    result.stdout.fnmatch_lines(
        [
            "mlday grading:",
            "*--mlday-notebook=MLDAY_NOTEBOOK*",
            "*--mlday-question=MLDAY_QUESTION*",
        ]
    )
    result.stdout.fnmatch_lines(["*mlday_call_timeout (string):*", "*mlday_cell_timeout (string):*"])


def test_question_marker_passes_strict_markers(pytester):
    pytester.makepyfile(test_q=NO_LEARNER)
    result = pytester.runpytest("--strict-markers", *FAST)
    result.assert_outcomes(passed=4)


def test_mlday_question_deselects_other_questions(pytester):
    pytester.makepyfile(test_q=NO_LEARNER)
    reprec = pytester.inline_run("--mlday-question=a", *FAST)
    reprec.assertoutcome(passed=2)
    passed = [r.nodeid.split("::")[-1] for r in reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    assert passed == ["test_a", "test_a_again"]
    deselected = reprec.getcall("pytest_deselected").items
    assert sorted(item.name for item in deselected) == ["test_b", "test_unmarked"]


def test_mlday_question_is_repeatable(pytester):
    pytester.makepyfile(test_q=NO_LEARNER)
    reprec = pytester.inline_run("--mlday-question=a", "--mlday-question=b", *FAST)
    reprec.assertoutcome(passed=3)


def test_without_mlday_question_every_test_runs(pytester):
    pytester.makepyfile(test_q=NO_LEARNER)
    pytester.inline_run(*FAST).assertoutcome(passed=4)


def test_reports_carry_question_points_and_title(pytester):
    pytester.makepyfile(test_q=NO_LEARNER)
    reprec = pytester.inline_run(*FAST)
    props = {r.nodeid.split("::")[-1]: dict(r.user_properties) for r in reprec.getreports("pytest_runtest_logreport") if r.when == "call"}
    assert props["test_b"]["question"] == "b" and props["test_b"]["points"] == 2.0
    assert props["test_a"]["mlday_status"] == "passed" and props["test_a"]["points"] == 1.0
    assert props["test_a"]["title"] == "test_a" and props["test_a"]["hidden"] is False
    assert props["test_unmarked"]["question"] is None


def test_learner_fixture_skips_without_a_notebook(pytester):
    pytester.makepyfile(
        test_l="""
        import pytest

        @pytest.mark.question("double")
        def test_double(learner):
            assert learner.double(2) == 4
        """
    )
    reprec = pytester.inline_run("-rs", *FAST)
    reprec.assertoutcome(skipped=1)
    (report,) = [r for r in reprec.getreports("pytest_runtest_logreport") if r.when == "setup"]
    assert "no learner notebook to grade: pass --mlday-notebook NOTEBOOK" in str(report.longrepr)
    props = dict(report.user_properties)
    assert props["mlday_status"] == "ungradable"
    assert props["mlday_message"] == "skipped: no learner notebook to grade: pass --mlday-notebook NOTEBOOK"


def test_grades_a_notebook_in_a_worker(pytester):
    nb = A.notebook(
        [
            A.markdown("# Toy", grade_id="intro"),
            A.code("import math"),
            A.solution("double", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
            A.code("def spin():\n    while True:\n        pass"),
        ],
        "99_toy",
        "Toy",
    )
    nbformat.write(nb, pytester.path / "learner.ipynb")
    pytester.makeconftest(RECORDER)
    pytester.makeini("[pytest]\nmlday_call_timeout = 2\nmlday_cell_timeout = 10\n")
    pytester.makepyfile(test_questions=QUESTIONS, test_more_hidden=HIDDEN)

    result = pytester.runpytest_subprocess("--mlday-notebook", "learner.ipynb", *FAST)

    result.assert_outcomes(passed=1, failed=4)
    props = props_by_test(pytester)
    assert {t: (p["mlday_status"], p["when"]) for t, p in props.items()} == {
        "test_double": ("passed", "call"),
        "test_triple": ("not attempted", "call"),
        "test_double_three": ("failed", "call"),
        "test_spin": ("timeout", "call"),
        "test_grader_bug": ("ungradable", "call"),
    }
    assert props["test_triple"]["mlday_message"].startswith("triple is not defined")
    assert props["test_double_three"]["mlday_message"] == "double(3): expected 7, got 6"
    assert props["test_spin"]["mlday_message"] == "the call of spin ran past its limit of 2 s"
    assert props["test_grader_bug"]["mlday_message"] == "the grader failed: KeyError: 'missing'"
    assert props["test_double"]["title"] == "Doubles two."
    assert props["test_double_three"]["title"] == "test_double_three"
    assert (props["test_double"]["question"], props["test_double"]["points"]) == ("double", 2.0)
    assert props["test_double_three"]["points"] == 0.5
    assert [props[t]["hidden"] for t in ("test_double", "test_triple", "test_double_three", "test_spin")] == [False, False, True, True]


def test_unreadable_notebook_is_ungradable_not_a_crash(pytester):
    (pytester.path / "broken.ipynb").write_text("{not json")
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(test_questions=QUESTIONS)
    result = pytester.runpytest_subprocess("--mlday-notebook", "broken.ipynb", *FAST)
    result.assert_outcomes(errors=2)
    props = props_by_test(pytester)
    assert {p["mlday_status"] for p in props.values()} == {"ungradable"}
    assert all("not valid JSON" in p["mlday_message"] for p in props.values())
    assert "Traceback" not in result.stdout.str()
