"""Build a Gradescope autograder zip from the workbook.

The zip holds, at its root, Gradescope's two scripts (``setup.sh``, ``run_autograder``)
and the project itself: ``pyproject.toml``, ``README.md``, the ``grader`` package, the
chosen exercises' released notebooks, public tests, source notebooks and hidden tests,
the hidden data and the public datasets. Gradescope unpacks it into
``/autograder/source``; ``setup.sh`` installs mlday from there.

Never in it: virtual environments, caches, git, grading outputs, the demo class and
the catalogues of mistakes. The same tree always gives the same bytes: entries are
sorted, and their times and modes are fixed.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from .._errors import MldayError
from .._exercises import Exercise, find_exercises, get_exercise

SCRIPTS = ("setup.sh", "run_autograder")
# What pip needs to install the project: its metadata (README.md is its readme).
PROJECT_FILES = ("pyproject.toml", "README.md")
# The earliest time a zip can hold; any fixed time makes the bytes reproducible.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__"}  # hidden folders (.ipynb_checkpoints) are skipped too


def select_exercises(root: Path, names=()) -> list[Exercise]:
    """The exercises named (by name or two-digit number), or all; MldayError for an unknown one.

    Each must have its source notebook here: grading needs the instructors' files.
    """
    if not (root / "solutions").is_dir():
        raise MldayError(f"no solutions/ folder in {root}: the autograder zip needs the instructors' files")
    chosen = [get_exercise(root, name) for name in names] if names else find_exercises(root)
    if not chosen:
        raise MldayError(f"no exercises in {root / 'solutions'}")
    unique = {ex.name: ex for ex in chosen}
    return sorted(unique.values(), key=lambda ex: ex.name)


def _files_under(folder: Path):
    """Every regular file under ``folder``, without caches and hidden files."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p in _SKIP_DIRS or p.startswith(".") for p in parts) or path.suffix == ".pyc":
            continue
        if path.is_file():
            yield path


def _exercise_file(path: Path, others: set[str]) -> bool:
    """True when a test file or notebook belongs to an exercise left out of the zip."""
    stem = path.stem.removeprefix("test_").removesuffix("_hidden")
    return stem in others


def zip_members(root: Path, exercises: list[Exercise]) -> dict[str, Path]:
    """What goes into the zip: its path in the zip -> the file it is read from."""
    for name in PROJECT_FILES:
        if not (root / name).is_file():
            raise MldayError(f"{root / name} is missing: the zip installs mlday from the project, which needs it")
    for path in (root / "grader" / "__init__.py", *(root / "grader" / "_export" / name for name in SCRIPTS)):
        if not path.is_file():
            raise MldayError(f"{path} is missing: the zip installs mlday from the project, which needs it")
    members: dict[str, Path] = {name: root / name for name in PROJECT_FILES}
    # The scripts of the grader that goes into the zip, so that they match its modules.
    members.update({name: root / "grader" / "_export" / name for name in SCRIPTS})
    members.update({p.relative_to(root).as_posix(): p for p in _files_under(root / "grader")})
    members.update(workbook_members(root, exercises))
    return dict(sorted(members.items()))


def workbook_members(root: Path, exercises: list[Exercise]) -> dict[str, Path]:
    """What grading ``exercises`` needs of the workbook: released notebooks and public
    tests, source notebooks and hidden tests, hidden data and public datasets."""
    wanted = {ex.name for ex in exercises}
    others = {ex.name for ex in find_exercises(root)} - wanted
    members: dict[str, Path] = {}
    for folder in ("datasets", "solutions/data"):
        members.update({p.relative_to(root).as_posix(): p for p in _files_under(root / folder)})
    for folder in ("exercises", "exercises/tests", "solutions/tests"):
        for path in sorted((root / folder).glob("*")):
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".pyc" and not _exercise_file(path, others):
                members[path.relative_to(root).as_posix()] = path
    for ex in exercises:
        members[ex.source.relative_to(root).as_posix()] = ex.source
    return dict(sorted(members.items()))


def build_zip(members: dict[str, Path]) -> bytes:
    """The zip of ``members`` (from :func:`zip_members`): sorted entries, fixed times, fixed modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # Unix, so that unzip applies the modes below
            mode = 0o755 if name in SCRIPTS else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()
