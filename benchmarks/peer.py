"""The peer: nbgrader's ``autograde`` on the same notebooks, in a venv of its own.

The venv holds nbgrader, ipykernel and mlday (editable), because the source notebooks'
test cells call mlday's ``check(name, hidden=True)`` in the kernel. It is made once and
reused. A kernelspec of that venv's Python is installed into the venv itself and named
in the course's config, so the kernel nbgrader starts is the peer venv's, never one
found elsewhere on the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks import BenchError
from benchmarks.measure import MEMORY_KEYS, measured

NBGRADER = "nbgrader==0.9.6"
KERNEL = "mlday-bench-peer"
COURSE_ID = "mlday-bench"
_READY = ".mlday-bench-ready"


@dataclass(frozen=True)
class PeerRun:
    """nbgrader's autograde of every assignment: wall seconds and each notebook's score."""

    wall_seconds: float
    per_assignment: dict  # assignment -> wall seconds
    scores: dict  # (learner, exercise) -> (score, max_score)
    version: str
    memory: dict  # each of measure.py's peaks, the largest over the assignments' runs


def ensure_venv(venv: Path, project: Path, log) -> Path:
    """The peer venv (``venv``), created and filled on first use only."""
    python = venv / "bin" / "python"
    if (venv / _READY).is_file() and python.is_file():
        return venv
    log(f"creating the nbgrader venv in {venv} (once; later runs reuse it)")
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", NBGRADER, "ipykernel"],
        [str(python), "-m", "pip", "install", "--quiet", "-e", str(project)],
        [str(python), "-m", "ipykernel", "install", "--prefix", str(venv), "--name", KERNEL,
         "--display-name", "mlday bench peer"],
    ]
    for argv in steps:
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}").splitlines()[-1]
            raise BenchError(f"making the nbgrader venv failed at '{' '.join(argv[2:5])}': {last}")
    (venv / _READY).write_text(NBGRADER + "\n")
    return venv


def assignment_of(exercise: str) -> str:
    """The nbgrader assignment of an exercise: ``ex01`` for ``01_morning_review``."""
    return "ex" + exercise.split("_", 1)[0]


def build_course(course: Path, root: Path, submissions, cell_seconds: int) -> list[str]:
    """Write an nbgrader course: config, one source assignment per exercise, and every
    submission under ``submitted/``. Return the assignments."""
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    exercises = sorted({s.exercise for s in submissions})
    config = [
        "c = get_config()",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.CourseDirectory.root = {str(course)!r}",
        # The same wall-clock limit per cell as mlday's --cell-timeout.
        f"c.Execute.timeout = {int(cell_seconds)}",
        f"c.Execute.kernel_name = {KERNEL!r}",
    ]
    (course / "nbgrader_config.py").write_text("\n".join(config) + "\n")
    for exercise in exercises:
        folder = course / "source" / assignment_of(exercise)
        folder.mkdir(parents=True)
        shutil.copy2(root / "solutions" / f"{exercise}.ipynb", folder / f"{exercise}.ipynb")
    for sub in submissions:
        folder = course / "submitted" / sub.learner / assignment_of(sub.exercise)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sub.path, folder / f"{sub.exercise}.ipynb")
    return [assignment_of(e) for e in exercises]


def peer_env(venv: Path, course: Path, root: Path) -> dict[str, str]:
    """The environment of nbgrader and its kernels: the peer venv first on PATH, the
    workbook named, one BLAS thread as mlday's CLI sets, and Jupyter's config kept
    inside the course so that nothing of the machine's leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLDAY_", "JUPYTER_", "VIRTUAL_ENV"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        MLDAY_ROOT=str(root),
        MPLBACKEND="Agg",
        JUPYTER_CONFIG_DIR=str(course / ".jupyter"),
        JUPYTER_RUNTIME_DIR=str(course / ".runtime"),
        OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
    )
    return env


def _nbgrader(venv: Path, course: Path, env: dict, args: list[str], log_file: Path) -> dict:
    """Run one nbgrader command in the course, measured (see ``measure.py``)."""
    result = measured([str(venv / "bin" / "nbgrader"), *args], cwd=course, env=env, log_file=log_file)
    if result["returncode"] != 0:
        raise BenchError(f"nbgrader {' '.join(args)} failed with exit code {result['returncode']}; see {log_file}")
    return result


_SCORES = r"""
import json, sys
from nbgrader.api import Gradebook
out = []
with Gradebook(sys.argv[1]) as gb:
    for assignment in gb.assignments:
        for sub in gb.assignment_submissions(assignment.name):
            for nb in sub.notebooks:
                out.append([sub.student.id, nb.name, nb.score, nb.max_score])
print(json.dumps(out))
"""


def autograde(venv: Path, course: Path, root: Path, assignments: list[str], log_file: Path) -> PeerRun:
    """Generate each assignment (not timed), then time ``nbgrader autograde`` of each
    (every learner's submission of it, one after the other: nbgrader has no -j)."""
    env = peer_env(venv, course, root)
    for assignment in assignments:
        _nbgrader(venv, course, env, ["generate_assignment", assignment, "--force"], log_file)
    runs = {a: _nbgrader(venv, course, env, ["autograde", a, "--force"], log_file) for a in assignments}
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", _SCORES, f"sqlite:///{course / 'gradebook.db'}"],
        cwd=course, env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"reading nbgrader's gradebook failed: {(done.stderr.strip() or '?').splitlines()[-1]}")
    scores = {(learner, name): (score, max_score) for learner, name, score, max_score in json.loads(done.stdout)}
    version = subprocess.run([str(venv / "bin" / "nbgrader"), "--version"], env=env, capture_output=True, text=True).stdout.strip()
    return PeerRun(
        wall_seconds=sum(r["wall_seconds"] for r in runs.values()),
        per_assignment={a: r["wall_seconds"] for a, r in runs.items()},
        scores=scores,
        version=version.splitlines()[-1].removeprefix("nbgrader version ") if version else "?",
        memory={key: max(r[key] for r in runs.values()) for key in MEMORY_KEYS},
    )
