"""Enter a forked worker's own sandbox inside the zygote's (grader._worker._zygote).

The zygote's bubblewrap sandbox already gives the read-only filesystem; what one worker
adds is what keeps it apart from the workers forked beside it: new net, pid, ipc, uts
and mount namespaces, its own /proc, /dev/shm and /dev/pts, only its own scratch folder,
and then the unprivileged uid with no capabilities and no way to gain any.

As under bubblewrap, the worker is pid 2 of its namespace: pid 1 is a small init that
reaps orphans and exits as bubblewrap does (the worker's exit code, or 128 + the signal
that ended it). The owner holds a pidfd to that init: killing it ends the namespace,
every process the worker started included.
"""

from __future__ import annotations

import ctypes
import os
import signal

from .._sandbox import UNPRIVILEGED  # the uid of strict bubblewrap workers too


_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
_PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_CHILD_SUBREAPER, _PR_SET_NO_NEW_PRIVS = 4, 24, 36, 38
_CAP_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target: str, fstype, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _prctl(option: int, value: int) -> int:
    return _libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


def _clear_capabilities() -> None:
    # setresuid to a non-zero uid already empties the permitted and effective sets;
    # this also empties the inheritable one (and the bounding set was dropped before).
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, data), "capset")


def _drop_privileges() -> None:
    cap = 0
    while _prctl(_PR_CAPBSET_DROP, cap) == 0:
        cap += 1
    os.setgroups([])
    os.setresgid(UNPRIVILEGED, UNPRIVILEGED, UNPRIVILEGED)
    os.setresuid(UNPRIVILEGED, UNPRIVILEGED, UNPRIVILEGED)
    _clear_capabilities()
    _check(_prctl(_PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")


def become_subreaper() -> None:
    """Adopt the sandboxes' init processes once their first process has left (the
    zygote calls this once, so that it can wait for them and read their status)."""
    _check(_prctl(_PR_SET_CHILD_SUBREAPER, 1), "child_subreaper")


def _init(worker: int) -> None:
    # pid 1 of the sandbox, as bubblewrap's own init: reap every orphan, and exit as
    # the worker did (its exit code, or 128 + the signal that ended it), which ends
    # whatever the worker left running.
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # pid 1 ignores what the worker sends
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the worker alone holds the owner's pipes: EOF when it ends
        os.dup2(devnull, fd)
    os.close(devnull)
    while True:
        try:
            pid, status = os.wait()
        except InterruptedError:
            continue
        if pid == worker:
            os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def enter_sandbox(root: str, scratch: str, report: int) -> None:
    """Make the calling (freshly forked) process the sandboxed worker, working in
    ``scratch``, which it sees at ``root``; return in the worker only.

    The sandbox's init process writes its pid (as the caller's namespace numbers it) to
    the descriptor ``report``; the caller itself exits once it has.
    """
    _check(_libc.unshare(_CLONE_NEWNS | _CLONE_NEWUTS | _CLONE_NEWIPC | _CLONE_NEWPID | _CLONE_NEWNET), "unshare")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    init = os.fork()
    if init:
        os.write(report, str(init).encode())
        os._exit(0)
    os.close(report)
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    _mount("tmpfs", "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=1777")
    _mount("devpts", "/dev/pts", "devpts", _MS_NOSUID | _MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620")
    # The scratch folder is mounted over the zygote's root of scratch folders, which
    # hides every other worker's.
    _mount(scratch, root, None, _MS_BIND)
    os.chdir(root)
    os.setsid()
    _drop_privileges()  # init too: it stays non-dumpable, out of the worker's reach
    worker = os.fork()
    if worker:
        _init(worker)
    # A uid change makes a process non-dumpable, which would make /proc/self root's; a
    # worker started by exec (bubblewrap's) is dumpable.
    _check(_prctl(_PR_SET_DUMPABLE, 1), "dumpable")
