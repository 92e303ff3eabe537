"""``mlday progress``'s table: one row per exercise, with a bar of its questions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

BAR_WIDTH = 24

# (field, character, style): the character tells the parts apart without colour too.
_PARTS = (("passing", "█", "green"), ("failing", "▓", "red"), ("not_attempted", "░", "grey50"))


def _widths(row, width: int) -> list[int]:
    """Each part's share of ``width`` characters, by largest remainder (they sum to width)."""
    counts = [getattr(row, name) for name, _, _ in _PARTS]
    exact = [width * c / row.total for c in counts]
    widths = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - widths[i], reverse=True)
    for i in by_remainder[: width - sum(widths)]:
        widths[i] += 1
    return widths


def bar(row, width: int = BAR_WIDTH) -> Text:
    """The row's questions as a bar: passing, to fix, not attempted."""
    if not row.total:
        return Text("")
    text = Text()
    for (_, char, style), n in zip(_PARTS, _widths(row, width)):
        text.append(char * n, style=style)
    return text


def render(rows) -> Table:
    """A rich table of ExerciseProgress rows, and a total line under it."""
    table = Table(title="Your progress: questions whose public tests pass", title_justify="left")
    table.add_column("exercise", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    table.add_column("passing", justify="right", no_wrap=True)
    table.add_column("to fix", justify="right", no_wrap=True)
    table.add_column("not attempted", justify="right", no_wrap=True)
    for row in rows:
        if row.problem and not row.total:
            # The problem itself is printed under the table: it may be long.
            table.add_row(Text(row.exercise), Text("cannot be checked", style="red"), "", "", "")
            continue
        table.add_row(
            Text(row.exercise), bar(row), f"{row.passing}/{row.total}", str(row.failing), str(row.not_attempted)
        )
    passing, total = sum(r.passing for r in rows), sum(r.total for r in rows)
    table.caption = f"{passing} of {total} questions pass their public tests; hidden tests run at grading"
    table.caption_justify = "left"
    return table
