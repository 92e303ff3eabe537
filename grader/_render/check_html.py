"""``check()``'s outcome as a compact HTML block for Jupyter."""

from __future__ import annotations

import html

from .._outcomes import Status

_COLOUR = {Status.PASSED: "#1a7f37", Status.NOT_ATTEMPTED: "#6e7781"}


def render(report) -> str:
    """The report as one self-contained HTML block."""
    from .check_text import render as text

    colour = _COLOUR.get(report.status, "#cf222e")
    body = html.escape(text(report))
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:2px 0">'
        f'<pre style="margin:0;white-space:pre-wrap;font-size:90%">{body}</pre></div>'
    )
