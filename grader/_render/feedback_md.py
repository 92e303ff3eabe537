"""One learner's feedback as Markdown: per question the score, the messages, a hint."""

from __future__ import annotations

from .._outcomes import Status
from .grades_long import question_status


def render(learner: str, results, hints: dict[str, dict[str, list[str]]] | None = None) -> str:
    """Markdown feedback over every exercise ``results`` of ``learner``.

    ``hints`` maps exercise -> question -> hints (the public ones); the first is shown
    for a question that did not pass. Hidden tests are named by their title only.
    """
    hints = hints or {}
    lines = [f"# Feedback for {learner}", ""]
    for result in sorted(results, key=lambda r: r.exercise):
        lines += [f"## {result.exercise}: {result.score:g} / {result.max_score:g}", ""]
        if result.ungradable:
            lines += ["> This exercise could not be graded because of a fault of the grader; it will be regraded.", ""]
        lines += [f"- notebook: {p}" for p in result.problems]
        lines += [f"- cell {c.index}: {c.status.value}: {c.message.splitlines()[0] if c.message else ''}" for c in result.cells]
        by_question: dict[str, list] = {}
        for test in result.tests:
            by_question.setdefault(test.question, []).append(test)
        for question, tests in by_question.items():
            score, top = sum(t.score for t in tests), sum(t.max_score for t in tests)
            status = question_status(tests)
            lines += ["", f"### `{question}`: {score:g} / {top:g} ({status.value})", ""]
            for t in tests:
                mark = "✓" if t.status is Status.PASSED else "✗"
                where = " (hidden)" if t.hidden else ""
                lines.append(f"- {mark} {t.title}{where}: {t.status.value}")
                if t.status is not Status.PASSED and t.message:
                    lines += [f"  > {line}" for line in t.message.splitlines()[:8]]
            question_hints = hints.get(result.exercise, {}).get(question, [])
            if status is not Status.PASSED and question_hints:
                lines += ["", f"Hint: {question_hints[0]}"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
