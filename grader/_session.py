"""Drive one submission's worker from the trusted process.

The session runs the notebook's cells one at a time under a wall-clock limit each,
then answers the proxy's calls. When a cell or a call kills or hangs the worker,
the worker is killed with its whole process group and, for the next test, started
again with the offending cells skipped, so one bad cell or call costs one test.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ._limits import Limits
from ._outcomes import LearnerError, OutOfMemory, Status, Timeout, Ungradable, emit_warnings, from_reply, value_from_reply
from ._pool import launch
from ._sandbox import kill_worker, launch_worker
from ._wire import Handle, Unencodable, WireError, encode, read_message, write_message


@dataclass(frozen=True)
class CellRecord:
    """What went wrong in one cell (cells that ran cleanly have no record)."""

    index: int
    status: Status
    message: str




class _Died(Exception):
    """The worker stopped answering; ``outcome`` says why, as the learner sees it."""

    def __init__(self, outcome):
        self.outcome = outcome


class WorkerSession:
    """One submission's worker, and the cells it runs.

    Parameters
    ----------
    cells : list of (int, str)
        The notebook's code cells to execute, as (index, source), in order.
    limits : Limits
    datasets : Path or None
        The folder of public data files, made known to the worker.
    preload : list of str
        Modules the worker imports before limits apply and before any learner code.
    isolation : str
        The sandbox level (see grader._sandbox): "strict", "standard" or "basic".
    pool : WarmPool or None
        Where to take warm workers from (see grader._pool); None starts cold ones.
    warm : tuple of str or None
        What the pool's next warm worker should import (this exercise's modules); None
        for the pool's default.
    """

    def __init__(self, cells, limits: Limits | None = None, datasets: Path | None = None, preload=(), isolation: str = "basic", pool=None, warm=None):
        self.cells = list(cells)
        self.pool = pool
        self.warm = warm
        self.isolation = isolation
        self.limits = limits or Limits()
        self.datasets = datasets
        self.preload = list(preload)
        self.records: dict[int, CellRecord] = {}
        self.output = bytearray()
        self._skip: set[int] = set()
        self._proc = None
        self._replies: queue.Queue | None = None
        self._scratch: Path | None = None
        self._dead: Exception | None = None
        self._restarts = 0
        self._deaths: dict[str, list] = {}
        self._deadline = time.monotonic() + self.limits.submission_seconds
        self._recording = True
        self._marker: bytes | None = None
        self._marked = threading.Event()
        self._tail = bytearray()

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> "WorkerSession":
        """Start the worker and run every cell; record what failed."""
        self._spawn()
        self._end_recording()
        return self

    def _end_recording(self) -> None:
        # The worker prints a nonce after the cells' own output; the drain thread keeps
        # what came before it, so the kept output does not depend on thread timing.
        if self._proc is None or self._proc.poll() is not None:
            self._recording = False
            return
        self._marker = os.urandom(16).hex().encode()
        try:
            self._request({"op": "mark", "nonce": self._marker.decode()}, [], timeout=5.0, what="the end of the cells")
        except _Died:
            self._recording = False
            return
        self._marked.wait(timeout=2.0)
        self._recording = False

    def close(self) -> None:
        """Stop the worker and everything it started; remove its scratch folder."""
        self._kill()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _spawn(self) -> None:
        self._kill()
        if self._scratch is not None:  # a restart keeps the files, as a restarted kernel would
            self._proc = launch_worker(self._scratch, self.datasets, self.isolation)
        elif self.pool is not None:
            self._proc, self._scratch = self.pool.take(self.datasets, self.isolation, self.warm)
        else:
            self._proc, self._scratch = launch(self.datasets, self.isolation)
        self._replies = queue.Queue()
        threading.Thread(target=self._read_replies, args=(self._proc, self._replies), daemon=True).start()
        threading.Thread(target=self._drain_output, args=(self._proc,), daemon=True).start()
        lim = self.limits
        init = {
            "op": "init",
            "max_value_bytes": lim.value_bytes,
            "preload": self.preload,
            "limits": {
                "cpu_seconds": lim.cpu_seconds,
                "address_space_bytes": lim.address_space_bytes,
                "file_size_bytes": lim.file_size_bytes,
                "open_files": lim.open_files,
                "processes": lim.processes if self.isolation == "strict" else None,
            },
        }
        try:
            self._request(init, [], timeout=60.0, what="the worker's start")
        except _Died as died:
            raise Ungradable(f"the worker did not start: {died.outcome}") from None
        self._run_cells()

    def _run_cells(self) -> None:
        for index, source in self.cells:
            if index not in self._skip and not self._run_cell(index, source):
                return

    def _run_cell(self, index: int, source: str) -> bool:
        """Run one cell and record what went wrong; False when the worker died (it is
        then started again, replaying the cells, if the limits allow)."""
        try:
            reply, _ = self._request(
                {"op": "run_cell", "index": index, "source": source},
                [],
                timeout=self.limits.cell_seconds,
                what=f"cell {index}",
            )
        except _Died as died:
            self._skip.add(index)
            self.records.setdefault(index, CellRecord(index, died.outcome.status, died.outcome.message))
            if not self._may_restart():
                self._dead = died.outcome
                return False
            self._restarts += 1
            self._spawn()
            return False
        if not reply.get("ok"):
            exc = from_reply(reply)
            message = exc.message + (f"\n{exc.traceback}" if exc.traceback else "")
            self.records.setdefault(index, CellRecord(index, exc.status, message))
        return True

    def forget(self, name: str) -> None:
        """Remove ``name`` from the worker's namespace (before its cell is replaced)."""
        if self._proc is not None and self._proc.poll() is None:
            self._run_cell(-1, f"globals().pop({name!r}, None)")

    def replace_cell(self, index: int, source: str) -> None:
        """Give cell ``index`` a new source and run it in the live worker, as if the
        notebook had had it all along for every later call (replays included)."""
        self.cells = [(i, source if i == index else s) for i, s in self.cells]
        self._skip.discard(index)
        self.records.pop(index, None)
        self._deaths.clear()
        if self._proc is None or self._proc.poll() is not None:
            if self._dead is None and self._may_restart():
                self._restarts += 1
                self._spawn()
            return
        self._run_cell(index, source)

    def _may_restart(self) -> bool:
        return self._restarts < self.limits.restarts and time.monotonic() < self._deadline

    def _ensure_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        if self._dead is not None:
            raise self._dead
        raise Ungradable("the worker is not running")

    # -- the proxy's requests --------------------------------------------------

    def describe(self, name: str, handle: Handle | None = None):
        """('callable', None) or ('value', decoded value) for the learner's ``name``
        (an attribute of the object behind ``handle``, if given)."""
        request = {"op": "describe", "name": name, "handle": _target(handle)}
        reply, blobs = self._ask(request, [], _label(name, handle))
        if reply.get("kind") == "callable":
            return "callable", None
        return "value", value_from_reply(_label(name, handle), reply, blobs)

    def call(self, name: str, args: tuple, kwargs: dict, handle: Handle | None = None):
        """Call the learner's ``name`` (or the method of the object behind ``handle``) in
        the worker; return the decoded result."""
        label = _label(name, handle)
        try:
            tree, blobs = encode([list(args), kwargs])
        except Unencodable as exc:
            raise Ungradable(f"a test passed {exc} to {label}") from None
        request = {"op": "call", "name": name, "handle": _target(handle), "args": tree[0], "kwargs": tree[1]}
        reply, out = self._ask(request, blobs, label)
        emit_warnings(label, reply)
        return value_from_reply(label, reply, out)

    def _ask(self, request: dict, blobs: list[bytes], name: str):
        # A name that hung or ended the worker twice is not called again: one bad function
        # must not spend the restarts (and the time) that the other questions need.
        deaths = self._deaths.get(name, [])
        if len(deaths) >= 2:
            last = deaths[-1]
            raise type(last)(f"{name} was not called again, because it failed this way twice: {last.message}")
        if self._proc is None or self._proc.poll() is not None:
            if self._dead is not None:
                raise type(self._dead)(f"the notebook's worker could not run this test: {self._dead.message}")
            if not self._may_restart():
                raise LearnerError(f"the notebook's code ended or hung the worker {self._restarts + 1} times; the remaining calls were not made")
            self._restarts += 1
            self._spawn()
            self._ensure_alive()
        try:
            reply, out = self._request(request, blobs, timeout=self.limits.call_seconds, what=f"the call of {name}")
        except _Died as died:
            self._deaths.setdefault(name, []).append(died.outcome)
            raise died.outcome from None
        if not reply.get("ok"):
            raise from_reply(reply)
        return reply, out

    # -- the wire ----------------------------------------------------------------

    def _request(self, header: dict, blobs: list[bytes], *, timeout: float, what: str):
        proc = self._proc
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            self._kill()
            raise _Died(Timeout(f"the submission ran past its total limit of {self.limits.submission_seconds:g} s"))
        wait = min(timeout, remaining)
        # A worker that stops reading would block a large write forever: write from a
        # thread, and count the write against the same limit as the answer.
        failed: list[BaseException] = []
        writer = threading.Thread(target=_write, args=(proc.stdin, header, blobs, failed), daemon=True)
        started = time.monotonic()
        writer.start()
        writer.join(wait)
        if writer.is_alive():
            self._kill()
            raise _Died(Timeout(f"{what} ran past its limit of {timeout:g} s (the worker stopped reading)"))
        if failed:
            raise _Died(self._death_outcome(what))
        try:
            item = self._replies.get(timeout=max(0.0, wait - (time.monotonic() - started)))
        except queue.Empty:
            self._kill()
            if wait < timeout:
                raise _Died(Timeout(f"{what} ran past the submission's total limit of {self.limits.submission_seconds:g} s")) from None
            raise _Died(Timeout(f"{what} ran past its limit of {timeout:g} s")) from None
        if isinstance(item, BaseException):
            if isinstance(item, WireError):
                self._kill()
                raise _Died(LearnerError(f"{what} broke the worker's protocol: {item}"))
            raise _Died(self._death_outcome(what))
        return item

    def _read_replies(self, proc, replies: queue.Queue) -> None:
        stream = proc.stdout
        limit = self.limits.value_bytes + (16 << 20)
        while True:
            try:
                msg = read_message(stream, max_bytes=limit)
            except WireError as exc:
                replies.put(exc)
                return
            except Exception as exc:  # noqa: BLE001 - EOF, a closed pipe, or bytes from a hostile worker
                replies.put(EOFError(f"{type(exc).__name__}: {exc}"))
                return
            if msg is None:
                replies.put(EOFError("the worker closed its output"))
                return
            replies.put(msg)

    def _drain_output(self, proc) -> None:
        stream, keep = proc.stderr, self.limits.output_bytes
        while True:
            try:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            # Keep only what the cells printed on the first run: replays repeat it, and
            # calls may print the hidden data they were given.
            if not self._recording or self._marked.is_set():
                continue
            data = bytes(self._tail) + chunk
            at = data.find(self._marker) if self._marker else -1
            if at >= 0:
                split = bytes(data[at : len(self._tail)])  # the marker's start, from the last chunk
                if split and self.output.endswith(split):
                    del self.output[len(self.output) - len(split) :]
                chunk = chunk[: max(0, at - len(self._tail))]
                self._marked.set()
            self.output += chunk[: max(0, keep - len(self.output))]
            self._tail = bytearray(data[-64:])

    def _death_outcome(self, what: str):
        reaped = self._reap(self._proc)
        self._kill()
        if reaped is None:
            return LearnerError(f"{what} closed the worker's connection to the grader and was stopped")
        status, usage = reaped
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        if sig is None and self.isolation != "basic" and code is not None and code > 128:
            sig = code - 128  # bubblewrap exits with 128 + the signal that ended the worker
        if sig is not None:
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and usage >= self.limits.cpu_seconds):
                return Timeout(f"{what} ran past the CPU limit of {self.limits.cpu_seconds} s")
            if sig == signal.SIGKILL:
                return OutOfMemory(f"{what} was killed (SIGKILL), most likely for running out of memory")
            if sig == signal.SIGSEGV:
                return LearnerError(f"{what} crashed the Python process (segmentation fault)")
            if sig == signal.SIGXFSZ:
                return LearnerError(f"{what} wrote a file larger than the limit of {self.limits.file_size_bytes} bytes")
            return LearnerError(f"{what} ended the process with signal {_signal_name(sig)}")
        return LearnerError(f"{what} ended the process (exit code {code}), for example with os._exit()")

    @staticmethod
    def _reap(proc) -> tuple[int, float] | None:
        """The worker's wait status and CPU seconds once it has ended; None if it lives on."""
        if not isinstance(proc, subprocess.Popen):  # forked by the zygote, not our child
            return proc.reap(timeout=1.0)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            except ChildProcessError:  # already reaped through Popen
                return _status_of(proc.returncode), 0.0
            if pid:
                proc.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                return status, usage.ru_utime + usage.ru_stime
            time.sleep(0.01)
        return None

    def _kill(self) -> None:
        if self._proc is not None:
            kill_worker(self._proc)
            self._proc = None


def _write(stream, header, blobs, failed: list) -> None:
    try:
        write_message(stream, header, blobs)
    except (BrokenPipeError, OSError, ValueError) as exc:
        failed.append(exc)


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _target(handle: Handle | None):
    return {"id": handle.id, "type": handle.type_name} if handle is not None else None


def _label(name: str, handle: Handle | None) -> str:
    return f"{handle.type_name}.{name}" if handle is not None else name


def _status_of(returncode) -> int:
    # A wait status rebuilt from Popen's returncode (negative: killed by that signal).
    if returncode is None:
        return 0
    return -returncode if returncode < 0 else returncode << 8
