"""Survival and leaks: a class graded in one run with hostile learners in it.

The honest learners get exactly the results they get alone, every hostile learner gets
its honest points, the run ends cleanly, and nothing of the hidden tests, the hidden data
or the solution appears in any file it writes or line it prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader._grading import grade_notebook
from grader._limits import Limits
from grader._outcomes import Status
from grader._store import read_result, result_path, write_result

from . import test_denial_of_service as dos
from . import test_hostile_data as data
from . import test_raise_grade as cheat
from ._build import (
    CLAIMS,
    HIDDEN_VALUES,
    LEVELS,
    STRONGEST,
    assert_no_leaks,
    check_outcome,
    comparable,
    grade,
    grade_in_subprocess,
    new_marker,
    processes_with,
    rendered,
    require,
    submission,
    wait_until_gone,
)

#: The limits `mlday grade --cell-timeout 3 --call-timeout 3` grades with.
CLI_LIMITS = Limits(cell_seconds=3, call_seconds=3)
HONEST = {"alice": None, "bob": None, "carol": "def total(values):\n    return -1"}


def _hostile_class(wb, level: str, out: Path, marker: str) -> dict[str, str]:
    """learner -> the source of their ``total``, every attack the level claims to stop."""
    attacks = {
        "h-float": cheat.FLOAT_SUBCLASS,
        "h-patch-grader": cheat.PATCH_GRADER,
        "h-frames": cheat.SEARCH_FRAMES_GC_MODULES,
        # at basic, another learner's results may be written while this one runs: its own only
        "h-later": cheat.act_later(out, f"/tmp/{marker}-beat", f"/tmp/{marker}-atexit", "alice" if "sandbox" in CLAIMS[level] else "h-later"),
        "h-loop": dos.LOOP_IN_CALL,
        "h-flood": dos.STDOUT_FLOOD,
        "h-memory": dos.MEMORY_BOMB_CELL,
        "h-forks": dos.fork_bomb(f"{int(time.time()) % 1000 + 40}.{os.getpid()}"),
        "h-segfault": dos.SEGFAULT,
        "h-exit": dos.OS_EXIT,
        "h-npy": data.npy_pickle_payload(marker),
        "h-protocol": data.RAW_PROTOCOL.format(garbage="[" + ", ".join(data.PROTOCOL_GARBAGE["huge-length-and-bad-json"]) + "]"),
    }
    if "sandbox" in CLAIMS[level]:
        attacks |= {
            "h-forge": cheat.forge_results(out).replace('("hostile", "victim")', '("alice", "bob", "h-forge")'),
            "h-read": cheat.read_hidden_from_disk(wb),
            "h-daemon": dos.setsid_daemon(marker, out),
        }
    return attacks


def test_one_run_grades_honest_learners_as_alone_and_hostile_ones_their_honest_part(wb, level, tmp_path):
    require(level, "process", "submissions that harm others in the same run")
    out, marker, folder = tmp_path / "out", new_marker("class"), tmp_path / "class"
    attacks = _hostile_class(wb, level, out, marker)
    learners = {name: submission(wb, total) if total else submission(wb) for name, total in HONEST.items()}
    learners |= {name: submission(wb, total) for name, total in attacks.items()}
    for name, nb in learners.items():
        (folder / name).mkdir(parents=True)
        nbformat.write(nb, folder / name / "99_toy.ipynb")
    alone = {name: _alone(wb, folder / name / "99_toy.ipynb", level) for name in HONEST}

    mlday = Path(sys.executable).with_name("mlday")
    argv = [str(mlday), "grade", str(folder), "--out", str(out), "-j", "2", "--isolation", level, "--cell-timeout", "3", "--call-timeout", "3"]
    try:
        done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=240, cwd=tmp_path, env=dict(os.environ, MLDAY_ROOT=str(wb.root)))
        assert not wait_until_gone(marker, 5)
    finally:
        for pid in processes_with(marker):
            os.kill(pid, 9)
        for suffix in ("beat", "atexit"):
            Path(f"/tmp/{marker}-{suffix}").unlink(missing_ok=True)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"isolation: {level};" in " ".join(done.stdout.split())
    for name in HONEST:
        got = read_result(result_path(out, name, "99_toy"))
        assert _same(got) == _same(alone[name]), name
    for name in attacks:
        got = read_result(result_path(out, name, "99_toy"))
        assert (got.score, got.ungradable, got.invalid) == (3.0, "", False), (name, [(t.test, t.status, t.message) for t in got.tests])
        assert all(t.status is not Status.PASSED for t in got.tests if t.question == "total"), name
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(learners)
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    assert len(gradebook) == 1 + len(learners)
    assert not os.path.exists(f"/tmp/{marker}") and not (out / "daemon.txt").exists()
    written = "\n".join(p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file())
    assert_no_leaks(written, done.stdout, done.stderr)


def _alone(wb, path: Path, level: str):
    """The learner's result graded alone, as results.json stores it."""
    result = grade_notebook(path, wb.root, learner=path.parent.name, limits=CLI_LIMITS, isolation=level)
    return read_result(write_result(path.parent / "alone", result))


def _same(result):
    return comparable(result)


# -- the grading process itself ------------------------------------------------------------------

KILL_THE_GRADER = '''
import os, signal

def total(values):
    for target in (os.getppid(), os.getpgid(os.getppid())):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    return -1
'''


def test_worker_cannot_kill_the_grading_process(wb, level, tmp_path):
    # SECURITY.md does not list it; at basic the worker has the grader's uid, and may signal it
    require(level, "sandbox", "signals sent to the grading process")
    run = grade_in_subprocess(wb, submission(wb, KILL_THE_GRADER), level, tmp_path, timeout=60)
    assert run.returncode == 0, run.log
    assert run.result.score == 3.0
    assert [t.status for t in run.result.tests if t.question == "total"] == [Status.FAILED, Status.FAILED]


# -- the hidden data handed to a call -------------------------------------------------------------

PRINT_HIDDEN_INPUT = '''
def total(values):
    print("the hidden values:", values)
    return -1
'''


def test_hidden_input_printed_by_a_call_is_not_kept(wb, level, tmp_path):
    require(level, "process", "printing the hidden data")
    result = grade(wb, submission(wb, PRINT_HIDDEN_INPUT), level, tmp_path / "submissions")
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message="got -1")
    assert _hidden_prefix() not in result.output and "the hidden values" not in result.output


ECHO_BY_EXCEPTION = '''
def total(values):
    raise ValueError(values)
'''

ECHO_BY_VALUE = '''
def total(values):
    return list(values)
'''


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    "attack",
    [ECHO_BY_EXCEPTION, ECHO_BY_VALUE],
    ids=["exception", "returned-value"],
)
def test_hidden_input_echoed_back_does_not_reach_the_feedback(wb, level, tmp_path, attack):
    require(level, "process", "echoing the hidden data")
    result = grade(wb, submission(wb, attack), level, tmp_path / "submissions")
    assert result.score == 3.0
    assert _hidden_prefix() not in rendered(wb, [result], tmp_path / "out")


def _hidden_prefix() -> str:
    return ", ".join(map(str, HIDDEN_VALUES[:3]))


def test_strongest_level_is_the_one_in_force(wb, tmp_path):
    result = grade(wb, submission(wb), "auto", tmp_path)
    assert result.isolation == STRONGEST
