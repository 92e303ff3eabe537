"""One learner's feedback as a self-contained HTML page."""

from __future__ import annotations

import html

from .feedback_md import render as render_markdown

_STYLE = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px}"


def render(learner: str, results, hints=None) -> str:
    """The Markdown feedback, escaped into a minimal page (no scripts, no external assets)."""
    body = html.escape(render_markdown(learner, results, hints))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback for {html.escape(learner)}</title>"
        f"<style>{_STYLE}</style></head><body><pre>{body}</pre></body></html>\n"
    )
