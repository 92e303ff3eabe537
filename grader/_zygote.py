"""The owner's side of the zygote (strict isolation): one process per grading process
that imported the libraries once and forks each submission's worker from that state.

The zygote (grader._worker._zygote) never runs learner code nor loads a hidden test.
A forked worker costs a few tens of milliseconds instead of the seconds that starting
an interpreter and importing numpy, pandas and scikit-learn cost, and those seconds
are not spent again on a spare core for every submission.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ._sandbox import UNPRIVILEGED, kill_worker, worker_env, zygote_argv

_REPLY_SECONDS = 120.0  # a fork request may import an exercise's modules first


class ZygoteError(Exception):
    """The zygote could not start, or stopped answering."""


class ForkedWorker:
    """A worker forked by the zygote, with the part of :class:`subprocess.Popen` that the
    session uses. ``pid`` is the zygote's name for it, not a pid of this namespace; the
    process is reached through a pidfd."""

    def __init__(self, zygote: "Zygote", ident: int, pidfd: int, stdin, stdout, stderr):
        self.pid = ident
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._zygote = zygote
        self._pidfd: int | None = pidfd
        self._ended: tuple[int, float] | None = None

    def poll(self) -> int | None:
        """The exit code once the worker has ended, else None."""
        if self.returncode is None and self._has_ended(0):
            self._collect()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the worker to end; its exit code (bubblewrap's convention)."""
        if self.returncode is None:
            if not self._has_ended(timeout):
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            self._collect()
        return self.returncode

    def kill(self) -> None:
        """Kill the worker and everything it started (its pid namespace)."""
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def reap(self, timeout: float) -> tuple[int, float] | None:
        """(wait status, CPU seconds) once the worker has ended; None if it lives on."""
        if self.returncode is None:
            if not self._has_ended(timeout):
                return None
            self._collect()
        return self._ended

    def _has_ended(self, timeout: float | None) -> bool:
        if self._pidfd is None:
            return True
        return bool(select.select([self._pidfd], [], [], timeout)[0])

    def _collect(self) -> None:
        try:
            status = self._zygote.status(self.pid)
        except ZygoteError:
            status = {"alive": False, "status": signal.SIGKILL, "cpu": 0.0}
        if status.get("alive"):  # ended a moment ago: the zygote reaps on its next request
            status = self._zygote.status(self.pid)
        if status.get("alive"):
            status = {"alive": False, "status": signal.SIGKILL, "cpu": 0.0}
        self._ended = int(status["status"]), float(status["cpu"])
        code = os.waitstatus_to_exitcode(self._ended[0])
        self.returncode = code if code >= 0 else 128 - code
        os.close(self._pidfd)
        self._pidfd = None


class Zygote:
    """A started zygote for one datasets folder; :meth:`fork` gives workers."""

    def __init__(self, datasets: Path | None, modules=()):
        self.root = Path(tempfile.mkdtemp(prefix="mlday-zygote-"))
        os.chmod(self.root, 0o755)
        self._lock = threading.Lock()
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = zygote_argv(self.root, datasets) + [
            sys.executable, "-I", "-m", "grader._worker._zygote",
            "--control", str(theirs.fileno()), str(self.root), ",".join(modules),
        ]
        self._log = self.root / ".zygote-stderr"
        try:
            with open(self._log, "wb") as log:
                self._proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    cwd=self.root, env=worker_env(self.root, datasets),
                    start_new_session=True, pass_fds=(theirs.fileno(),),
                )
        except OSError as exc:
            self.close()
            raise ZygoteError(f"the zygote could not start: {exc}") from None
        finally:
            theirs.close()
        self._sock.settimeout(_REPLY_SECONDS)

    def fork(self, modules=()) -> tuple[ForkedWorker, Path]:
        """(worker, scratch): a new worker, after the zygote imported ``modules``."""
        scratch = Path(tempfile.mkdtemp(dir=self.root, prefix="w-"))
        os.chown(scratch, UNPRIVILEGED, UNPRIVILEGED)
        pipes = [os.pipe() for _ in range(3)]
        theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
        ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
        try:
            reply, fds = self._ask({"op": "fork", "scratch": scratch.name, "modules": list(modules)}, theirs)
        except BaseException:
            for fd in ours:
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        if not reply.get("ok") or len(fds) != 1:
            for fd in ours + fds:
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise ZygoteError(f"the zygote could not fork a worker: {reply.get('message', 'no pidfd')}")
        stdin = open(ours[0], "wb")  # noqa: SIM115 - owned by the worker object
        stdout = open(ours[1], "rb")  # noqa: SIM115
        stderr = open(ours[2], "rb")  # noqa: SIM115
        return ForkedWorker(self, int(reply["id"]), fds[0], stdin, stdout, stderr), scratch

    def status(self, ident: int) -> dict:
        """The zygote's answer about worker ``ident`` (see grader._worker._zygote)."""
        return self._ask({"op": "status", "id": ident}, [])[0]

    def _ask(self, request: dict, fds: list[int]) -> tuple[dict, list[int]]:
        with self._lock:
            try:
                socket.send_fds(self._sock, [json.dumps(request).encode()], fds)
                data, got, _flags, _addr = socket.recv_fds(self._sock, 1 << 16, 1)
            except (OSError, ValueError) as exc:
                raise ZygoteError(f"the zygote stopped answering: {exc}{self._last_words()}") from None
        if not data:
            raise ZygoteError(f"the zygote has ended{self._last_words()}")
        return json.loads(data), list(got)

    def _last_words(self) -> str:
        try:
            lines = self._log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return f" ({lines[-1]})" if lines else ""

    def close(self) -> None:
        """Stop the zygote and every worker it forked; remove the scratch folders."""
        proc = getattr(self, "_proc", None)
        if proc is not None:
            kill_worker(proc)
        self._sock.close()
        shutil.rmtree(self.root, ignore_errors=True)
