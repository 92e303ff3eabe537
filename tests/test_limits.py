"""Tests of grader._limits: defaults, an exercise's own limits, and a run's options."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from conftest import TOY, toy_notebook
from grader._grading import grade_notebook
from grader._limits import Limits, exercise_limits, with_exercise_limits
from grader._outcomes import Status


def test_an_exercise_limit_replaces_a_default_and_a_run_option_replaces_both():
    run = Limits().replace(call_seconds=5)
    layered = with_exercise_limits(run, {"cell_seconds": 120, "call_seconds": 90})
    assert layered.cell_seconds == 120  # the run kept the default: the exercise's applies
    assert layered.call_seconds == 5  # the run asked for 5: it wins
    assert layered.submission_seconds == Limits().submission_seconds


@pytest.mark.parametrize("limits, message", [
    ({"cell_second": 3}, "'cell_second' is not known"),
    ({"cell_seconds": -1}, "must be a positive number. Got -1"),
    ([1, 2], "must be a mapping"),
])
def test_a_bad_exercise_limit_names_itself(limits, message):
    nb = nbformat.v4.new_notebook(metadata={"mlday": {"limits": limits}})
    with pytest.raises(ValueError, match=message):
        exercise_limits(nb)


@pytest.fixture
def slow_workbook(toy_workbook, tmp_path):
    """The toy workbook whose exercise allows 1 s per cell."""
    root = tmp_path / "workbook"
    shutil.copytree(toy_workbook.root, root)
    source = root / "solutions" / f"{TOY}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.metadata.setdefault("mlday", {})["limits"] = {"cell_seconds": 1}
    nbformat.write(nb, source)
    return root


def test_grading_applies_the_exercise_limit_from_the_source_not_the_submission(slow_workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(slow_workbook))
    nb = toy_notebook(scratch=("import time\ntime.sleep(3)",))
    nb.metadata.setdefault("mlday", {})["limits"] = {"cell_seconds": 600}  # the learner's copy is ignored
    path = tmp_path / f"{TOY}.ipynb"
    nbformat.write(nb, path)
    result = grade_notebook(path, slow_workbook, isolation="basic")
    [cell] = result.cells
    assert cell.status is Status.TIMEOUT and "limit of 1 s" in cell.message
    assert result.score == result.max_score  # only the sleeping cell was lost

    run = grade_notebook(path, slow_workbook, isolation="basic", limits=Limits().replace(cell_seconds=5))
    assert not run.cells  # the run's own option wins over the exercise's
