"""Fixtures of the hostile suite: the two-question toy workbook, and the levels to attack."""

from __future__ import annotations

import sys

import pytest

from ._build import LEVELS, STRONGEST, Workbook, honest_result, make_workbook


@pytest.fixture(scope="session")
def wb(toy_workbook, tmp_path_factory) -> Workbook:
    """The toy workbook of tests/conftest.py, copied, with a second question and planted markers."""
    return make_workbook(toy_workbook.root, tmp_path_factory.mktemp("hostile") / "workbook")


@pytest.fixture(params=LEVELS)
def level(request) -> str:
    """Each isolation level the suite attacks: the strongest available here, and basic."""
    return request.param


def _forget_toy_test_modules() -> None:
    # Grading imports an exercise's test files under names relative to the workbook
    # ("exercises.tests.test_99_toy"), and pytest reuses a module of that name: drop those
    # of this workbook, so that the toy workbook's own tests get theirs.
    for name in [m for m in sys.modules if m.startswith(("exercises.tests.test_99_toy", "solutions.tests.test_99_toy"))]:
        del sys.modules[name]


@pytest.fixture(autouse=True)
def _honest_first(request, monkeypatch, wb, tmp_path_factory):
    """Point the grader at the workbook, and grade the honest submission at the test's
    level before any hostile one (survival compares with it)."""
    _forget_toy_test_modules()
    monkeypatch.setenv("MLDAY_ROOT", str(wb.root))
    if "level" in request.fixturenames:
        honest_result(wb, request.getfixturevalue("level"), tmp_path_factory.mktemp("honest"))
    elif "real_root" in request.fixturenames:
        honest_result(wb, STRONGEST, tmp_path_factory.mktemp("honest"))
    yield
    _forget_toy_test_modules()


@pytest.fixture
def real_root(monkeypatch):
    """Grade against the real workbook (exercise 01) instead of the toy."""
    from ._build import HAS_REAL, REPO

    if not HAS_REAL:
        pytest.skip("exercise 01_morning_review is not in this workbook")
    monkeypatch.setenv("MLDAY_ROOT", str(REPO))
    return REPO
