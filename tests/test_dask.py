"""Tests of grader._dask: ``mlday grade --executor dask`` on a real LocalCluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from conftest import TOY, toy_notebook
from grader._batch import plan
from grader._limits import Limits
from grader._release import release_notebook

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

LIMITS = Limits(cell_seconds=5, call_seconds=5)
SLOW = "import time\ntime.sleep(1)"  # so that a worker can be killed while it grades
# Perfect, blank, wrong, perfect: every kind, and more tasks than the two workers, so
# that both still hold one when the first result comes back. Each costs a warm worker.
LEARNERS = 4
SCORES = {f"learner{i}": [3.0, 0.0, 0.0][i % 3] for i in range(LEARNERS)}


@pytest.fixture(scope="module")
def klass(toy_workbook, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    kinds = [toy_notebook(scratch=(SLOW,)), release_notebook(toy_notebook()),
             toy_notebook("def double(x):\n    return 3 * x\n", scratch=(SLOW,))]
    for i in range(LEARNERS):
        toy_workbook.write(folder / f"learner{i}", f"{TOY}.ipynb", kinds[i % 3])
    return folder


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50) as c:
        yield c


@pytest.fixture
def on_toy(toy_workbook, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    return toy_workbook.root


def _tasks(klass, root, out):
    from grader.cli.grade import find_submissions

    todo, _ = plan(find_submissions([klass]), root, out, [TOY])
    return todo


def _comparable(result) -> dict:
    from grader._render.gradescope import render

    doc = render(result)
    doc.pop("execution_time")
    return doc


def test_results_on_the_cluster_are_those_of_local_grading(klass, cluster, on_toy, tmp_path):
    from grader._batch import grade_all as local
    from grader._dask import grade_all

    tasks = _tasks(klass, on_toy, tmp_path)
    remote = {t.learner: _comparable(r) for t, r in grade_all(tasks, on_toy, scheduler=cluster.scheduler_address, limits=LIMITS, isolation="basic")}
    here = {t.learner: _comparable(r) for t, r in local(tasks, on_toy, jobs=1, limits=LIMITS, isolation="basic")}
    assert len(remote) == LEARNERS
    assert remote == here
    assert {learner: doc["score"] for learner, doc in remote.items()} == SCORES


def test_the_workbook_travels_once_per_run_not_once_per_task(klass, cluster, on_toy, tmp_path):
    from distributed import Client

    from grader._dask import grade_all, workbook_bundle

    size = len(workbook_bundle(on_toy))
    graph = None
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        for _ in grade_all(_tasks(klass, on_toy, tmp_path), on_toy, scheduler=cluster.scheduler_address, limits=LIMITS, isolation="basic"):
            if graph is None:  # while the run's tasks are still known to the scheduler
                graph = client.run_on_scheduler(_graph)
    grading = {key: deps for key, (deps, _) in graph.items() if key.startswith("mlday-grade")}
    big = [key for key, (_, nbytes) in graph.items() if nbytes >= size]
    assert len(grading) == LEARNERS
    assert len(big) == 1, "the workbook should be one piece of data on the cluster"
    assert all(big[0] in deps for deps in grading.values()), "each task should depend on the one scattered workbook"


def _graph(dask_scheduler):
    return {str(ts.key): ([str(d.key) for d in ts.dependencies], ts.nbytes) for ts in dask_scheduler.tasks.values()}


def test_a_worker_killed_mid_run_loses_no_submission(klass, cluster, on_toy, tmp_path):
    from grader._dask import grade_all

    tasks = _tasks(klass, on_toy, tmp_path)
    pids = [nanny.process.process.pid for nanny in cluster.workers.values()]
    seen = []
    killed = threading.Event()
    for task, result in grade_all(tasks, on_toy, scheduler=cluster.scheduler_address, limits=LIMITS, isolation="basic"):
        seen.append((task.learner, result))
        if not killed.is_set():
            os.kill(pids[0], signal.SIGKILL)  # one worker dies with a task in hand
            killed.set()
    assert killed.is_set()
    learners = [learner for learner, _ in seen]
    assert sorted(learners) == sorted(t.learner for t in tasks)  # each exactly once
    assert not [r for _, r in seen if r.ungradable]
    assert {learner: r.score for learner, r in seen} == SCORES


def test_a_task_that_keeps_failing_is_reported_ungradable(klass, cluster, on_toy, tmp_path, monkeypatch):
    import grader._dask as remote

    tasks = _tasks(klass, on_toy, tmp_path)[:1]
    monkeypatch.setattr(remote, "grade_remote", _always_fails)
    [(task, result)] = list(remote.grade_all(tasks, on_toy, scheduler=cluster.scheduler_address, limits=LIMITS, isolation="basic", retries=1))
    assert task.learner == "learner0" and result.exercise == TOY
    assert result.ungradable.startswith("the grading task failed on the cluster 2 times: RuntimeError: worker lost")


def _always_fails(*args, **kwargs):
    raise RuntimeError("worker lost")


def test_the_cli_grades_on_the_cluster_and_writes_the_reports(klass, cluster, on_toy, tmp_path):
    out = tmp_path / "grades"
    code = subprocess.run(
        [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())", "grade", str(klass), "--out", str(out),
         "--executor", "dask", "--scheduler", cluster.scheduler_address, "--isolation", "basic", "--cell-timeout", "5", "--call-timeout", "5"],
        env=dict(os.environ, COLUMNS="200"), capture_output=True, text=True, timeout=300,
    )
    assert code.returncode == 0, code.stdout + code.stderr
    assert "isolation: basic on each worker" in code.stdout
    assert len(list(out.glob("*/*/results.json"))) == LEARNERS
    assert json.loads((out / "learner0" / TOY / "results.json").read_text())["score"] == 3.0
    assert (out / "gradebook.csv").is_file()


def test_local_grading_does_not_import_dask(klass, on_toy, tmp_path):
    script = (
        "import sys; from grader.cli import main; code = main(sys.argv[1:]); "
        "sys.exit(code or (3 if any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules) else 0))"
    )
    done = subprocess.run([sys.executable, "-c", script, "grade", str(klass / "learner1"), "--out", str(tmp_path / "g"), "--isolation", "basic"],
                          env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("argv, message", [
    (["--executor", "dask"], "--executor dask needs --scheduler ADDRESS"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler applies only with --executor dask"),
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "-j", "2"], "-j applies to local grading"),
])
def test_bad_executor_options_are_one_line_errors(klass, on_toy, tmp_path, capsys, argv, message):
    from grader.cli import main

    assert main(["grade", str(klass), "--out", str(tmp_path / "g"), *argv]) == 3
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_an_unreachable_scheduler_is_a_one_line_error(klass, on_toy, tmp_path, capsys, monkeypatch):
    from grader.cli import main

    # The real client and its real failure, after 2 s rather than the grader's 20 s.
    client = distributed.Client
    monkeypatch.setattr(distributed, "Client", lambda *args, **kwargs: client(*args, **{**kwargs, "timeout": "2s"}))
    assert main(["grade", str(klass), "--out", str(tmp_path / "g"), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]) == 3
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in err and err.count("\n") == 1
