"""Tests of grader._zygote (and the forked worker's sandbox, grader._worker._enter):
strict workers forked from a warm zygote are kept apart as bubblewrap's are, and die
with what owns them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from grader import _zygote
from grader._limits import Limits
from grader._outcomes import Status
from grader._pool import WarmPool
from grader._sandbox import available, kill_worker
from grader._session import WorkerSession

pytestmark = pytest.mark.skipif(bool(available()["strict"]), reason=f"strict isolation: {available()['strict']}")

FAST = Limits(cell_seconds=5, call_seconds=5)


@pytest.fixture(scope="module")
def pool():
    p = WarmPool()  # the libraries the workbook imports, pandas and scikit-learn among them
    yield p
    p.close()


def start(pool, *sources, limits=FAST) -> WorkerSession:
    s = WorkerSession([(i, textwrap.dedent(src)) for i, src in enumerate(sources)], limits, isolation="strict", pool=pool)
    return s.start()


def value(s: WorkerSession, name: str):
    kind, got = s.describe(name)
    assert kind == "value"
    return got


def running(marker: str) -> list[int]:
    """Pids of this machine's processes whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def wait_until_gone(marker: str, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running(marker)


SLEEPER = "import subprocess, sys\nCHILD = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{marker}']).pid\n"


def test_strict_workers_are_forked_by_the_zygote(pool):
    s = start(pool, "import sys\nWARM = all(m in sys.modules for m in ('pandas', 'pyarrow', 'sklearn.ensemble'))")
    try:
        assert isinstance(s._proc, _zygote.ForkedWorker)
        assert value(s, "WARM") is True
    finally:
        s.close()
    assert pool.zygote_failure == ""


PROBE = """
import os, socket
STATUS = dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines() if ':\\t' in line)
UID = os.getuid()
PID = os.getpid()
PIDS = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
INTERFACES = sorted(name for _, name in socket.if_nameindex())
HERE = os.getcwd()
open('mine.txt', 'w').write('x')
open('/dev/shm/mine', 'w').write('x')
"""
SNOOP = "import os\nSEEN = sorted(os.listdir('.'))\nSHM = sorted(os.listdir('/dev/shm'))"


def test_a_forked_worker_is_unprivileged_alone_and_offline(pool):
    s = start(pool, PROBE)
    try:
        status = value(s, "STATUS")
        assert value(s, "UID") == 65534
        for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[cap].strip(), 16) == 0, cap
        assert status["NoNewPrivs"].strip() == "1"
        assert value(s, "PID") == 2  # as under bubblewrap: its own pid namespace, an init as 1
        assert value(s, "PIDS") == [1, 2]  # no other worker to see
        assert value(s, "INTERFACES") in ([], ["lo"])
    finally:
        s.close()


def test_two_live_workers_see_neither_each_others_scratch_nor_shared_memory(pool):
    first = start(pool, PROBE)
    second = start(pool, PROBE, SNOOP)
    try:
        assert value(second, "SEEN") == ["mine.txt"]  # its own file only
        assert value(second, "SHM") == ["mine"]
        assert first._scratch != second._scratch
        assert sorted(os.listdir(first._scratch)) == ["mine.txt"]
        assert value(first, "HERE") == value(second, "HERE")  # both see their own at one path
    finally:
        first.close()
        second.close()


def test_closing_the_session_kills_what_the_worker_started(pool):
    marker = f"mlday-test-{uuid.uuid4().hex}"
    s = start(pool, SLEEPER.format(marker=marker))
    try:
        assert value(s, "CHILD") > 1
        assert running(marker)
    finally:
        s.close()
    assert wait_until_gone(marker) == []


def test_a_worker_past_its_time_limit_is_killed_with_what_it_started(pool):
    marker = f"mlday-test-{uuid.uuid4().hex}"
    s = start(pool, SLEEPER.format(marker=marker) + "while True:\n    pass", "y = 2", limits=Limits(cell_seconds=1))
    try:
        assert s.records[0].status is Status.TIMEOUT
        assert value(s, "y") == 2
        assert wait_until_gone(marker) == []  # while the session, and its zygote, live on
    finally:
        s.close()


@pytest.mark.parametrize(
    ("cell", "limits", "status", "message"),
    [
        ("import os\nos._exit(3)", FAST, Status.ERROR, "cell 1 ended the process (exit code 3)"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)", FAST, Status.ERROR, "segmentation fault"),
        ("while True:\n    pass", Limits(cell_seconds=20, cpu_seconds=1), Status.TIMEOUT, "CPU limit of 1 s"),
        ("while True:\n    pass", Limits(cell_seconds=1), Status.TIMEOUT, "cell 1 ran past its limit of 1 s"),
        ("big = bytearray(8 << 30)", FAST.replace(address_space_bytes=2 << 30), Status.OUT_OF_MEMORY, "memory"),
    ],
    ids=["exit", "segfault", "cpu", "wall", "memory"],
)
def test_a_worker_that_dies_is_reported_as_a_bubblewrap_one_is(pool, cell, limits, status, message):
    s = start(pool, "x = 1", cell, "y = x + 1", limits=limits)
    try:
        assert s.records[1].status is status
        assert message in s.records[1].message
        assert value(s, "y") == 2  # the restarted worker skipped the cell
    finally:
        s.close()


def test_a_zygote_that_ended_is_replaced():
    pool = WarmPool(modules=())
    try:
        proc, scratch = pool.take(None, "strict")
        kill_worker(proc)
        (zygote,) = pool._zygotes.values()
        kill_worker(zygote._proc)
        proc, scratch = pool.take(None, "strict")
        assert isinstance(proc, _zygote.ForkedWorker) and proc.poll() is None
        assert pool._zygotes[None] is not zygote and not zygote.root.exists()
        kill_worker(proc)
    finally:
        pool.close()


def test_without_a_zygote_the_pool_starts_workers_ahead(monkeypatch):
    monkeypatch.setattr(_zygote, "zygote_argv", lambda root, datasets: ["false"])
    pool = WarmPool(modules=())
    try:
        proc, scratch = pool.take(None, "strict")
        assert isinstance(proc, subprocess.Popen) and proc.poll() is None
        assert "zygote" in pool.zygote_failure
        kill_worker(proc)
    finally:
        pool.close()


# The worker is busy in a call when its owner is killed, so it does not end on its own
# at the end of its input.
def test_a_zygote_that_runs_a_thread_does_not_fork(tmp_path, monkeypatch):
    import threading

    from grader._worker import _zygote as zygote_side

    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked a process that runs two threads"))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    pipes = [os.pipe() for _ in range(3)]
    try:
        reply, fds = zygote_side._fork(None, {"scratch": "w-1", "modules": []}, [r for r, _ in pipes], str(tmp_path))
    finally:
        stop.set()
        thread.join()
        for r, w in pipes:
            os.close(r)
            os.close(w)
    assert reply["ok"] is False and "threads" in reply["message"] and fds == []


OWNER = """
import sys, threading, time
from grader._pool import WarmPool
from grader._session import WorkerSession
HANG = "def hang():\\n    while True:\\n        pass\\n"
s = WorkerSession([(0, sys.argv[1] + HANG)], isolation="strict", pool=WarmPool(modules=())).start()
s.describe("CHILD")
threading.Thread(target=s.call, args=("hang", (), {}), daemon=True).start()
time.sleep(0.5)
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_killed_owner_takes_the_zygote_and_every_worker_with_it():
    marker = f"mlday-test-{uuid.uuid4().hex}"
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, SLEEPER.format(marker=marker)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    try:
        assert owner.stdout.readline().strip() == b"ready"
        assert running(marker) and running("grader._worker._zygote")
        owner.kill()
        owner.wait()
        assert wait_until_gone(marker) == []
    finally:
        owner.kill()
        owner.wait()
