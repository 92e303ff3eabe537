"""What tests each exercise has: collected by pytest, without running them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ._exercises import Exercise
from ._outcomes import Ungradable


@dataclass(frozen=True)
class TestInfo:
    """One collected test: its id, question, points, and whether it is hidden."""

    test: str
    question: str | None
    points: float
    hidden: bool


class CollectionErrors:
    """A pytest plugin that records the test files that could not be collected."""

    def __init__(self):
        self.errors: list[str] = []

    def pytest_collectreport(self, report):
        """Record a test file that could not be collected."""
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")


class _ItemCollector(CollectionErrors):
    def __init__(self):
        super().__init__()
        self.items: list[TestInfo] = []

    def pytest_collection_modifyitems(self, items):
        """Record every collected test's question and points."""
        from ._plugin import is_hidden, question_of

        for item in items:
            question, points = question_of(item)
            self.items.append(TestInfo(item.nodeid, question, points, is_hidden(item.path)))

def pytest_args(exercise: Exercise, files) -> list[str]:
    """The arguments of an in-process pytest run over ``files`` of ``exercise``."""
    from pathlib import Path

    return [str(f) for f in files] + [
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        "-p", "no:randomly",
        "-p", "no:hypothesispytest",
        "-p", "no:unraisableexception",  # its gc.collect() per test costs check() ~0.5 s in a kernel
        "--import-mode=importlib",
        "--rootdir", str(exercise.root),
        "-c", str(Path(__file__).with_name("pytest.ini")),
    ]


def collect_tests(exercise: Exercise, hidden: bool = True) -> list[TestInfo]:
    """The exercise's tests, public then hidden; Ungradable if a test file does not load."""
    collector = _ItemCollector()
    files = exercise.test_files(hidden=hidden)
    if not files:
        return []
    pytest.main([*pytest_args(exercise, files), "--collect-only"], plugins=[collector])
    if collector.errors:
        raise Ungradable("; ".join(collector.errors))
    return collector.items


def question_table(exercise: Exercise, tests: list[TestInfo]) -> dict[str, dict]:
    """Points and test counts per question, in the order the tests declare them."""
    table: dict[str, dict] = {}
    for t in tests:
        row = table.setdefault(t.question, {"points": 0.0, "public_tests": 0, "hidden_tests": 0})
        row["points"] += t.points
        row["hidden_tests" if t.hidden else "public_tests"] += 1
    return table
