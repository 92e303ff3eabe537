"""Every notebook in a real Jupyter kernel (nbclient + ipykernel, the "jupyter" extra),
as "Run All" runs it:

- a solution notebook runs clean top to bottom, and every check cell (public and hidden
  tests, run in the kernel) says its question passed;
- a released notebook runs top to bottom without an unhandled error: every check cell
  says "not attempted", and every exploration cell that uses an answer prints a
  friendly line instead of raising NotImplementedError.

Each check cell shows as HTML (the status, the message) and as plain text."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from grader._exercises import find_exercises
from grader._notebook import is_grade, nbgrader, solution_names

nbclient = pytest.importorskip("nbclient", reason="the jupyter extra (nbclient, ipykernel) is not installed")
pytest.importorskip("ipykernel", reason="the jupyter extra (nbclient, ipykernel) is not installed")

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [ex for ex in find_exercises(ROOT) if ex.has_solutions]
RELEASED = [ex for ex in find_exercises(ROOT) if ex.released.is_file()]
FRIENDLY = "which you have not written yet; it will run once you have."


def _run(path: Path, workdir: Path):
    # The kernel works in a scratch folder (notebooks may write files) and finds the
    # workbook through MLDAY_ROOT, which it inherits.
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError on the first unhandled error
    return nb


def _text(cell) -> str:
    """What the cell showed as plain text: its streams and text/plain results."""
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def _html(cell) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


def _check_cells(nb) -> dict:
    """grade_id -> the check cell, for every test cell."""
    return {nbgrader(c)["grade_id"]: c for c in nb.cells if c.cell_type == "code" and is_grade(c)}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_solution_runs_clean_and_passes_its_checks(exercise, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    checks = _check_cells(_run(exercise.source, tmp_path))
    assert checks, "no check cells"
    for grade_id, cell in checks.items():
        text, html = _text(cell), _html(cell)
        assert "passed" in html and "did not pass" not in html, f"{grade_id}: {html[:300] or 'no HTML block with the status'}"
        # The cell ends with the hidden check: its report, or (for nbgrader) its points, all of them.
        assert ("passed" in text and "did not pass" not in text) or text.strip() == f"{float(nbgrader(cell)['points'])}", f"{grade_id}: {text[:300]}"


def _uses(cell, names) -> set:
    return {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} & names


@pytest.mark.parametrize("exercise", RELEASED, ids=lambda ex: ex.name)
def test_released_notebook_runs_all_and_shows_not_attempted(exercise, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    nb = _run(exercise.released, tmp_path)
    checks = _check_cells(nb)
    assert len(checks) == len(solution_names(nb)), "a question without its check cell"
    for grade_id, cell in checks.items():
        first = _text(cell).splitlines()[0] if _text(cell) else ""
        assert first.endswith(": not attempted"), f"{grade_id}: {_text(cell)[:300]}"
        assert "not attempted" in _html(cell), f"{grade_id}: no HTML block with the status"
    graded = set(solution_names(nb))
    exploring = [c for c in nb.cells if c.cell_type == "code" and not nbgrader(c) and _uses(c, graded)]
    for cell in exploring:
        assert FRIENDLY in _text(cell), f"cell using {sorted(_uses(cell, graded))}: {_text(cell)[:300]}"
