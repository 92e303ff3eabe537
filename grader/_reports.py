"""Rebuild the class-level reports of an output folder from its results.json files."""

from __future__ import annotations

from pathlib import Path

from ._exercises import find_exercises
from ._hints import load_hints
from ._store import read_all, write_atomic


def write_reports(out: Path, root: Path) -> None:
    """gradebook.csv, grades_long.csv, report.html, and each learner's feedback.md and feedback.html."""
    from ._class_stats import class_stats
    from ._render import class_report, feedback_html, feedback_md, gradebook, grades_long
    from .catalogue import load_catalogue

    results = read_all(out)
    write_atomic(out / "gradebook.csv", gradebook.render(results))
    write_atomic(out / "grades_long.csv", grades_long.render(results))
    if results:
        stats = class_stats(results, load_catalogue(root))
        write_atomic(out / "report.html", class_report.render(stats, source=out.resolve().name))
    hints = {ex.name: load_hints(ex.public_tests) for ex in find_exercises(root)}
    by_learner: dict[str, list] = {}
    for result in results:
        by_learner.setdefault(result.learner, []).append(result)
    for learner, theirs in by_learner.items():
        write_atomic(out / learner / "feedback.md", feedback_md.render(learner, theirs, hints))
        write_atomic(out / learner / "feedback.html", feedback_html.render(learner, theirs, hints))
