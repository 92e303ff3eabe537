"""Class statistics for the class report, computed from every learner's results (data only)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ._outcomes import Status
from .catalogue import shows_mistake

__all__ = ["ClassStats", "Distribution", "ExerciseStats", "MessageCount", "MistakeCount", "QuestionStats", "class_stats"]

# The statuses whose message says what went wrong in the learner's work. "not attempted"
# only repeats the stub notice, and "ungradable" is the grader's fault, not a failure.
FAILURE_STATUSES = (Status.FAILED, Status.ERROR, Status.TIMEOUT, Status.OUT_OF_MEMORY)

# A headline longer than this is cut: the report groups messages, it does not reprint them.
MAX_HEADLINE = 300


@dataclass(frozen=True)
class Distribution:
    """Scores of the learners with a gradable result, ascending, out of ``max_score``.

    ``ungradable`` counts the learners left out because the grader failed on them.
    """

    scores: tuple[float, ...]
    max_score: float
    ungradable: int = 0

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.scores), 6) if self.scores else None

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.scores), 6) if self.scores else None


@dataclass(frozen=True)
class MessageCount:
    """One failure message (its first line, without the status tag) and how many learners saw it."""

    status: Status
    message: str
    learners: int


@dataclass(frozen=True)
class QuestionStats:
    """How the class did on one question.

    Parameters
    ----------
    exercise, question : str
        The exercise and the question's grade_id.
    graded : int
        Learners with a gradable result for this question.
    passed : int
        Of those, the learners who passed every test of the question.
    statuses : dict[Status, int]
        Tests per status, over every learner (ungradable tests included).
    messages : tuple[MessageCount, ...]
        The most frequent failure messages, most frequent first.
    """

    exercise: str
    question: str
    graded: int
    passed: int
    statuses: dict
    messages: tuple[MessageCount, ...] = ()

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None


@dataclass(frozen=True)
class MistakeCount:
    """One catalogued mistake and how many learners' results show it."""

    exercise: str
    question: str
    title: str
    test: str
    learners: int


@dataclass(frozen=True)
class ExerciseStats:
    """One exercise: its score distribution, its questions and its catalogued mistakes."""

    exercise: str
    scores: Distribution
    questions: tuple[QuestionStats, ...]
    mistakes: tuple[MistakeCount, ...] = ()


@dataclass(frozen=True)
class ClassStats:
    """The whole class: each learner's total over the exercises, and each exercise."""

    learners: tuple[str, ...]
    total: Distribution
    exercises: tuple[ExerciseStats, ...]


def headline(message: str) -> str:
    """The first non-empty line of a test's message."""
    for line in message.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= MAX_HEADLINE else line[: MAX_HEADLINE - 1] + "…"
    return "(no message)"


def _is_ungradable(result) -> bool:
    return bool(result.ungradable) or any(t.status is Status.UNGRADABLE for t in result.tests)


def class_stats(results, mistakes=None, *, top: int = 5) -> ClassStats:
    """The class statistics of ``results`` (a list of ExerciseResult).

    Parameters
    ----------
    results : list of ExerciseResult
        Every learner's results, as ``grader._store.read_all`` returns them.
    mistakes : dict[str, list[Mistake]], optional
        The catalogued mistakes of each exercise, by exercise name.
    top : int
        How many failure messages to keep per question.

    Returns
    -------
    ClassStats
    """
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ValueError(f"The 'top' parameter of class_stats must be a positive integer. Got {top!r} instead.")
    mistakes = mistakes or {}
    by_exercise: dict[str, list] = {}
    for result in results:
        by_exercise.setdefault(result.exercise, []).append(result)
    exercises = tuple(_exercise_stats(name, by_exercise[name], mistakes.get(name, ()), top) for name in sorted(by_exercise))
    return ClassStats(learners=tuple(sorted({r.learner for r in results})), total=_total(results, exercises), exercises=exercises)


def _total(results, exercises) -> Distribution:
    # A learner's total is out of every exercise the class was graded on: an exercise a
    # learner did not hand in counts as zero, as it does in the gradebook.
    totals: dict[str, float] = {}
    ungradable: set[str] = set()
    for result in results:
        totals[result.learner] = totals.get(result.learner, 0.0) + result.score
        if _is_ungradable(result):
            ungradable.add(result.learner)
    scores = sorted(round(score, 6) for learner, score in totals.items() if learner not in ungradable)
    return Distribution(tuple(scores), round(sum(ex.scores.max_score for ex in exercises), 6), len(ungradable))


def _exercise_stats(exercise: str, results, mistakes, top: int) -> ExerciseStats:
    gradable = [r for r in results if not _is_ungradable(r)]
    scores = Distribution(
        tuple(sorted(r.score for r in gradable)),
        max((r.max_score for r in results), default=0.0),
        len(results) - len(gradable),
    )
    return ExerciseStats(exercise, scores, _question_stats(exercise, results, top), _mistake_counts(exercise, results, mistakes))


def _question_stats(exercise: str, results, top: int) -> tuple[QuestionStats, ...]:
    order: dict[str, None] = {}
    graded: dict[str, int] = {}
    passed: dict[str, int] = {}
    statuses: dict[str, dict[Status, int]] = {}
    seen: dict[str, dict[tuple[Status, str], set[str]]] = {}
    for result in results:
        tests_of: dict[str, list] = {}
        for t in result.tests:
            order.setdefault(t.question, None)
            tests_of.setdefault(t.question, []).append(t)
            counts = statuses.setdefault(t.question, {})
            counts[t.status] = counts.get(t.status, 0) + 1
            if t.status in FAILURE_STATUSES:
                key = (t.status, headline(t.message))
                seen.setdefault(t.question, {}).setdefault(key, set()).add(result.learner)
        if result.ungradable:
            continue
        for question, tests in tests_of.items():
            if any(t.status is Status.UNGRADABLE for t in tests):
                continue
            graded[question] = graded.get(question, 0) + 1
            passed[question] = passed.get(question, 0) + all(t.status is Status.PASSED for t in tests)
    out = []
    for question in order:
        messages = sorted(((len(who), status, text) for (status, text), who in seen.get(question, {}).items()),
                          key=lambda m: (-m[0], m[2], m[1].value))
        out.append(QuestionStats(
            exercise, question, graded.get(question, 0), passed.get(question, 0),
            {s: statuses[question][s] for s in Status if s in statuses[question]},
            tuple(MessageCount(status, text, n) for n, status, text in messages[:top]),
        ))
    return tuple(out)


def _mistake_counts(exercise: str, results, mistakes) -> tuple[MistakeCount, ...]:
    counts = []
    for mistake in mistakes:
        learners = {r.learner for r in results if any(shows_mistake(t, mistake) for t in r.tests)}
        counts.append(MistakeCount(exercise, mistake.name, mistake.title, mistake.test, len(learners)))
    return tuple(counts)
