"""Read a notebook, validate it, and find its nbgrader cells."""

from __future__ import annotations

import json
from pathlib import Path

from . import _jupytext
from ._errors import MldayError


class NotebookError(MldayError):
    """A notebook that cannot be graded as it is."""


def read_notebook(path: Path):
    """Read and validate ``path`` as an nbformat 4 notebook, or as a jupytext percent
    script if its name ends in ``.py``; NotebookError says what is wrong."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if path.suffix == _jupytext.SUFFIX:
        try:
            nb = _jupytext.from_percent(text, path)
        except MldayError as exc:
            raise NotebookError(str(exc)) from None
    else:
        nb = _from_json(path, text)
    try:
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types for bad notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{path}: not a valid notebook ({first})") from None
    if not nb.cells:
        raise NotebookError(f"{path}: the notebook is empty (it has no cells)")
    return nb


def _from_json(path: Path, text: str):
    """The notebook in the nbformat JSON ``text`` (not yet validated)."""
    import nbformat

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotebookError(f"{path}: JSON, but not a notebook (no 'cells')")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for bad notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{path}: not a valid notebook ({first})") from None


def notebooks_in(folder: Path) -> list[Path]:
    """The notebooks in ``folder`` (not its sub-folders): ``*.ipynb`` files and jupytext
    percent scripts (``*.py`` with ``# %%`` cell markers), sorted; hidden files skipped."""
    folder = Path(folder)
    candidates = [*folder.glob("*.ipynb"), *filter(_jupytext.is_percent_script, folder.glob("*.py"))]
    return sorted(p for p in candidates if not p.name.startswith("."))


def nbgrader(cell) -> dict:
    """The cell's nbgrader metadata, or an empty dict."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_solution(cell) -> bool:
    """True for a cell the learner answers in."""
    return bool(nbgrader(cell).get("solution"))


def is_grade(cell) -> bool:
    """True for an autograded test cell (nbgrader ``grade: true``)."""
    return bool(nbgrader(cell).get("grade"))


def is_locked(cell) -> bool:
    """True for a cell the learner must not change (nbgrader's rule)."""
    meta = nbgrader(cell)
    if not meta or meta.get("solution"):
        return False
    return bool(meta.get("grade") or meta.get("locked"))


def solution_names(nb) -> list[str]:
    """The grade_ids of the code solution cells: the names the learner defines."""
    names = [nbgrader(c).get("grade_id") for c in nb.cells if c.get("cell_type") == "code" and is_solution(c)]
    return [n for n in names if isinstance(n, str) and n]


def code_cells(nb) -> list[tuple[int, str]]:
    """The learner-side code cells as (index, source): every code cell but the test cells."""
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_grade(c)]


def exercise_of(nb, path: Path, known: list[str]) -> str:
    """The exercise a notebook belongs to: its mlday metadata, else a known name its file name starts with."""
    meta = (nb.get("metadata") or {}).get("mlday", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    if name in known:
        return name
    stem = Path(path).stem
    for candidate in known:
        if stem.startswith(candidate) or stem.startswith(candidate.split("_", 1)[0] + "_"):
            return candidate
    raise NotebookError(
        f"{path}: cannot tell which exercise this is (no mlday metadata, and the file name "
        f"matches none of {', '.join(known)})"
    )
