"""Record each nbgrader cell's checksum, computed as nbgrader 0.9 computes it."""

import hashlib

from .._notebook import is_grade, is_locked, is_solution, nbgrader


def checksum(cell) -> str:
    """nbgrader's checksum: md5 of source, type, the grade/solution/locked flags, id, points."""
    meta = nbgrader(cell)
    digest = hashlib.md5()  # noqa: S324 - nbgrader's choice, for compatibility
    digest.update(cell.source.encode())
    digest.update(cell.cell_type.encode())
    digest.update(str(is_grade(cell)).encode())
    digest.update(str(is_solution(cell)).encode())
    digest.update(str(is_locked(cell)).encode())
    digest.update(meta["grade_id"].encode())
    if is_grade(cell):
        digest.update(str(float(meta["points"])).encode())
    return digest.hexdigest()


def compute_checksums(nb):
    """Set ``checksum`` and ``cell_type`` on grade, solution and locked cells."""
    for cell in nb.cells:
        if is_grade(cell) or is_solution(cell) or is_locked(cell):
            cell.metadata["nbgrader"]["checksum"] = checksum(cell)
            cell.metadata["nbgrader"]["cell_type"] = cell.cell_type
    return nb
