"""Denial of service: hangs, crashes and floods in the learner's code cost the cheat its
points and nothing else; the grader goes on, bounded in time, and leaves nothing running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from grader._outcomes import Status

from ._build import (
    CLAIMS,
    FAST,
    check_outcome,
    grade,
    grade_in_subprocess,
    new_marker,
    processes_with,
    require,
    submission,
    wait_until_gone,
)

TOTAL_CELL = 4  # intro, setup, double, test_double, total, test_total
WRONG = "got -1"
#: Calls that hang cost this long each.
SHORT_CALLS = FAST.replace(call_seconds=1.5)


def _hostile(wb, level, tmp_path, total, *, limits=FAST, **kwargs):
    started = time.monotonic()
    result = grade(wb, submission(wb, total, **kwargs), level, tmp_path / "submissions", limits=limits)
    return result, time.monotonic() - started


# -- hangs -------------------------------------------------------------------------------------

LOOP_IN_CALL = '''
def total(values):
    while True:
        pass
'''

LOOP_IN_CELL = '''
def total(values):
    return -1

while True:
    pass
'''

SIGNALS_IGNORED = '''
import signal

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGQUIT, signal.SIGUSR1):
    signal.signal(_sig, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})

def total(values):
    signal.alarm(1)
    while True:
        pass
'''


@pytest.mark.parametrize("attack", [LOOP_IN_CALL, SIGNALS_IGNORED], ids=["infinite-loop", "signals-ignored"])
def test_call_that_never_returns_times_out(wb, level, tmp_path, attack):
    require(level, "process", "infinite loops and ignored signals")
    result, took = _hostile(wb, level, tmp_path, attack, limits=SHORT_CALLS)
    check_outcome(wb, result, level, tmp_path, status=Status.TIMEOUT, message="the call of total ran past its limit of 1.5 s")
    assert took < 20


def test_cell_that_never_ends_times_out_and_is_skipped(wb, level, tmp_path):
    require(level, "process", "infinite loops")
    result, took = _hostile(wb, level, tmp_path, LOOP_IN_CELL)
    check_outcome(
        wb, result, level, tmp_path, status=Status.NOT_ATTEMPTED, message="total is not defined",
        cells={TOTAL_CELL: (Status.TIMEOUT, "cell 4 ran past its limit of 3 s")},
    )
    assert took < 20


def sleeping_thread(beat: str) -> str:
    return f'''
import threading, time

def _sleeper():
    while True:
        with open("{beat}", "a") as beat:
            beat.write(".")
        time.sleep(0.05)

threading.Thread(target=_sleeper).start()  # not a daemon: it would keep a normal exit waiting
threading.Thread(target=time.sleep, args=(3600,)).start()

def total(values):
    return -1
'''


def test_sleeping_threads_neither_delay_the_grade_nor_survive_it(wb, level, tmp_path):
    require(level, "process", "sleeping threads")
    beat = f"/tmp/{new_marker('thread')}"
    try:
        result, took = _hostile(wb, level, tmp_path, sleeping_thread(beat))
        check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
        assert took < 10
        size = os.path.getsize(beat) if os.path.exists(beat) else 0
        assert size > 0 or level != "basic"  # at basic the thread visibly ran
        time.sleep(0.5)
        assert (os.path.getsize(beat) if os.path.exists(beat) else 0) == size
    finally:
        if os.path.exists(beat):
            os.unlink(beat)


# -- processes -----------------------------------------------------------------------------------


def fork_bomb(marker_seconds: str) -> str:
    return f'''
import os

def total(values):
    return -1

CHILDREN = 0
for _ in range(200):
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{marker_seconds}"])
    CHILDREN += 1
'''


def test_fork_bomb_is_bounded_and_leaves_no_process(wb, level, tmp_path):
    require(level, "process", "a bounded fork bomb")
    seconds = f"{int(time.time()) % 1000 + 30}.{os.getpid()}{time.monotonic_ns() % 10**6}"  # a unique sleep
    # A lower RLIMIT_NPROC than the other tests' workers: the same uid runs them all. At
    # basic, 200 forks of a warm worker (scikit-learn imported) take seconds on a busy machine.
    result, took = _hostile(wb, level, tmp_path, fork_bomb(seconds), limits=FAST.replace(processes=32, cell_seconds=10))
    assert not wait_until_gone(f"sleep\0{seconds}", 5)
    if "nproc" in CLAIMS[level]:
        cells = {TOTAL_CELL: (Status.ERROR, "cell 4 raised BlockingIOError: [Errno 11] Resource temporarily unavailable")}
    else:  # bounded by the wall clock only: the 200 children live until the worker is killed
        cells = {}
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG, cells=cells)
    assert took < 20


def setsid_daemon(marker: str, out) -> str:
    return f'''
import os, sys, time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        code = (
            "import os, time\\n"
            "time.sleep(3)\\n"
            "for path in ('{out}/daemon.txt', '/tmp/{marker}.txt', os.path.join(os.environ.get('MLDAY_DATASETS', '/'), '{marker}.txt')):\\n"
            "    try:\\n"
            "        os.makedirs(os.path.dirname(path), exist_ok=True)\\n"
            "        open(path, 'w').write('written later')\\n"
            "    except OSError:\\n"
            "        pass\\n"
            "time.sleep(30)  # {marker}\\n"
        )
        os.execv(sys.executable, [sys.executable, "-c", code])
    os._exit(0)
os.wait()

def total(values):
    return -1
'''


def test_double_forked_setsid_daemon_dies_with_the_worker(wb, level, tmp_path):
    require(level, "sandbox", "a double-forked setsid daemon")
    marker, out = new_marker("daemon"), tmp_path / "out"
    try:
        result, _ = _hostile(wb, level, tmp_path, setsid_daemon(marker, out))
        assert not wait_until_gone(marker, 2)
        check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
        time.sleep(3.5)  # when it would have written
        assert not (out / "daemon.txt").exists()
        assert not os.path.exists(f"/tmp/{marker}.txt")
        assert not (wb.datasets / f"{marker}.txt").exists()
    finally:
        for pid in processes_with(marker):  # only if the test failed: the daemon is ours
            os.kill(pid, 9)
        Path(f"/tmp/{marker}.txt").unlink(missing_ok=True)


# -- memory, output, values ---------------------------------------------------------------------

MEMORY_BOMB_CELL = '''
def total(values):
    return -1

_hog = bytearray(64 << 30)
'''

MEMORY_BOMB_CALL = '''
def total(values):
    hog = []
    while True:
        hog.append(bytes(256 << 20))  # calloc: address space, not yet touched pages
'''


def test_memory_bomb_in_a_cell_is_out_of_memory(wb, level, tmp_path):
    require(level, "process", "memory bombs")
    result, _ = _hostile(wb, level, tmp_path, MEMORY_BOMB_CELL)
    check_outcome(
        wb, result, level, tmp_path, status=Status.FAILED, message=WRONG,
        cells={TOTAL_CELL: (Status.OUT_OF_MEMORY, "cell 4 ran out of memory")},
    )


def test_memory_bomb_in_a_call_is_out_of_memory(wb, level, tmp_path):
    require(level, "process", "memory bombs")
    result, _ = _hostile(wb, level, tmp_path, MEMORY_BOMB_CALL)
    check_outcome(wb, result, level, tmp_path, status=Status.OUT_OF_MEMORY, message="total ran out of memory")


STDOUT_FLOOD = '''
import os, sys

def total(values):
    return -1

_line = "flood " * 2000
while True:
    print(_line)
    sys.stderr.write(_line)
    os.write(1, _line.encode())
'''


def test_gigabytes_on_stdout_are_cut_to_the_output_limit(wb, level, tmp_path):
    require(level, "process", "huge outputs")
    result, took = _hostile(wb, level, tmp_path, STDOUT_FLOOD)
    check_outcome(
        wb, result, level, tmp_path, status=Status.NOT_ATTEMPTED, message="total is not defined",
        cells={TOTAL_CELL: (Status.TIMEOUT, "cell 4 ran past its limit of 3 s")},
    )
    assert FAST.output_bytes - 64 <= len(result.output.encode()) <= FAST.output_bytes + 4
    assert result.output.startswith("flood flood")
    assert took < 20


HUGE_ARRAY = '''
import numpy as np

def total(values):
    return np.zeros(2_000_000)
'''


def test_huge_array_returned_is_over_the_value_limit(wb, level, tmp_path):
    require(level, "process", "huge return values")
    result, _ = _hostile(wb, level, tmp_path, HUGE_ARRAY)
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message="total returned a value of 16.0 MB, over the limit of 1.0 MB")


HUGE_LIST = '''
def total(values):
    return list(range(300_000))  # about 2 MB of JSON
'''

HUGE_STR = '''
def total(values):
    return "x" * 8_000_000
'''


@pytest.mark.parametrize("attack", [HUGE_LIST, HUGE_STR], ids=["list", "str"])
def test_huge_list_or_str_returned_is_over_the_value_limit(wb, level, tmp_path, attack):
    require(level, "process", "huge return values")
    result, _ = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message="over the limit of 1.0 MB")


# -- crashes ----------------------------------------------------------------------------------------

DEEP_RECURSION = '''
def total(values, depth=0):
    return total(values, depth + 1)
'''

C_STACK_OVERFLOW = '''
import sys

class Bottomless:
    def __getattr__(self, name):
        return getattr(self, name)  # recursion in C, past any Python limit

def total(values):
    sys.setrecursionlimit(10**8)
    return Bottomless().anything
'''

SEGFAULT = '''
import ctypes

def total(values):
    return ctypes.string_at(0)
'''

OS_EXIT = '''
import os

def total(values):
    os._exit(3)
'''

SYS_EXIT = '''
import sys

def total(values):
    sys.exit(0)
'''

KEYBOARD_INTERRUPT = '''
def total(values):
    raise KeyboardInterrupt
'''


@pytest.mark.parametrize(
    ("attack", "status", "message"),
    [
        (DEEP_RECURSION, Status.ERROR, "total recursed too deeply (RecursionError)"),
        (C_STACK_OVERFLOW, Status.ERROR, "the call of total crashed the Python process (segmentation fault)"),
        (SEGFAULT, Status.ERROR, "the call of total crashed the Python process (segmentation fault)"),
        (OS_EXIT, Status.ERROR, "the call of total ended the process (exit code 3)"),
        (SYS_EXIT, Status.ERROR, "total called sys.exit(); a graded function must return a value"),
        (KEYBOARD_INTERRUPT, Status.ERROR, "total raised KeyboardInterrupt"),
    ],
    ids=["recursion", "c-stack-overflow", "ctypes-segfault", "os-exit", "sys-exit", "keyboard-interrupt"],
)
def test_call_that_crashes_or_exits_is_an_error_and_the_grader_goes_on(wb, level, tmp_path, attack, status, message):
    require(level, "process", "deep recursion, segfaults and exits")
    result, _ = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=status, message=message)


SEGFAULT_IN_CELL = '''
import ctypes

def total(values):
    return -1

ctypes.string_at(0)
'''


def test_segfault_in_a_cell_is_recorded_and_the_cell_skipped(wb, level, tmp_path):
    require(level, "process", "segfaults")
    result, _ = _hostile(wb, level, tmp_path, SEGFAULT_IN_CELL)
    check_outcome(
        wb, result, level, tmp_path, status=Status.NOT_ATTEMPTED, message="total is not defined",
        cells={TOTAL_CELL: (Status.ERROR, "cell 4 crashed the Python process (segmentation fault)")},
    )


# -- a worker that stops reading its requests ----------------------------------------------------

STALL_PROTOCOL = '''
import os, threading

def double(x):
    if x == 11:
        # The last call before total's hidden test: stop reading the grader's requests,
        # but keep their pipe open. total's hidden values (> 64 KiB) then never fit in it.
        keep = os.dup(3)
        read_end, write_end = os.pipe()
        os.dup2(read_end, 3)
        threading.Timer(30, os._exit, (0,)).start()  # hygiene: gone in any case after 30 s
    return 2 * x
'''


def test_worker_that_stops_reading_requests_times_out(wb, level, tmp_path):
    require(level, "process", "a worker that hangs")
    nb = submission(wb, "def total(values):\n    return -1", double=STALL_PROTOCOL)
    # in a grading process of its own, killed after 30 s: a regression must not hang the suite
    run = grade_in_subprocess(wb, nb, level, tmp_path, timeout=30, limits=SHORT_CALLS)
    assert run.returncode == 0, run.log
    hidden = next(t for t in run.result.tests if t.test.endswith("::test_total_hidden"))
    assert (hidden.status, hidden.score) == (Status.TIMEOUT, 0)
    assert "the call of total ran past its limit of 1.5 s" in hidden.message
    assert run.result.score == 3.0

