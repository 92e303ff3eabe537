"""Every solution notebook in a real Jupyter kernel (nbclient + ipykernel, the
"jupyter" extra): it runs clean top to bottom, and every check cell (public and hidden
tests, run in the kernel) says its question passed."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader._exercises import find_exercises
from grader._notebook import is_grade, nbgrader

nbclient = pytest.importorskip("nbclient", reason="the jupyter extra (nbclient, ipykernel) is not installed")
pytest.importorskip("ipykernel", reason="the jupyter extra (nbclient, ipykernel) is not installed")

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [ex for ex in find_exercises(ROOT) if ex.has_solutions]


def _run(path: Path, workdir: Path):
    # The kernel works in a scratch folder (notebooks may write files) and finds the
    # workbook through MLDAY_ROOT, which it inherits.
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError on the first unhandled error
    return nb


def _check_outputs(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and is_grade(cell):
            text = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            out[nbgrader(cell)["grade_id"]] = text
    return out


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_solution_runs_clean_and_passes_its_checks(exercise, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    checks = _check_outputs(_run(exercise.source, tmp_path))
    assert checks, "no check cells"
    for grade_id, text in checks.items():
        assert "passed" in text and "did not pass" not in text, f"{grade_id}: {text[:300]}"
