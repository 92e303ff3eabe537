"""Build notebook cells with nbgrader 0.9 metadata (schema version 3).

Used to write source notebooks and, in tests, to build submissions.
"""

from __future__ import annotations

import nbformat.v4 as v4

SCHEMA_VERSION = 3


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(text: str, grade_id: str | None = None):
    """A markdown cell; locked (read-only) when given a grade_id."""
    cell = v4.new_markdown_cell(text.strip())
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def code(source: str, grade_id: str | None = None):
    """A code cell; locked (read-only) when given a grade_id."""
    cell = v4.new_code_cell(source.strip())
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def solution(name: str, source: str):
    """The solution cell of question ``name``: the learner defines ``name`` in it."""
    cell = v4.new_code_cell(source.strip())
    cell.metadata.update(_meta(name, solution=True))
    return cell


def test(name: str, points: float, source: str | None = None):
    """The locked test cell of question ``name``, worth ``points``."""
    source = source or f'check("{name}")\n### BEGIN HIDDEN TESTS\ncheck("{name}", hidden=True)\n### END HIDDEN TESTS'
    cell = v4.new_code_cell(source.strip())
    cell.metadata.update(_meta(f"test_{name}", grade=True, locked=True, points=points))
    return cell


def notebook(cells, exercise: str, title: str):
    """A notebook of ``cells`` for ``exercise``, with the Python 3 kernel."""
    nb = v4.new_notebook(cells=list(cells))
    nb.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "mlday": {"exercise": exercise, "title": title},
        }
    )
    return nb
