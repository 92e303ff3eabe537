"""Tests of grader._batch through ``mlday grade``: a class graded twice gives the same
results, and a run killed with SIGKILL, then resumed, gives what an uninterrupted run
gives, with nothing lost, duplicated or half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader._release import release_notebook
from conftest import TOY, toy_notebook

LIMITS = ["--cell-timeout", "2", "--call-timeout", "2", "--isolation", "basic"]
SLOW = "import time\ntime.sleep(0.4)"  # so that a kill lands while the class is graded

KINDS = {
    "perfect": toy_notebook(scratch=(SLOW,)),
    "blank": None,  # the released notebook
    "wrong": toy_notebook("def double(x):\n    return 3 * x\n", scratch=(SLOW,)),
    "raises": toy_notebook("def double(x):\n    raise ValueError('no')\n", scratch=(SLOW,)),
    "hangs": toy_notebook("def double(x):\n    while True:\n        pass\n", scratch=(SLOW,)),
}


@pytest.fixture(scope="module")
def klass(toy_workbook, tmp_path_factory):
    """Twelve learners, each kind at least twice."""
    folder = tmp_path_factory.mktemp("class")
    released = release_notebook(toy_notebook())
    kinds = list(KINDS)
    for i in range(12):
        kind = kinds[i % len(kinds)]
        toy_workbook.write(folder / f"l{i:02d}_{kind}", f"{TOY}.ipynb", KINDS[kind] or released)
    return folder


def _command(klass: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())",
            "grade", str(klass), "--out", str(out), "-j", "2", *LIMITS, *extra]


def _env(toy_workbook) -> dict:
    return dict(os.environ, MLDAY_ROOT=str(toy_workbook.root), COLUMNS="120")


def _grade(klass, out, toy_workbook, *extra) -> subprocess.CompletedProcess:
    return subprocess.run(_command(klass, out, *extra), env=_env(toy_workbook), capture_output=True, text=True, timeout=600)


def _results(out: Path) -> dict[str, dict]:
    """Every results.json under ``out``, without its timing fields."""
    found = {}
    for path in sorted(out.glob("*/*/results.json")):
        doc = json.loads(path.read_text())
        doc.pop("execution_time")
        found[str(path.relative_to(out))] = doc
    return found


@pytest.fixture(scope="module")
def uninterrupted(klass, toy_workbook, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grades") / "a"
    done = _grade(klass, out, toy_workbook)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_every_kind_gets_its_grade(uninterrupted):
    scores = {path.split("/")[0].split("_", 1)[1]: doc["score"] for path, doc in _results(uninterrupted).items()}
    assert len(_results(uninterrupted)) == 12
    assert scores == {"perfect": 3.0, "blank": 0.0, "wrong": 0.0, "raises": 0.0, "hangs": 0.0}


def test_the_same_class_graded_twice_gives_the_same_results(klass, toy_workbook, uninterrupted, tmp_path):
    done = _grade(klass, tmp_path / "b", toy_workbook)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _results(tmp_path / "b") == _results(uninterrupted)
    assert (tmp_path / "b" / "gradebook.csv").read_text() == (uninterrupted / "gradebook.csv").read_text()


def test_a_run_killed_with_sigkill_resumes_to_the_same_gradebook(klass, toy_workbook, uninterrupted, tmp_path):
    out = tmp_path / "c"
    proc = subprocess.Popen(_command(klass, out), env=_env(toy_workbook), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list(out.glob("*/*/results.json"))) < 3:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(list(out.glob("*/*/results.json")))
    assert 3 <= partial < 12, "the kill did not land partway"
    # A kill during a write leaves a temporary file; plant one where the kill cannot be timed.
    half = out / "l11_blank" / TOY / ".results.json.killed.tmp"
    half.parent.mkdir(parents=True, exist_ok=True)
    half.write_text('{"score": 3')

    resumed = _grade(klass, out, toy_workbook)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{12 - partial} to grade, {partial} already graded" in resumed.stdout
    assert _results(out) == _results(uninterrupted)
    assert (out / "gradebook.csv").read_text() == (uninterrupted / "gradebook.csv").read_text()
    assert not [p for p in out.rglob("*.tmp")], "a temporary file of the killed run was left behind"


def test_force_regrades_everything(klass, toy_workbook, uninterrupted, tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    for path in uninterrupted.glob("*/*/results.json"):
        target = out / path.relative_to(uninterrupted)
        target.parent.mkdir(parents=True)
        target.write_text(path.read_text())
    done = _grade(klass, out, toy_workbook, "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 to grade, 0 already graded" in done.stdout


def test_plan_retries_ungradable_and_unreadable_results(toy_workbook, klass, tmp_path):
    from grader._batch import plan
    from grader._results import ExerciseResult
    from grader._store import result_path, write_result
    from grader.cli.grade import find_submissions

    submissions = find_submissions([klass])
    learners = sorted(learner for learner, _ in submissions)
    write_result(tmp_path, ExerciseResult(learners[0], TOY, "x.ipynb"))
    write_result(tmp_path, ExerciseResult(learners[1], TOY, "x.ipynb", ungradable="the worker did not start"))
    result_path(tmp_path, learners[2], TOY).parent.mkdir(parents=True)
    result_path(tmp_path, learners[2], TOY).write_text("{ half")
    todo, done = plan(submissions, toy_workbook.root, tmp_path, [TOY])
    assert [t.learner for t in done] == [learners[0]]
    assert {learners[1], learners[2]} <= {t.learner for t in todo} and len(todo) == len(learners) - 1
