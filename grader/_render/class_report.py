"""The class report: one self-contained HTML page of class statistics, with plots embedded.

The page holds no script and loads nothing: styles are inline and each plot is a PNG data
URI. Every piece of text goes through :func:`html.escape`, since failure messages come
from the learners' code. It shows only what the results files hold.
"""

from __future__ import annotations

import html

from .._outcomes import Status
from . import _plots

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1f2328}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}code{white-space:pre-wrap;word-break:break-word}"
    "img{max-width:100%;height:auto}h3{margin-bottom:.25rem}.muted{color:#59636e}"
)


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _num(value) -> str:
    return "-" if value is None else f"{value:g}"


def _pct(rate) -> str:
    return "-" if rate is None else f"{100 * rate:.0f}%"


def _table(header, rows, numeric=()) -> str:
    """An HTML table. Cells in ``numeric`` columns are escaped here; the others must
    already be HTML (the callers escape text with :func:`_e`)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td class='n'>{_e(c)}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(uri: str | None, alt: str) -> str:
    return f"<p><img alt='{_e(alt)}' src='{uri}'></p>" if uri else ""


def _scores(stats) -> str:
    rows = []
    for name, dist in [("total", stats.total)] + [(ex.exercise, ex.scores) for ex in stats.exercises]:
        low = dist.scores[0] if dist.scores else None
        high = dist.scores[-1] if dist.scores else None
        rows.append([_e(name), len(dist.scores), _num(dist.max_score), _num(dist.mean), _num(dist.median), _num(low), _num(high), dist.ungradable])
    return (
        "<h2>Score distribution</h2>"
        + _image(_plots.score_histograms(stats), "histograms of the learners' scores, total and per exercise")
        + _table(["", "learners", "out of", "mean", "median", "min", "max", "ungradable"], rows, numeric=range(1, 8))
        + "<p class='muted'>A learner with an ungradable result (the grader's fault) is left out of that "
          "exercise's distribution and of the totals. An exercise a learner did not hand in counts as zero in the total.</p>"
    )


def _pass_rates(stats) -> str:
    shown = [s for s in Status if any(s in q.statuses for ex in stats.exercises for q in ex.questions)]
    rows = [
        [_e(q.exercise), _e(q.question), q.graded, q.passed, _pct(q.pass_rate), *(q.statuses.get(s, 0) for s in shown)]
        for ex in stats.exercises
        for q in ex.questions
    ]
    return (
        "<h2>Pass rate per question</h2>"
        + _image(_plots.pass_rates(stats), "pass rate per question")
        + "<p class='muted'>Passed: the learners who passed every test of the question. The status columns count tests.</p>"
        + _table(["exercise", "question", "learners", "passed", "pass rate", *(f"tests {s.value}" for s in shown)], rows,
                 numeric=range(2, 5 + len(shown)))
    )


def _messages(stats) -> str:
    parts = [
        "<h2>Most frequent failure messages</h2>",
        (
            "<p class='muted'>Per question, the first line of each failure message (failed, error, timeout, "
            "out of memory) and how many learners saw it.</p>"
        ),
    ]
    any_failure = False
    for ex in stats.exercises:
        for q in ex.questions:
            if not q.messages:
                continue
            any_failure = True
            rows = [[m.learners, _e(m.status.value), f"<code>{_e(m.message)}</code>"] for m in q.messages]
            parts.append(f"<h3>{_e(q.exercise)} · {_e(q.question)}</h3>" + _table(["learners", "status", "message"], rows, numeric=(0,)))
    if not any_failure:
        parts.append("<p>No test failed.</p>")
    return "".join(parts)


def _mistakes(stats) -> str:
    catalogued = [m for ex in stats.exercises for m in ex.mistakes]
    parts = ["<h2>Catalogued mistakes seen</h2>"]
    if not catalogued:
        parts.append("<p>No catalogue of mistakes for these exercises.</p>")
        return "".join(parts)
    parts.append("<p class='muted'>A learner shows a mistake when the test the catalogue names ends with the "
                 "catalogued status and its message holds the catalogued fragment.</p>")
    parts.append(_image(_plots.mistake_counts(stats), "how many learners showed each catalogued mistake"))
    rows = [[_e(m.exercise), _e(m.question), _e(m.title), f"<code>{_e(m.test)}</code>", m.learners]
            for m in sorted(catalogued, key=lambda m: (-m.learners, m.exercise, m.question, m.title))]
    parts.append(_table(["exercise", "question", "mistake", "test", "learners"], rows, numeric=(4,)))
    return "".join(parts)


def render(stats, source: str = "") -> str:
    """The class report of ``stats`` (a ClassStats) as one HTML page.

    Parameters
    ----------
    stats : ClassStats
        The class statistics.
    source : str
        The name of the grading folder, shown in the heading.
    """
    title = "mlday class report" + (f": {source}" if source else "")
    summary = f"{len(stats.learners)} learner(s), {len(stats.exercises)} exercise(s)."
    body = _scores(stats) + _pass_rates(stats) + _messages(stats) + _mistakes(stats)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1><p>{_e(summary)}</p>{body}</body></html>\n"
    )
