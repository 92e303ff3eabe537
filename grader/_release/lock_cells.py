"""Mark read-only cells as neither editable nor deletable, as nbgrader's LockCells does."""

from .._notebook import is_grade, is_locked, is_solution


def lock_cells(nb):
    """Locked and test cells: not editable, not deletable; solution cells: not deletable."""
    for cell in nb.cells:
        if is_solution(cell):
            cell.metadata["deletable"] = False
        elif is_grade(cell) or is_locked(cell):
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
    return nb
