"""The results model: what grading found, as data only. Renderers format it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._outcomes import Status


@dataclass(frozen=True)
class TestResult:
    """The outcome of one test of one question."""

    test: str
    question: str
    title: str
    hidden: bool
    status: Status
    score: float
    max_score: float
    message: str = ""


@dataclass(frozen=True)
class CellResult:
    """A notebook cell that did not run cleanly."""

    index: int
    status: Status
    message: str


@dataclass(frozen=True)
class ExerciseResult:
    """One learner's grade for one exercise.

    ``problems`` are notebook-level findings an instructor should see (a deleted
    solution cell, a notebook that could not be read); ``ungradable`` is set when
    the grader itself failed, so that the grade is neither zero nor full marks.
    """

    learner: str
    exercise: str
    notebook: str
    tests: tuple[TestResult, ...] = ()
    cells: tuple[CellResult, ...] = ()
    problems: tuple[str, ...] = ()
    output: str = ""
    execution_time: float = 0.0
    isolation: str = "basic"
    ungradable: str = ""
    invalid: bool = False

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def questions(self) -> dict[str, tuple[float, float]]:
        """(score, max score) per question, in test order."""
        out: dict[str, list[float]] = {}
        for t in self.tests:
            acc = out.setdefault(t.question, [0.0, 0.0])
            acc[0] += t.score
            acc[1] += t.max_score
        return {q: (round(s, 6), round(m, 6)) for q, (s, m) in out.items()}


@dataclass(frozen=True)
class RunSummary:
    """A grading run: every exercise result, in submission order."""

    results: tuple[ExerciseResult, ...] = field(default_factory=tuple)
    isolation: str = "basic"
