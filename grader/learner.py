"""The learner's tools in a notebook: ``check("name")`` and ``hint("name")``.

In the notebook's setup cell::

    from grader import bind
    check, hint = bind("01_morning_review", globals())

``check`` runs the question's public tests against the notebook's own names, here in
the kernel, and shows the outcome; it never raises for a wrong answer, so "Run All"
goes on to the next question. ``check(name, hidden=True)`` is for instructors who have
the hidden tests (nbgrader's autograde, see ``docs/nbgrader.md``): it runs the public and
hidden tests, and its value is the points the question earned, as ``mlday grade`` gives
them; it raises when the question earned nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from ._hints import load_hints
from ._outcomes import Status

__all__ = ["bind", "CheckReport"]


@dataclass(frozen=True)
class CheckReport:
    """The outcome of ``check(name)``: data only; it renders itself through the renderers."""

    question: str
    tests: tuple = ()
    hidden_tests: int = 0
    hint: str = ""
    note: str = ""
    ran_hidden: bool = False
    problems: tuple = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t.status is Status.PASSED for t in self.tests)

    @property
    def status(self) -> Status:
        if not self.tests:
            return Status.UNGRADABLE
        statuses = [t.status for t in self.tests]
        if all(s is Status.PASSED for s in statuses):
            return Status.PASSED
        if all(s is Status.NOT_ATTEMPTED for s in statuses):
            return Status.NOT_ATTEMPTED
        return next(s for s in statuses if s is not Status.PASSED)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        from ._render.check_text import render

        return render(self)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from ._render.check_html import render

        return render(self)


def hidden_count(exercise, question: str) -> int:
    """How many hidden tests question has, from the release manifest (0 if unknown)."""
    manifest = exercise.root / "exercises" / "manifest.json"
    try:
        data = json.loads(manifest.read_text())
        return int(data[exercise.name]["questions"][question]["hidden_tests"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def bind(exercise_name: str, namespace: dict):
    """Return ``(check, hint)`` for ``exercise_name``, bound to the notebook's ``namespace``."""
    from ._exercises import get_exercise
    from ._paths import project_root
    from ._runall import install
    from ._warmup import LOCK, start

    # In a Jupyter kernel, "Run All" goes past the cells that use an answer not written yet.
    install(namespace, exercise_name)
    # The first check() would otherwise pay for loading the tests (see grader._warmup).
    start(exercise_name)
    state = {"levels": {}}

    def _exercise():
        return get_exercise(project_root(), exercise_name)

    def check(name: str, hidden: bool = False, points: float | None = None):
        """Run the tests of question ``name`` on this notebook's ``name``, and show the outcome.

        With ``hidden=True``, return the question's :class:`~grader._nbgrader.Score`
        scaled to ``points`` (default: its test cell's points in the source notebook).
        """
        if os.environ.get("MLDAY_GRADING") == "1":
            return CheckReport(name, note="check() does nothing while the notebook is being graded")
        from ._grading import run_tests
        from ._proxy import LocalNamespace

        exercise = _exercise()
        with LOCK:  # one pytest session at a time: wait for a warm-up still loading
            collector = run_tests(exercise, LocalNamespace(namespace), hidden=hidden, questions=[name])
        hints = load_hints(exercise.public_tests).get(name, [])
        report = CheckReport(
            question=name,
            tests=tuple(collector.tests),
            hidden_tests=0 if hidden else hidden_count(exercise, name),
            hint=hints[0] if hints else "",
            ran_hidden=hidden,
            problems=tuple(collector.errors),
        )
        if not report.tests and not report.problems:
            report = CheckReport(name, note=f"{exercise.name} has no question called {name!r}")
        if hidden:
            from ._nbgrader import cell_points, hidden_score

            return hidden_score(report, cell_points(exercise, name) if points is None else points)
        return report

    def hint(name: str) -> str:
        """The next hint for question ``name``: one more each call."""
        hints = load_hints(_exercise().public_tests).get(name)
        if not hints:
            return _Text(f"There are no hints for {name!r}.")
        level = min(state["levels"].get(name, 0), len(hints) - 1)
        state["levels"][name] = level + 1
        more = " (that was the last one)" if level == len(hints) - 1 else ""
        return _Text(f"Hint {level + 1}/{len(hints)} for {name}: {hints[level]}{more}")

    return check, hint


class _Text(str):
    """A string that a notebook shows as plain text, not as a quoted repr."""

    def __repr__(self) -> str:
        return str(self)
