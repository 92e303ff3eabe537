"""The zygote: a process that imported the libraries once and forks each submission's
worker from that warm state (strict isolation only; see grader._zygote for its owner).

It runs inside a bubblewrap sandbox as root with the capabilities to build namespaces
and nothing else: no hidden test, no learner code. Each worker it forks enters its own
net, pid, ipc, uts and mount namespaces (:mod:`grader._worker._enter`), sees only its own
scratch folder, drops to the unprivileged uid and then runs the ordinary worker loop.

The owner speaks over a Unix socket, one request and one reply at a time, a JSON line
each with file descriptors alongside:

``{"op": "fork", "scratch": NAME, "modules": [...]}`` + (stdin, stdout, stderr)
    import the modules here (they stay imported for later workers), then fork a worker
    on those three descriptors; the reply carries its id and a pidfd.
``{"op": "status", "id": ID}``
    ``{"alive": true}``, or the ended worker's wait status and CPU seconds.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from .__main__ import import_available

_MAX_REQUEST = 1 << 16


class _Children:
    """Wait statuses of ended workers, reaped as soon as they are seen."""

    def __init__(self):
        self.ended: dict[int, tuple[int, float]] = {}

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not pid:
                return
            self.ended[pid] = (status, usage.ru_utime + usage.ru_stime)

    def status(self, pid: int) -> dict:
        self.reap()
        if pid in self.ended:
            status, cpu = self.ended.pop(pid)
            return {"alive": False, "status": status, "cpu": cpu}
        return {"alive": True}


def _fork(control: socket.socket, request: dict, fds: list[int], root: str) -> tuple[dict, list[int]]:
    from ._enter import enter_sandbox

    import_available(request.get("modules", []))
    name = str(request.get("scratch", ""))
    if len(fds) != 3 or not name or "/" in name or name.startswith("."):
        return {"ok": False, "message": f"a fork needs a scratch name and three descriptors; got {name!r} and {len(fds)}"}, []
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # a fork keeps only this thread: a library's pool would hang
        return {"ok": False, "message": f"the zygote runs {threads} threads after its imports, so it cannot fork safely"}, []
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            control.close()
            os.close(report_r)
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.closerange(3, report_w)
            os.closerange(report_w + 1, _max_fd())
            enter_sandbox(root, os.path.join(root, name), report_w)
            from .__main__ import main

            code = main()
            sys.stdout.flush()
        finally:
            os._exit(code)
    os.close(report_w)
    with os.fdopen(report_r, "rb") as report:
        init = report.read()
    _, status = os.waitpid(pid, 0)
    if not init or status != 0:
        return {"ok": False, "message": f"the worker's sandbox could not be made (wait status {status})"}, []
    # The sandbox's init is now the zygote's child (a subreaper's): it can be waited for.
    return {"ok": True, "id": int(init)}, [os.pidfd_open(int(init))]


def _max_fd() -> int:
    limit = os.sysconf("SC_OPEN_MAX")
    return limit if limit > 0 else 4096


def serve(fd: int, root: str) -> int:
    """Answer the owner's requests on the socket ``fd`` until it closes."""
    control = socket.socket(fileno=fd)
    children = _Children()
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, _MAX_REQUEST, 3)
        except OSError:
            return 0
        if not data:
            return 0
        passed: list[int] = []
        try:
            request = json.loads(data)
            if request.get("op") == "fork":
                reply, passed = _fork(control, request, fds, root)
            elif request.get("op") == "status":
                reply = children.status(int(request["id"]))
            else:
                reply = {"ok": False, "message": f"unknown request {request.get('op')!r}"}
        except Exception as exc:  # noqa: BLE001 - the owner gets the reason, the zygote lives on
            reply = {"ok": False, "message": f"{type(exc).__name__}: {exc}"}
        finally:
            for held in fds:
                os.close(held)
        try:
            socket.send_fds(control, [json.dumps(reply).encode()], passed)
        except OSError:
            return 0
        finally:
            for held in passed:
                os.close(held)
        children.reap()


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "--control":
        print("usage: python -m grader._worker._zygote --control FD ROOT MODULES", file=sys.stderr)
        return 2
    from ._enter import become_subreaper

    become_subreaper()
    import_available(filter(None, argv[3].split(",")))
    return serve(int(argv[1]), argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
