"""``mlday check``'s table: question, status, message, for the public tests."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text


def render(result) -> Table:
    """A rich table with one row per test."""
    table = Table(title=f"{result.exercise}: public tests")
    table.add_column("question")
    table.add_column("test", overflow="fold")
    table.add_column("status")
    table.add_column("message", overflow="fold")
    for t in result.tests:
        table.add_row(*(Text(cell) for cell in (t.question, t.title, t.status.value, t.message)))
    return table
