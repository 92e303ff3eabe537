"""grader/_warmup: bind() loads the public tests in the background; never while grading."""

from __future__ import annotations

import sys

import pytest
from conftest import TOY

from grader import _warmup


def _loaded(path) -> bool:
    return any(getattr(m, "__file__", None) == str(path) for m in list(sys.modules.values()))


@pytest.fixture
def fresh(toy_workbook, monkeypatch):
    """The toy workbook, its public test module not yet loaded in this process."""
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    monkeypatch.delenv("MLDAY_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for name in [n for n, m in sys.modules.items() if n.endswith(f"test_{TOY}")]:
        monkeypatch.delitem(sys.modules, name)
    public = toy_workbook.root / "exercises" / "tests" / f"test_{TOY}.py"
    assert not _loaded(public)
    return public


def test_the_public_tests_are_loaded_in_the_background(fresh):
    thread = _warmup.start(TOY)
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert thread.daemon
    assert _loaded(fresh)


@pytest.mark.parametrize("variable", ["MLDAY_GRADING", "NBGRADER_EXECUTION"])
def test_nothing_starts_while_grading(fresh, monkeypatch, variable):
    monkeypatch.setenv(variable, "1")
    assert _warmup.start(TOY) is None
    assert not _loaded(fresh)


def test_check_waits_for_a_warm_up_under_way_and_still_reports(fresh):
    from grader import bind

    namespace = {"double": lambda x: 2 * x}
    check, _ = bind(TOY, namespace)  # starts a warm-up; check() runs while it may be loading
    report = check("double")
    assert report.passed, str(report)
    namespace["double"] = lambda x: 3 * x
    assert not check("double").passed


def test_a_failing_warm_up_is_silent(monkeypatch, tmp_path, capfd):
    monkeypatch.setenv("MLDAY_ROOT", str(tmp_path))  # no workbook there
    monkeypatch.delenv("MLDAY_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    thread = _warmup.start(TOY)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert capfd.readouterr().err == ""
