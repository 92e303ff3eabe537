"""Tests of grader._batch through ``mlday grade``: a class graded twice gives the same
results, and a run killed with SIGKILL, then resumed, gives what an uninterrupted run
gives, with nothing lost, duplicated or half-written.

Each submission costs a warm worker (numpy, pandas and scikit-learn imported), so the
class is as small as these properties allow: one learner of each kind, and one more."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader._release import release_notebook
from grader._store import comparable_results
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


# One learner of each kind, then a second perfect one. The hanging learner takes three
# call timeouts, so a kill after the third result lands with the class partly graded.
LEARNERS = [f"l{i:02d}_{kind}" for i, kind in enumerate([*KINDS, "perfect"])]


@pytest.fixture(scope="module")
def klass(toy_workbook, tmp_path_factory):
    """Every kind of submission, one learner each, and a second perfect one."""
    folder = tmp_path_factory.mktemp("class")
    released = release_notebook(toy_notebook())
    for learner in LEARNERS:
        kind = learner.split("_", 1)[1]
        toy_workbook.write(folder / learner, f"{TOY}.ipynb", KINDS[kind] or released)
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
    return comparable_results(out)


@pytest.fixture(scope="module")
def uninterrupted(klass, toy_workbook, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grades") / "a"
    done = _grade(klass, out, toy_workbook)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_every_kind_gets_its_grade(uninterrupted):
    scores = {path.split("/")[0].split("_", 1)[1]: doc["score"] for path, doc in _results(uninterrupted).items()}
    assert len(_results(uninterrupted)) == len(LEARNERS)
    assert scores == {"perfect": 3.0, "blank": 0.0, "wrong": 0.0, "raises": 0.0, "hangs": 0.0}


def test_force_regrades_everything_and_the_second_grading_gives_the_same_results(klass, toy_workbook, uninterrupted, tmp_path):
    # One run proves both: every result of the first run is here, each one altered, so
    # only a regrade of every submission can give back the first run's results.
    out = tmp_path / "b"
    out.mkdir()
    for path in uninterrupted.glob("*/*/results.json"):
        target = out / path.relative_to(uninterrupted)
        target.parent.mkdir(parents=True)
        doc = json.loads(path.read_text())
        doc["score"] = -1
        target.write_text(json.dumps(doc))
    done = _grade(klass, out, toy_workbook, "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(LEARNERS)} to grade, 0 already graded" in done.stdout
    assert _results(out) == _results(uninterrupted)
    assert (out / "gradebook.csv").read_text() == (uninterrupted / "gradebook.csv").read_text()


def test_a_run_killed_with_sigkill_resumes_to_the_same_gradebook(klass, toy_workbook, uninterrupted, tmp_path):
    out = tmp_path / "c"
    # A session of its own: what the killed run leaves running is stopped at the end.
    proc = subprocess.Popen(_command(klass, out), env=_env(toy_workbook), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while len(list(out.glob("*/*/results.json"))) < 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # the grader's process alone, as the OOM killer or kill -9 would
        proc.wait()
        partial = len(list(out.glob("*/*/results.json")))
        assert 3 <= partial < len(LEARNERS), "the kill did not land partway"
        # A kill during a write leaves a temporary file; plant one where the kill cannot be
        # timed, beside a result still to come.
        waiting = next(learner for learner in LEARNERS if not (out / learner / TOY / "results.json").exists())
        half = out / waiting / TOY / ".results.json.killed.tmp"
        half.parent.mkdir(parents=True, exist_ok=True)
        half.write_text('{"score": 3')

        resumed = _grade(klass, out, toy_workbook)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert f"{len(LEARNERS) - partial} to grade, {partial} already graded" in resumed.stdout
        assert _results(out) == _results(uninterrupted)
        assert (out / "gradebook.csv").read_text() == (uninterrupted / "gradebook.csv").read_text()
        assert not [p for p in out.rglob("*.tmp")], "a temporary file of the killed run was left behind"
        # The killed run's grading processes die with it.
        assert _group_ends(proc.pid, within=30), "the killed run's grading processes are still running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _group_ends(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


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


def test_a_class_is_planned_exercise_by_exercise(tmp_path):
    from grader._batch import plan
    from grader._exercises import find_exercises

    root = Path(__file__).resolve().parents[1]
    first, second = find_exercises(root)[:2]
    submissions = [(learner, ex.released) for learner in ("ann", "bob") for ex in (first, second)]
    todo, done = plan(submissions, root, tmp_path, [first.name, second.name])
    assert not done
    assert [(t.learner, t.exercise) for t in todo] == [("ann", first.name), ("bob", first.name), ("ann", second.name), ("bob", second.name)]
