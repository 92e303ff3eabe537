"""Start the learner's worker process: the one place that decides how it is isolated.

The basic level is process separation: a fresh interpreter started by exec with
``python -I``, a clean environment, its own session (so the whole process group can
be killed), rlimits set by the worker before any learner code runs, and a scratch
directory as its working directory. It does not stop file reads or network access.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ISOLATION = "basic"

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
        "MLDAY_GRADING": "1",
    }
    env.update({name: "1" for name in _THREAD_VARS})
    if datasets is not None:
        env["MLDAY_DATASETS"] = str(datasets)
    return env


def launch_worker(scratch: Path, datasets: Path | None) -> subprocess.Popen:
    """Start a worker in ``scratch``; the caller speaks the protocol on its stdin/stdout."""
    return subprocess.Popen(
        [sys.executable, "-I", "-m", "grader._worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=scratch,
        env=worker_env(scratch, datasets),
        start_new_session=True,
        close_fds=True,
    )
