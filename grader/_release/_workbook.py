"""Release a whole workbook: every exercise notebook, and the manifest of tests."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from .._exercises import find_exercises
from .._inventory import collect_tests, question_table
from .._notebook import read_notebook
from ._converter import release_notebook

MANIFEST = Path("exercises") / "manifest.json"


def released_files(root: Path) -> dict[Path, str]:
    """The text of every file ``mlday release`` writes, by path relative to ``root``."""
    files: dict[Path, str] = {}
    manifest: dict[str, dict] = {}
    for exercise in find_exercises(root):
        if not exercise.has_solutions:
            continue
        source = read_notebook(exercise.source)
        files[exercise.released.relative_to(root)] = nbformat.writes(release_notebook(source)) + "\n"
        manifest[exercise.name] = {
            "title": source.metadata.get("mlday", {}).get("title", exercise.name),
            "questions": question_table(exercise, collect_tests(exercise)),
        }
    files[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    return files


def _stale(root: Path) -> dict[Path, str]:
    fresh = released_files(root)
    return {rel: text for rel, text in fresh.items() if not (root / rel).is_file() or (root / rel).read_text() != text}


def out_of_sync(root: Path) -> list[Path]:
    """The released files that differ from a fresh release (missing ones included)."""
    return list(_stale(root))


def write_release(root: Path) -> list[Path]:
    """Write every released file that differs from a fresh release; return those."""
    stale = _stale(root)
    for rel, text in stale.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return list(stale)
