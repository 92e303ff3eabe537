"""The class report's plots, each drawn with matplotlib (Agg) and returned as a PNG data URI."""

from __future__ import annotations

import base64
import io
import math

# Figures are made with matplotlib.figure.Figure, never pyplot: no global state, no GUI
# backend, and nothing left open between reports.
_RC = {"text.parse_math": False, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
_BAR = "#3b6ea8"
_WIDTH = 10.0  # inches, at 100 dpi: the page's column width
_COLUMNS = 3


def _data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _draw(width: float, height: float, paint) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    # parse_math off: question names and mistake titles may hold "$", which is not TeX here.
    with rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        paint(figure)
        return _data_uri(figure)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score_histograms(stats) -> str:
    """One histogram per exercise, after one of the learners' totals."""
    panels = [("total", stats.total)] + [(ex.exercise, ex.scores) for ex in stats.exercises]
    rows = math.ceil(len(panels) / _COLUMNS)

    def paint(figure):
        axes = figure.subplots(rows, _COLUMNS, squeeze=False).ravel()
        for ax, (name, dist) in zip(axes, panels):
            top = dist.max_score if dist.max_score > 0 else 1.0
            ax.hist(dist.scores, bins=10, range=(0.0, top), color=_BAR, edgecolor="white")
            ax.set_title(f"{name} (out of {dist.max_score:g})")
            ax.set_xlim(0.0, top)
            ax.set_xlabel("score")
            ax.set_ylabel("learners")
            ax.yaxis.get_major_locator().set_params(integer=True)
        for ax in axes[len(panels):]:
            ax.set_visible(False)

    return _draw(_WIDTH, 2.6 * rows, paint)


def pass_rates(stats) -> str | None:
    """A horizontal bar per question: the share of learners who passed all its tests."""
    questions = [q for ex in stats.exercises for q in ex.questions if q.graded]
    if not questions:
        return None

    def paint(figure):
        ax = figure.subplots()
        labels = [f"{q.exercise} · {q.question}" for q in questions]
        rates = [100.0 * q.pass_rate for q in questions]
        ax.barh(range(len(questions)), rates, color=_BAR)
        ax.set_yticks(range(len(questions)), [_short(label) for label in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("learners who passed every test of the question (%)")
        for y, q in enumerate(questions):
            ax.text(1, y, f"{q.passed}/{q.graded}", va="center", ha="left", color="black" if q.pass_rate < 0.1 else "white")

    return _draw(_WIDTH, 0.8 + 0.28 * len(questions), paint)


def mistake_counts(stats) -> str | None:
    """A horizontal bar per catalogued mistake seen at least once, most frequent first."""
    seen = sorted((m for ex in stats.exercises for m in ex.mistakes if m.learners),
                  key=lambda m: (-m.learners, m.exercise, m.question, m.title))
    if not seen:
        return None

    def paint(figure):
        ax = figure.subplots()
        ax.barh(range(len(seen)), [m.learners for m in seen], color=_BAR)
        ax.set_yticks(range(len(seen)), [_short(f"{m.exercise} · {m.question}: {m.title}", 80) for m in seen])
        ax.invert_yaxis()
        ax.set_xlabel("learners whose results show the mistake")
        ax.xaxis.get_major_locator().set_params(integer=True)

    return _draw(_WIDTH, 0.8 + 0.28 * len(seen), paint)
