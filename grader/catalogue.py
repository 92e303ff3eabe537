"""The catalogue of common mistakes: wrong implementations that the tests must catch.

Each exercise lists its mistakes in ``solutions/mistakes/<exercise>.py``::

    from grader.catalogue import Mistake

    MISTAKES = [
        Mistake(
            name="daily_metrics",
            title="accuracy instead of precision",
            test="test_precision_counts_only_alerted_labelled_rows",
            message="precision",
            code='''
    def daily_metrics(log, day, threshold=0.5):
        ...
    ''',
        ),
    ]

``mlday validate`` replaces the solution cell ``name`` of the source notebook with
``code``, grades it, and requires that the test ``test`` ends with ``status`` and a
message that contains ``message``.
"""

from __future__ import annotations

import importlib.util
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ._errors import MldayError

__all__ = ["Mistake", "load_catalogue", "load_mistakes", "shows_mistake", "test_function"]


@dataclass(frozen=True)
class Mistake:
    """One common mistake, and how the tests must catch it.

    Parameters
    ----------
    name : str
        The question (the solution cell's grade_id) whose cell the mistake replaces.
    title : str
        What the mistake is, in a few words.
    test : str
        The name of the test function that must catch it (public or hidden).
    message : str
        A fragment of the message the learner must see.
    code : str
        The whole wrong solution cell.
    status : str
        The status the test must end with: "failed" (default) or "error".
    """

    name: str
    title: str
    test: str
    message: str
    code: str
    status: str = "failed"

    def __post_init__(self):
        if self.status not in ("failed", "error", "timeout"):
            raise ValueError(f"The 'status' of mistake {self.title!r} must be 'failed', 'error' or 'timeout'. Got {self.status!r} instead.")
        object.__setattr__(self, "code", textwrap.dedent(self.code).strip() + "\n")


def load_mistakes(path: Path) -> list[Mistake]:
    """The MISTAKES list of a catalogue file (empty if there is no file)."""
    path = Path(path)
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"mlday_mistakes_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise MldayError(f"{path}: the catalogue cannot be loaded: {type(exc).__name__}: {exc}") from None
    mistakes = getattr(module, "MISTAKES", None)
    if not isinstance(mistakes, list) or not all(isinstance(m, Mistake) for m in mistakes):
        raise MldayError(f"{path}: MISTAKES must be a list of grader.catalogue.Mistake")
    return mistakes


def load_catalogue(root: Path) -> dict[str, list[Mistake]]:
    """The catalogued mistakes of each exercise of the workbook at ``root``, by exercise name.

    Only the workbook's own exercises are looked up: exercise names read from results
    files never choose which catalogue file is executed.
    """
    from ._exercises import find_exercises

    return {ex.name: load_mistakes(ex.mistakes) for ex in find_exercises(root)}


def test_function(test_id: str) -> str:
    """The test function's name in a pytest node id: ``path.py::test_x[param]`` -> ``test_x``."""
    return test_id.rsplit("::", 1)[-1].split("[", 1)[0]


def shows_mistake(test, mistake: Mistake) -> bool:
    """Whether one test result is the catalogued ``mistake``: its test function, the status
    the catalogue names, and the catalogued fragment in its message (any case), as
    ``mlday validate`` requires."""
    return (
        test_function(test.test) == mistake.test
        and test.status.value == mistake.status
        and mistake.message.lower() in test.message.lower()
    )
