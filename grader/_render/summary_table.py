"""The terminal summary of a grading run: one row per learner and exercise."""

from __future__ import annotations

from collections import Counter

from rich.table import Table
from rich.text import Text

from .._outcomes import Status


def render(results) -> Table:
    """A rich table: learner, exercise, score, and the count of each non-passing status."""
    table = Table(title="mlday grades", show_lines=False)
    for name, justify in (("learner", "left"), ("exercise", "left"), ("score", "right"), ("tests", "left"), ("notes", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for r in results:
        counts = Counter(t.status for t in r.tests)
        tests = ", ".join(f"{n} {s.value}" for s, n in sorted(counts.items(), key=lambda kv: list(Status).index(kv[0])))
        notes = []
        if r.ungradable:
            notes.append("UNGRADABLE: " + r.ungradable[:120])
        notes += r.problems
        if r.cells:
            notes.append(f"{len(r.cells)} cell(s) failed")
        score = "ungradable" if r.ungradable else f"{r.score:g}/{r.max_score:g}"
        # Learner names and notebook problems are the learner's text: never rich markup.
        table.add_row(*(Text(cell) for cell in (r.learner, r.exercise, score, tests or "-", "; ".join(notes))))
    return table
