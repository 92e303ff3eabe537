"""Grade on a Dask cluster: one task per submission, sent to an existing scheduler.

The workbook (hidden tests, source notebooks, hidden data, public datasets) travels to
the workers once per run: it is zipped, scattered to every worker, and unpacked once
per worker machine. A task carries only the learner's notebook; its result comes back
to the client, which writes it as a local run does. Each worker grades in its own
sandbox, at the level its machine allows, one submission at a time.

A task that fails (its worker died, say) is retried; after the retries its submission
is reported as ungradable, never lost.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from ._errors import MldayError
from ._results import ExerciseResult

RETRIES = 2
# Pytest and os.environ are per process: a worker process grades one submission at a time.
_GRADING = threading.Lock()


def grade_all(tasks, root: Path, *, scheduler: str, limits, isolation: str, retries: int = RETRIES):
    """Yield (task, result) as each finishes on the cluster at ``scheduler``."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise MldayError("--executor dask needs Dask's distributed scheduler: pip install 'mlday[dask]'") from None
    bundle = workbook_bundle(root)
    digest = hashlib.sha256(bundle).hexdigest()
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise MldayError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    with client:
        [shared] = client.scatter([bundle], broadcast=True)
        futures = {}
        for number, task in enumerate(tasks):
            try:
                data = task.notebook.read_bytes()
            except OSError as exc:
                yield task, ExerciseResult(task.learner, "?", str(task.notebook), problems=(f"cannot read it: {exc.strerror or exc}",), invalid=True)
                continue
            future = client.submit(
                grade_remote, digest, shared, task.learner, task.exercise, task.notebook.name, data, str(task.notebook), limits, isolation,
                key=f"mlday-grade-{number}-{digest[:8]}", retries=retries, pure=False,
            )
            futures[future] = task
        for future in as_completed(futures, loop=client.loop):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - any failure of the task is the grader's
                reason = f"the grading task failed on the cluster {retries + 1} times: {type(exc).__name__}: {exc}"
                result = ExerciseResult(task.learner, task.exercise or "?", str(task.notebook), ungradable=reason,
                                        invalid=task.exercise is None, problems=(reason,) if task.exercise is None else ())
            yield task, result


def workbook_bundle(root: Path) -> bytes:
    """The zip of what grading needs from the workbook at ``root``."""
    from ._exercises import find_exercises
    from ._export.gradescope import build_zip, workbook_members

    return build_zip(workbook_members(root, find_exercises(root)))


def grade_remote(digest: str, bundle: bytes, learner: str, exercise: str | None, name: str, data: bytes, shown_as: str,
                 limits, isolation: str) -> ExerciseResult:
    """The task: grade one notebook (``data``) on this worker against the bundled workbook."""
    from ._grading import grade_notebook
    from ._pool import shared

    with _GRADING:
        root = unpack(digest, bundle)
        os.environ["MLDAY_ROOT"] = str(root)  # the reference and the hidden data are found through it
        os.environ.setdefault("MPLBACKEND", "Agg")
        with tempfile.TemporaryDirectory(prefix="mlday-task-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                result = grade_notebook(path, root, learner=learner, limits=limits, isolation=isolation, pool=shared())
            except MldayError as exc:  # e.g. the isolation asked for is not available on this worker
                reason = f"this worker cannot grade: {exc}"
                return ExerciseResult(learner, exercise or "?", shown_as, ungradable=reason, invalid=exercise is None,
                                      problems=(reason,) if exercise is None else ())
    return dataclasses.replace(result, notebook=shown_as)


def unpack(digest: str, bundle: bytes) -> Path:
    """The bundle unpacked on this machine, once: later tasks find it by its digest."""
    target = Path(tempfile.gettempdir()) / "mlday-workbooks" / digest
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{digest[:8]}-"))
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            archive.extractall(staging)
        for folder in ("exercises", "datasets"):  # a zip keeps no empty folder; they mark the root
            (staging / folder).mkdir(exist_ok=True)
        try:
            os.replace(staging, target)  # another worker process may have won the race
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return target
