"""Tests of grader._session.WorkerSession: the learner's cells and calls in a worker process.

Each session runs under short limits (2 s per cell and per call), so that the tests of
hangs stay fast.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
import time

import pytest

from grader._limits import Limits
from grader._outcomes import LearnerError, LearnerWarning, NotAttempted, OutOfMemory, Status, Timeout
from grader._session import WorkerSession
from grader._worker._cells import strip_magics

FAST = Limits(cell_seconds=2, call_seconds=2)


@contextlib.contextmanager
def session(*sources: str, limits: Limits = FAST):
    """A started session over cells 0, 1, ... with ``sources``; closed afterwards."""
    s = WorkerSession([(i, textwrap.dedent(src)) for i, src in enumerate(sources)], limits)
    try:
        yield s.start()
    finally:
        s.close()


def value(s: WorkerSession, name: str):
    kind, got = s.describe(name)
    assert kind == "value"
    return got


def gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (ended, or a zombie waiting for a reaper)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# -- cells --------------------------------------------------------------------------


def test_clean_cells_run_in_one_namespace():
    with session("x = 20", "def add(a, b=1):\n    return a + b + x", "LABELS = ['fraud', 'ok']") as s:
        assert s.records == {}
        assert s.describe("add") == ("callable", None)
        assert s.call("add", (1,), {"b": 2}) == 23
        assert value(s, "LABELS") == ["fraud", "ok"]


def test_syntax_error_cell_is_recorded_and_later_cells_run():
    with session("x = 1", "def broken(:\n    pass", "y = x + 1") as s:
        assert list(s.records) == [1]
        record = s.records[1]
        assert record.status is Status.ERROR
        assert record.message.startswith("cell 1 has a syntax error")
        assert value(s, "y") == 2


def test_exception_in_a_cell_is_recorded_with_the_learners_traceback():
    with session("x = 1", "def f():\n    return 1 / 0\nf()", "y = x + 1") as s:
        record = s.records[1]
        assert record.status is Status.ERROR
        assert record.message.startswith("cell 1 raised ZeroDivisionError: division by zero")
        assert "cell 1, line 2, in f" in record.message
        assert "grader" not in record.message  # no frames of the grader's own code
        assert value(s, "y") == 2


def test_sys_exit_in_a_cell_is_recorded_and_later_cells_run():
    with session("x = 1", "import sys\nsys.exit()", "y = x + 1") as s:
        assert s.records[1].status is Status.ERROR
        assert "cell 1 called sys.exit()" in s.records[1].message
        assert value(s, "y") == 2


def test_infinite_loop_in_a_cell_times_out_and_the_restarted_worker_skips_it():
    with session(
        "open('runs.txt', 'a').write('0')\nx = 1",
        "open('runs.txt', 'a').write('L')\nwhile True:\n    pass",
        "y = x + 1\nRUNS = open('runs.txt').read()",
    ) as s:
        assert list(s.records) == [1]
        record = s.records[1]
        assert record.status is Status.TIMEOUT
        assert record.message == "cell 1 ran past its limit of 2 s"
        assert value(s, "y") == 2
        # cell 0 ran again in the new worker; the looping cell did not
        assert value(s, "RUNS") == "0L0"


def test_os_exit_in_a_cell_is_recorded_and_later_cells_run():
    with session("x = 1", "import os\nos._exit(3)", "y = x + 1") as s:
        record = s.records[1]
        assert record.status is Status.ERROR
        assert record.message.startswith("cell 1 ended the process (exit code 3)")
        assert value(s, "y") == 2


def test_memory_bomb_in_a_cell_is_out_of_memory():
    with session("x = 1", "big = bytearray(8 << 30)", "y = x + 1", limits=FAST.replace(address_space_bytes=2 << 30)) as s:
        record = s.records[1]
        assert record.status is Status.OUT_OF_MEMORY
        assert "cell 1" in record.message and "memory" in record.message
        assert value(s, "y") == 2


# -- calls ----------------------------------------------------------------------------

LOOPS = """
def spin(n):
    while True:
        n += 1

def ok():
    return 'still here'
"""


def test_call_that_loops_forever_times_out_and_the_next_call_works():
    with session(LOOPS) as s:
        started = time.monotonic()
        with pytest.raises(Timeout, match=r"^the call of spin ran past its limit of 2 s$"):
            s.call("spin", (0,), {})
        assert time.monotonic() - started < 10
        assert s.call("ok", (), {}) == "still here"


def test_call_that_timed_out_twice_is_not_called_again():
    with session(LOOPS) as s:
        for _ in range(2):
            with pytest.raises(Timeout, match="ran past its limit"):
                s.call("spin", (0,), {})
        started = time.monotonic()
        with pytest.raises(Timeout, match=r"spin was not called again, because it failed this way twice: .*ran past its limit"):
            s.call("spin", (0,), {})
        assert time.monotonic() - started < 1
        assert s.call("ok", (), {}) == "still here"


def test_call_that_exits_the_process_is_a_learner_error_and_the_next_call_works():
    with session("import os\ndef die():\n    os._exit(7)\ndef ok():\n    return 1") as s:
        with pytest.raises(LearnerError, match=r"^the call of die ended the process \(exit code 7\)"):
            s.call("die", (), {})
        assert s.call("ok", (), {}) == 1


def test_learner_exception_in_a_call_is_a_learner_error_with_its_traceback():
    with session("def f(x):\n    raise ValueError(f'bad {x}')") as s:
        with pytest.raises(LearnerError, match=r"^f raised ValueError: bad 3$") as info:
            s.call("f", (3,), {})
        assert "cell 0, line 2, in f" in info.value.traceback


def test_stub_is_not_attempted():
    with session("def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()") as s:
        with pytest.raises(NotAttempted, match=r"^double is still the stub"):
            s.call("double", (2,), {})


def test_not_implemented_raised_by_a_library_is_not_the_stub():
    with session("import codecs\ndef double(x):\n    return codecs.Codec().encode(x)") as s:
        with pytest.raises(LearnerError, match=r"^double raised NotImplementedError$"):
            s.call("double", (2,), {})


def test_undefined_name_is_not_attempted():
    with session("x = 1") as s:
        with pytest.raises(NotAttempted, match=r"^double is not defined"):
            s.call("double", (2,), {})
        with pytest.raises(NotAttempted, match=r"^THRESHOLD is not defined"):
            s.describe("THRESHOLD")


def test_float_subclass_with_a_patched_eq_is_refused_naming_its_type():
    cheat = """
    class Cheat(float):
        def __eq__(self, other):
            return True
        __hash__ = float.__hash__

    def double(x):
        return Cheat(0.0)
    """
    with session(cheat) as s:
        with pytest.raises(LearnerError, match=r"^double returned an object of type __main__\.Cheat; return plain Python values"):
            s.call("double", (2,), {})


def test_warnings_in_a_call_are_re_emitted_as_learner_warnings():
    src = "import warnings\ndef noisy():\n    warnings.warn('labels have not arrived', UserWarning)\n    return 1"
    with session(src) as s:
        with pytest.warns(LearnerWarning, match=r"^noisy: UserWarning: labels have not arrived$"):
            assert s.call("noisy", (), {}) == 1


def test_printed_output_is_kept_but_bounded():
    # 200 kB does not fit a pipe: the cell cannot finish before its output was read.
    with session("print('A' * 200_000)", limits=FAST.replace(output_bytes=1000)) as s:
        assert bytes(s.output) == b"A" * 1000


def test_output_printed_by_calls_is_not_kept():
    with session("print('from the cell ' + 'x' * 100_000)\ndef f():\n    print('HIDDEN DATA ' * 10_000)\n    return 1") as s:
        assert s.call("f", (), {}) == 1
        time.sleep(0.2)
        assert bytes(s.output).startswith(b"from the cell ")
        assert b"HIDDEN DATA" not in bytes(s.output)


def test_memory_bomb_in_a_call_is_out_of_memory():
    with session("def bomb():\n    return len(bytearray(8 << 30))\ndef ok():\n    return 2", limits=FAST.replace(address_space_bytes=2 << 30)) as s:
        with pytest.raises((OutOfMemory, LearnerError), match="memory"):
            s.call("bomb", (), {})
        assert s.call("ok", (), {}) == 2


def test_running_thread_does_not_keep_close_from_returning():
    src = """
    import os, threading, time
    threading.Thread(target=time.sleep, args=(600,)).start()
    PID = os.getpid()
    """
    s = WorkerSession([(0, textwrap.dedent(src))], FAST).start()
    pid = value(s, "PID")
    started = time.monotonic()
    s.close()
    assert time.monotonic() - started < 5
    assert gone(pid)


def test_after_close_the_worker_and_what_it_started_are_gone():
    src = """
    import os, subprocess
    PID = os.getpid()
    CHILD = subprocess.Popen(['sleep', '600']).pid
    """
    with session(src) as s:
        pid, child = value(s, "PID"), value(s, "CHILD")
        assert not gone(pid) and not gone(child)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)


def test_worker_runs_in_a_scratch_folder_that_close_removes():
    with session("import os\nHERE = os.getcwd()") as s:
        here = value(s, "HERE")
        assert os.path.basename(here).startswith("mlday-worker-")
        assert os.path.isdir(here)
    assert not os.path.exists(here)


# -- known gaps (grader bugs) ------------------------------------------------------------


def test_forged_ungradable_reply_for_a_cell_does_not_crash_the_session():
    patch = """
    import grader._worker._cells as cells
    cells.describe_exception = lambda *args, **kwargs: {"ok": False, "kind": "ungradable", "message": "forged", "traceback": ""}
    """
    with session(patch, "1 / 0", "y = 2") as s:
        assert s.records[1].status is not Status.UNGRADABLE
        assert value(s, "y") == 2


def test_learner_cannot_make_its_own_errors_ungradable():
    patch = """
    import grader._invoke as invoke
    invoke.describe_exception = lambda *args, **kwargs: {"ok": False, "kind": "ungradable", "message": "the grader broke", "traceback": ""}
    def double(x):
        raise ValueError("wrong")
    """
    with session(patch) as s:
        with pytest.raises(LearnerError):
            s.call("double", (2,), {})


def test_cell_that_closes_the_protocol_and_hangs_is_not_out_of_memory():
    with session("import os, time\nos.closerange(3, 256)\ntime.sleep(60)", "y = 2") as s:
        assert s.records[0].status is not Status.OUT_OF_MEMORY
        assert value(s, "y") == 2


def test_output_of_the_last_cell_is_always_kept():
    # Stops at the first loss; 200 clean runs in a row would mean the race is gone.
    for _ in range(200):
        with session("x = 1", "print('the last words')") as s:
            assert b"the last words" in bytes(s.output)


# -- magics ------------------------------------------------------------------------------


def _runs(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<cell>", "exec"), namespace)  # noqa: S102 - our own test source
    return namespace


def test_line_magics_and_shell_escapes_become_no_ops():
    source = "%matplotlib inline\nx = 1\n!ls -l\nif x:\n    %time y = 2\n    z = 3"
    code = strip_magics(source)
    assert code.splitlines() == [
        "pass  # %matplotlib inline",
        "x = 1",
        "pass  # !ls -l",
        "if x:",
        "    pass  # %time y = 2",
        "    z = 3",
    ]
    assert _runs(code)["z"] == 3


def test_cell_magic_cell_compiles_and_keeps_its_line_count():
    source = "%%bash\necho hello\nls -l"
    code = strip_magics(source)
    assert len(code.splitlines()) == 3
    _runs(code)  # plain Python now: no SyntaxError


def test_plain_python_is_left_alone():
    source = "x = 10 % 3\ny = [a for a in range(5) if a % 2]\nprint(f'{x!r}')\nz = x != 1"
    assert strip_magics(source) == source


def test_modulo_at_the_start_of_a_continuation_line_is_left_alone():
    source = "b, c = 7, 4\na = (b\n % c)"
    assert strip_magics(source) == source
    assert _runs(strip_magics(source))["a"] == 3


def test_time_cell_magic_still_runs_its_body():
    code = strip_magics("%%time\ndef double(x):\n    return 2 * x")
    assert len(code.splitlines()) == 3
    assert _runs(code)["double"](2) == 4


def test_unseeded_draws_are_the_same_in_every_grading_and_differ_between_calls():
    draws = "import random\nimport numpy as np\ndef draw():\n    return [random.random(), float(np.random.rand())]\nFIRST = draw()"
    with session(draws, limits=Limits(cell_seconds=20, call_seconds=20)) as one:
        first, again = value(one, "FIRST"), one.call("draw", (), {})
    with session(draws, limits=Limits(cell_seconds=20, call_seconds=20)) as other:
        assert value(other, "FIRST") == first  # another grading, the same draws
        assert other.call("draw", (), {}) == again
    assert again != first  # the generators still move on between calls
