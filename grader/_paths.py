"""Where the workbook lives: the project root, and the folders under it."""

from __future__ import annotations

import os
from pathlib import Path

from ._errors import MldayError


def _looks_like_root(path: Path) -> bool:
    return (path / "exercises").is_dir() and (path / "datasets").is_dir()


def project_root(start: Path | None = None) -> Path:
    """The workbook's root: $MLDAY_ROOT, else the nearest folder up from ``start`` (or
    the working directory) that holds ``exercises/`` and ``datasets/``, else the folder
    above this package (an editable install)."""
    env = os.environ.get("MLDAY_ROOT")
    if env:
        root = Path(env).resolve()
        if not _looks_like_root(root):
            raise MldayError(f"MLDAY_ROOT={env} does not hold exercises/ and datasets/")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _looks_like_root(candidate):
            return candidate
    package_parent = Path(__file__).resolve().parents[1]
    if _looks_like_root(package_parent):
        return package_parent
    raise MldayError("cannot find the workbook: run mlday inside it, or set MLDAY_ROOT to its folder")


def datasets_dir() -> Path:
    """The public data folder: $MLDAY_DATASETS (set in the grading worker), else <root>/datasets."""
    env = os.environ.get("MLDAY_DATASETS")
    if env:
        return Path(env)
    return project_root() / "datasets"
