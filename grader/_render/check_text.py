"""``check()``'s outcome as plain text, for a terminal or a plain kernel."""

from __future__ import annotations

from .._outcomes import Status

_MARK = {Status.PASSED: "✓", Status.NOT_ATTEMPTED: "·"}


def render(report) -> str:
    """The report as a few lines of text."""
    if report.note:
        return f"{report.question}: {report.note}"
    lines = [f"{report.question}: {report.status.value}"]
    for test in report.tests:
        if test.status is Status.PASSED:
            continue
        mark = _MARK.get(test.status, "✗")
        lines.append(f"  {mark} {test.title}: {test.status.value}")
        for line in (test.message or "").splitlines()[:12]:
            lines.append(f"      {line}")
    lines.extend(f"  ! {p}" for p in report.problems)
    if report.status is Status.NOT_ATTEMPTED and report.hint:
        lines.append(f"  Hint: {report.hint}")
    if report.passed:
        if report.ran_hidden:
            lines.append("  all tests passed")
        elif report.hidden_tests:
            lines.append(f"  public tests passed; {report.hidden_tests} hidden tests run at grading")
        else:
            lines.append("  public tests passed")
    return "\n".join(lines)
