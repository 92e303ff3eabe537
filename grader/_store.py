"""The output folder: one ``results.json`` per learner and exercise, written atomically,
and read back to rebuild the gradebook."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ._outcomes import Status
from ._results import CellResult, ExerciseResult, TestResult


def result_path(out: Path, learner: str, exercise: str) -> Path:
    """Where one learner's exercise result lives."""
    return out / learner / exercise / "results.json"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text or bytes) to a temporary file beside ``path``, then rename it
    into place: an interrupted write leaves the old file or none, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_temporaries(out: Path) -> int:
    """Remove what a killed run left half-written (only :func:`write_atomic`'s own
    temporary files); return how many there were."""
    stale = [p for p in Path(out).glob("**/.*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_result(out: Path, result: ExerciseResult) -> Path:
    """Write ``result`` as Gradescope's results.json; return its path."""
    from ._render.gradescope import render

    path = result_path(out, result.learner, result.exercise)
    write_atomic(path, json.dumps(render(result), indent=2) + "\n")
    return path


def read_result(path: Path) -> ExerciseResult:
    """Rebuild a result from a results.json that :func:`write_result` wrote."""
    doc = json.loads(Path(path).read_text())
    extra = doc["extra_data"]
    tests = tuple(
        TestResult(
            test=t["extra_data"]["test"],
            question=t["extra_data"]["question"],
            title=t["extra_data"]["title"],
            hidden=t["extra_data"]["hidden"],
            status=Status(t["extra_data"]["status"]),
            score=t["score"],
            max_score=t["max_score"],
            message=t["extra_data"].get("message", t["output"]),
        )
        for t in doc["tests"]
    )
    return ExerciseResult(
        learner=extra["learner"],
        exercise=extra["exercise"],
        notebook=extra["notebook"],
        tests=tests,
        cells=tuple(CellResult(c["index"], Status(c["status"]), c["message"]) for c in extra["cells"]),
        problems=tuple(extra["problems"]),
        execution_time=doc["execution_time"],
        isolation=extra["isolation"],
        ungradable=extra["ungradable"],
        invalid=extra["invalid"],
    )


def comparable_results(out: Path) -> dict[str, dict]:
    """Every results.json under ``out`` (its path relative to ``out`` -> its document)
    without the timing fields: what grading the same class twice must reproduce."""
    found = {}
    for path in sorted(Path(out).glob("*/*/results.json")):
        doc = json.loads(path.read_text())
        doc.pop("execution_time", None)
        found[path.relative_to(out).as_posix()] = doc
    return found


def read_all(out: Path) -> list[ExerciseResult]:
    """Every result under ``out``, sorted by learner then exercise; unreadable files are skipped."""
    results = []
    for path in sorted(out.glob("*/*/results.json")):
        try:
            results.append(read_result(path))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(results, key=lambda r: (r.learner, r.exercise))
