"""The exercises of a workbook, and where each one's files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._errors import MldayError


@dataclass(frozen=True)
class Exercise:
    """One exercise's files, by convention of name.

    Parameters
    ----------
    name : str
        The notebook's stem, e.g. ``"01_morning_review"``.
    root : Path
        The workbook's root folder.
    """

    name: str
    root: Path

    @property
    def source(self) -> Path:
        """The source notebook with solutions and nbgrader metadata."""
        return self.root / "solutions" / f"{self.name}.ipynb"

    @property
    def released(self) -> Path:
        """The learner's notebook, made by ``mlday release``."""
        return self.root / "exercises" / f"{self.name}.ipynb"

    @property
    def public_tests(self) -> Path:
        return self.root / "exercises" / "tests" / f"test_{self.name}.py"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "solutions" / "tests" / f"test_{self.name}_hidden.py"

    @property
    def mistakes(self) -> Path:
        return self.root / "solutions" / "mistakes" / f"{self.name}.py"

    @property
    def has_solutions(self) -> bool:
        return self.source.is_file()

    def test_files(self, hidden: bool = True) -> list[Path]:
        """The test files that exist: public, then hidden if asked for and present."""
        files = [self.public_tests]
        if hidden and self.hidden_tests.is_file():
            files.append(self.hidden_tests)
        return [f for f in files if f.is_file()]


def find_exercises(root: Path) -> list[Exercise]:
    """Every exercise: the source notebooks if the solutions are here, else the released ones."""
    folder = root / "solutions" if (root / "solutions").is_dir() else root / "exercises"
    names = sorted(p.stem for p in folder.glob("[0-9][0-9]_*.ipynb"))
    return [Exercise(name, root) for name in names]


def get_exercise(root: Path, name: str) -> Exercise:
    """The exercise called ``name`` (or its two-digit number), or a clear error."""
    exercises = find_exercises(root)
    for ex in exercises:
        if name in (ex.name, ex.name.split("_", 1)[0]):
            return ex
    known = ", ".join(ex.name for ex in exercises) or "none"
    raise MldayError(f"no exercise {name!r}; the exercises are: {known}")
