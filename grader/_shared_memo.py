"""Values computed once per grading run, shared by the run's grading processes.

A run with ``-j N`` has N trusted grading processes. Each would compute every
reference value its hidden tests need; with a shared folder, the first process to need
a value computes it (holding a lock on that value alone), and the others read it.

The folder is made by the run's parent (:func:`run_folder`), handed to each grading
process (:func:`use`), and removed when the run ends. Only trusted processes ever see
it: workers run in their own scratch folder and cannot reach it.
"""

from __future__ import annotations

import contextlib
import fcntl
import pickle
import shutil
import tempfile
from pathlib import Path

from ._store import write_atomic

_folder: Path | None = None


def use(folder: str | Path | None) -> None:
    """Share values through ``folder`` from now on in this process (None: stop sharing)."""
    global _folder
    _folder = Path(folder) if folder else None


def current() -> Path | None:
    """The folder this process shares values through, if any."""
    return _folder


@contextlib.contextmanager
def run_folder():
    """A fresh shared folder for one run, used by this process too; removed at the end."""
    previous = _folder
    folder = Path(tempfile.mkdtemp(prefix="mlday-run-memo-"))
    use(folder)
    try:
        yield folder
    finally:
        use(previous)
        shutil.rmtree(folder, ignore_errors=True)


def get_or_compute(digest: str, compute):
    """``compute()``'s value for ``digest``: read from the shared folder if another
    process computed it, else computed here (and stored, if it pickles)."""
    folder = _folder
    if folder is None or not folder.is_dir():
        return compute()
    path = folder / f"{digest}.pickle"
    with open(folder / f"{digest}.lock", "a") as lock:
        # One process computes a value; the others wait for it rather than repeat it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # Written only by the run's own trusted processes, in a private folder.
            return pickle.loads(path.read_bytes())  # noqa: S301
        except (OSError, EOFError, pickle.UnpicklingError):
            pass
        value = compute()
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a value that does not pickle is kept here only
            return value
        write_atomic(path, data)
        return value
