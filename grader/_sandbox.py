"""Start the learner's worker process: the one place that decides how it is isolated.

Three levels, strongest first:

strict
    bubblewrap, run as root: new network, pid, ipc and uts namespaces; a filesystem
    of read-only binds (the Python runtime, the virtual environment, the grader
    package, the public datasets) plus a private scratch folder; then ``setpriv``
    drops to an unprivileged uid. Hidden tests, solutions, other learners' files and
    the output folder do not exist inside. Warm workers at this level are forked from
    a zygote in the same sandbox, and each enters namespaces of its own
    (grader._zygote, grader._worker._enter).
standard
    the same bubblewrap sandbox for a grader that is not root, in a user namespace.
basic
    always available: a separate interpreter started by exec (``python -I``), a clean
    environment, its own session (killed whole), rlimits, a scratch folder as its
    working directory. It does NOT stop file reads or network access.

Every level also has the data-only wire and the rlimits the worker sets on itself.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ._errors import MldayError

LEVELS = ("strict", "standard", "basic")
UNPRIVILEGED = 65534  # "nobody"

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def worker_env(scratch: Path, datasets: Path | None) -> dict[str, str]:
    """The whole environment of a worker: nothing inherited but what is named here."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch),
        "JOBLIB_MULTIPROCESSING": "0",
        "MLDAY_GRADING": "1",
        # pyarrow's jemalloc would start a background thread at import, and a zygote
        # (grader._zygote) forks only while it runs a single thread.
        "JE_ARROW_MALLOC_CONF": "background_thread:false",
    }
    env.update({name: "1" for name in _THREAD_VARS})
    if datasets is not None:
        env["MLDAY_DATASETS"] = str(datasets)
    return env


def _runtime_paths() -> list[Path]:
    """What the worker's Python needs to read: the interpreter, the venv, this package."""
    package = Path(__file__).resolve().parent
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package}
    return sorted(paths)


def bwrap_argv(scratch: Path, datasets: Path | None, *, drop_privileges: bool) -> list[str]:
    """The bubblewrap command line around the worker (see the module docstring)."""
    argv = _bwrap_filesystem(scratch, datasets)
    if drop_privileges:
        argv += ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups", "--no-new-privs"]
    else:
        argv += ["--unshare-user"]
    return argv


# What the zygote needs to build each forked worker's namespaces, mounts and uid
# (grader._worker._enter); its workers drop all of them.
ZYGOTE_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")


def zygote_argv(root: Path, datasets: Path | None) -> list[str]:
    """The bubblewrap command line around the zygote (strict only): the workers' sandbox,
    with ``root`` (the folder of their scratch folders) as its scratch, as root with
    :data:`ZYGOTE_CAPABILITIES`."""
    argv = _bwrap_filesystem(root, datasets)
    for cap in ZYGOTE_CAPABILITIES:
        argv += ["--cap-add", cap]
    return argv


def _bwrap_filesystem(scratch: Path, datasets: Path | None) -> list[str]:
    argv = [
        "bwrap",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
        "--ro-bind", "/usr", "/usr",
        "--proc", "/proc",
        "--dev", "/dev",
        "--perms", "1777", "--tmpfs", "/dev/shm",  # joblib and multiprocessing need it
        "--tmpfs", "/tmp",  # before any bind under /tmp
    ]
    for name in ("lib", "lib64", "bin", "sbin"):
        target = Path("/") / name
        if target.is_symlink():
            argv += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            argv += ["--ro-bind", str(target), str(target)]
    made: set[Path] = {Path("/")}
    binds = [(p, "--ro-bind") for p in _runtime_paths()]
    if datasets is not None:
        binds.append((Path(datasets).resolve(), "--ro-bind"))
    binds.append((Path(scratch), "--bind"))
    for path, how in binds:
        # Parents are made world-traversable: a venv under a 0700 home must stay reachable.
        for parent in reversed(path.parents):
            if parent not in made and parent not in (Path("/usr"), Path("/tmp")) and Path("/usr") not in parent.parents:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        argv += [how, str(path), str(path)]
    argv += ["--chdir", str(scratch)]
    return argv


@functools.cache
def available() -> dict[str, str]:
    """Each level and why it is not available here ("" when it is)."""
    reasons = {"strict": "", "standard": "", "basic": ""}
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        missing = "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
        reasons["strict"] = reasons["standard"] = missing
        return reasons
    root = os.geteuid() == 0
    if not root:
        reasons["strict"] = "the grader is not running as root, so it cannot drop to another uid"
    elif shutil.which("setpriv") is None:
        reasons["strict"] = "setpriv is missing (Debian: util-linux)"
    probe = Path(os.environ.get("TMPDIR", "/tmp"))
    for level in ("strict", "standard"):
        if reasons[level]:
            continue
        argv = bwrap_argv(probe, None, drop_privileges=level == "strict") + [sys.executable, "-I", "-c", "pass"]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=30, env=worker_env(probe, None))
        except (OSError, subprocess.TimeoutExpired) as exc:
            reasons[level] = f"bubblewrap could not start: {exc}"
            continue
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()
            reasons[level] = f"bubblewrap failed here: {detail[-1] if detail else f'exit code {done.returncode}'}"
    return reasons


def resolve(requested: str = "auto") -> str:
    """The level to use: the strongest available for "auto", else exactly the one asked for."""
    reasons = available()
    if requested == "auto":
        return next(level for level in LEVELS if not reasons[level])
    if requested not in LEVELS:
        raise MldayError(f"The isolation level must be one of auto, {', '.join(LEVELS)}. Got {requested!r} instead.")
    if reasons[requested]:
        raise MldayError(f"isolation {requested!r} is not available: {reasons[requested]} (see 'mlday doctor')")
    return requested


def launch_worker(scratch: Path, datasets: Path | None, isolation: str = "basic", warm=()) -> subprocess.Popen:
    """Start a worker in ``scratch``; the caller speaks the protocol on its stdin/stdout.

    ``warm`` names modules the worker imports at once, before its first request.
    """
    argv = [sys.executable, "-I", "-m", "grader._worker"]
    if warm:
        argv += ["--warm", ",".join(warm)]
    if isolation in ("strict", "standard"):
        if isolation == "strict":
            os.chown(scratch, UNPRIVILEGED, UNPRIVILEGED)
        argv = bwrap_argv(scratch, datasets, drop_privileges=isolation == "strict") + argv
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=scratch,
        env=worker_env(scratch, datasets),
        start_new_session=True,
        close_fds=True,
    )


def kill_worker(proc: subprocess.Popen) -> None:
    """Kill a worker with everything it started (its session, or for a worker forked by
    the zygote its pid namespace), and reap it."""
    if not isinstance(proc, subprocess.Popen):
        proc.kill()
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=5)
    except Exception:  # noqa: BLE001 - already reaped by wait4
        pass
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            stream.close()
        except Exception:  # noqa: BLE001
            pass
