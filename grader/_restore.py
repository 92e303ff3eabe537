"""Restore a submission's locked cells from the source, as nbgrader's OverwriteCells does.

A learner cannot change what a read-only cell runs (the setup cell, the story, the
test cells): each locked cell is put back as the source has it, matched by grade_id,
and one that was deleted is put back in its place.
"""

from __future__ import annotations

import copy

from ._notebook import is_grade, is_locked, nbgrader


_FLAGS = ("grade", "solution", "locked", "points", "grade_id")


def _essence(cell) -> tuple:
    # What a learner could change that matters; the checksum and lock flags that release
    # adds are not changes.
    meta = nbgrader(cell)
    return (cell.get("cell_type"), cell.get("source"), tuple(meta.get(k) for k in _FLAGS))


def restore_locked_cells(nb, source_nb) -> list[str]:
    """Restore ``nb``'s locked cells in place from ``source_nb``; return what was changed."""
    locked = {nbgrader(c)["grade_id"]: c for c in source_nb.cells if (is_locked(c) or is_grade(c)) and nbgrader(c).get("grade_id")}
    notes: list[str] = []
    seen: dict[str, int] = {}
    for cell in nb.cells:
        grade_id = nbgrader(cell).get("grade_id")
        if isinstance(grade_id, str):
            seen[grade_id] = seen.get(grade_id, 0) + 1
        original = locked.get(grade_id) if isinstance(grade_id, str) else None
        if original is None:
            continue
        # Test cells never run in the worker (the tests run in the grading process), so a
        # change there is restored without a word.
        if _essence(cell) != _essence(original) and not is_grade(original):
            notes.append(f"the read-only cell {grade_id!r} was changed; it was restored")
        cell.clear()
        cell.update(copy.deepcopy(original))
    notes += [f"the cell id {g!r} appears {n} times" for g, n in seen.items() if n > 1]
    present = set(seen)
    position = 0
    for source_cell in source_nb.cells:
        grade_id = nbgrader(source_cell).get("grade_id")
        if grade_id in present:
            position = next(i for i, c in enumerate(nb.cells) if nbgrader(c).get("grade_id") == grade_id) + 1
        elif grade_id in locked:
            nb.cells.insert(position, copy.deepcopy(source_cell))
            present.add(grade_id)
            notes.append(f"the read-only cell {grade_id!r} was deleted; it was restored")
            position += 1
    return notes
