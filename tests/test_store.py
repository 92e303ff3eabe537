"""Tests of grader._store: results.json written atomically and read back."""

from __future__ import annotations

import os
import stat

from grader._outcomes import Status
from grader._results import CellResult, ExerciseResult, TestResult
from grader._store import read_all, read_result, remove_temporaries, write_atomic, write_result


def _result(learner="ada"):
    tests = (
        TestResult("t.py::test_a", "q1", "a", False, Status.PASSED, 2.0, 2.0, ""),
        TestResult("h.py::test_b", "q1", "b", True, Status.FAILED, 0.0, 3.0, "expected 1, received 2\nsecond line"),
        TestResult("t.py::test_c", "q2", "c", False, Status.NOT_ATTEMPTED, 0.0, 1.0, "q2 is still the stub"),
    )
    return ExerciseResult(learner, "01_x", "01_x.ipynb", tests, cells=(CellResult(3, Status.ERROR, "boom"),),
                          problems=("cell q3 missing",), execution_time=1.5, isolation="strict")


def test_a_result_reads_back_as_it_was_written(tmp_path):
    written = _result()
    back = read_result(write_result(tmp_path, written))
    assert back.tests == written.tests  # messages come back without the status tag of "output"
    assert back.cells == written.cells and back.problems == written.problems
    assert (back.learner, back.exercise, back.isolation, back.score, back.max_score) == ("ada", "01_x", "strict", 2.0, 6.0)


def test_read_all_skips_an_unreadable_file_and_sorts(tmp_path):
    write_result(tmp_path, _result("ben"))
    write_result(tmp_path, _result("ada"))
    broken = tmp_path / "cleo" / "01_x" / "results.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{ not json")
    assert [r.learner for r in read_all(tmp_path)] == ["ada", "ben"]


def test_written_files_follow_the_umask_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "gradebook.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "gradebook.csv").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]  # no temporary file left


def test_remove_temporaries_removes_only_half_written_files(tmp_path):
    write_result(tmp_path, _result())
    leftover = tmp_path / "ada" / "01_x" / ".results.json.abc123.tmp"
    leftover.write_text('{"score": ')
    notes = tmp_path / "ada" / "notes.tmp"  # not one of write_atomic's: kept
    notes.write_text("x")
    assert remove_temporaries(tmp_path) == 1
    assert not leftover.exists() and notes.exists()
    assert [r.learner for r in read_all(tmp_path)] == ["ada"]
