"""The class-scale check of resumable, deterministic grading: ``make check-class``, or

    python benchmarks/resume.py [--learners 40] [--jobs 2] [--out DIR]

It generates the benchmark's class (``classgen.py``: N learners, each with the whole
workbook, perfect, partly right, blank, raising and timing-out notebooks), then grades
it with the real CLI twice:

1. uninterrupted, ``mlday grade CLASS --out A -j J``;
2. into B, killed with SIGKILL once about half of the results are written, then run
   again with the same command, which grades only what is missing.

It passes when A and B hold the same ``gradebook.csv``, the same ``grades_long.csv``
and the same ``results.json`` for every submission (apart from the timing fields), and
no temporary file was left behind. B is also the class graded a second time, so the
same comparison shows that grading is deterministic. Exit 0 when it passes, 1 when it
does not (the differences are printed), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import classgen  # noqa: E402
from grader._exercises import find_exercises  # noqa: E402
from grader._store import comparable_results  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "out" / "resume"
CSV_FILES = ("gradebook.csv", "grades_long.csv")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="benchmarks/resume.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=40, metavar="N", help="learners in the class (default 40)")
    parser.add_argument("--jobs", "-j", type=int, default=2, metavar="J", help="grading processes (default 2)")
    parser.add_argument("--exercises", nargs="+", metavar="NN", help="exercises, by number or name (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default benchmarks/out/resume)")
    parser.add_argument("--seed", type=int, default=0, help="the class generator's seed (default 0)")
    parser.add_argument("--cell-timeout", type=int, default=10, metavar="SECONDS",
                        help="the cell limit of both runs (default 10: the timing-out notebooks cost less)")
    parser.add_argument("--kill-at", type=float, default=0.5, metavar="FRACTION",
                        help="kill the second run once this share of the results is written (default 0.5)")
    parser.add_argument("--workbook", type=Path, default=ROOT, help="the workbook (default: this project)")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.jobs < 1 or args.cell_timeout < 1:
        parser.error(f"--learners, --jobs and --cell-timeout must be at least 1; got {args.learners}, {args.jobs}, {args.cell_timeout}")
    if not 0 < args.kill_at < 1:
        parser.error(f"--kill-at must be between 0 and 1; got {args.kill_at}")
    return args


def grade_command(klass: Path, out: Path, args) -> list[str]:
    """The instructor's command, through the real CLI."""
    return [sys.executable, "-c", "import sys; from grader.cli import main; sys.exit(main())",
            "grade", str(klass), "--out", str(out), "-j", str(args.jobs), "--cell-timeout", str(args.cell_timeout)]


def _env(workbook: Path) -> dict:
    return dict(os.environ, MLDAY_ROOT=str(workbook), MPLBACKEND="Agg", COLUMNS="120")


def _written(out: Path) -> int:
    return len(list(out.glob("*/*/results.json")))


def kill_partway(command: list[str], out: Path, env: dict, at: int) -> int:
    """Start ``command``, SIGKILL it once ``at`` results are written; how many were."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while _written(out) < at and proc.poll() is None:
        time.sleep(0.1)
    if proc.poll() is not None:
        raise RuntimeError(f"the run ended (exit {proc.returncode}) before {at} results were written; nothing was killed")
    # The instructor's process alone, as `kill -9 PID` would: its grading processes are
    # left to notice on their own.
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return _written(out)


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two graded classes (timing fields aside)."""
    found = []
    for name in CSV_FILES:
        left, right = a / name, b / name
        if not (left.is_file() and right.is_file()) or left.read_bytes() != right.read_bytes():
            found.append(f"{name} differs")
    ra, rb = comparable_results(a), comparable_results(b)
    found += [f"only in {a.name}: {k}" for k in sorted(set(ra) - set(rb))]
    found += [f"only in {b.name}: {k}" for k in sorted(set(rb) - set(ra))]
    found += [f"results differ: {k}" for k in sorted(set(ra) & set(rb)) if ra[k] != rb[k]]
    found += [f"left behind: {p.relative_to(b)}" for p in sorted(b.rglob("*.tmp"))]
    return found


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    exercises = find_exercises(args.workbook)
    if args.exercises:
        exercises = [ex for ex in exercises if ex.name in args.exercises or ex.name[:2] in args.exercises]
        if not exercises:
            print(f"benchmarks/resume.py: no exercise matches {' '.join(args.exercises)}", file=sys.stderr)
            return 2
    klass = args.out / "class"
    subs = classgen.make_class(klass, exercises, args.learners, args.seed)
    total = len(subs)
    env = _env(args.workbook)
    a, b = args.out / "A", args.out / "B"
    for folder in (a, b):
        shutil.rmtree(folder, ignore_errors=True)

    started = time.monotonic()
    first = subprocess.run(grade_command(klass, a, args), env=env, capture_output=True, text=True)
    a_seconds = time.monotonic() - started
    print(f"A, uninterrupted: exit {first.returncode}, {_written(a)} of {total} results, {a_seconds / 60:.1f} min", flush=True)

    started = time.monotonic()
    killed_at = kill_partway(grade_command(klass, b, args), b, env, max(1, int(total * args.kill_at)))
    resumed = subprocess.run(grade_command(klass, b, args), env=env, capture_output=True, text=True)
    b_seconds = time.monotonic() - started
    summary = next((line for line in resumed.stdout.splitlines() if "already graded" in line), "").strip()
    print(f"B, killed with SIGKILL at {killed_at} of {total} results, then resumed ({summary}): "
          f"exit {resumed.returncode}, {b_seconds / 60:.1f} min in all", flush=True)

    found = differences(a, b)
    if first.returncode != resumed.returncode:
        found.insert(0, f"exit codes differ: {first.returncode} and {resumed.returncode}")
    lines = [f"- {total} notebooks ({args.learners} learners × {len(exercises)} exercises), -j {args.jobs}, seed {args.seed}"]
    if found:
        print("\n".join(lines + ["FAILED:"] + [f"  {d}" for d in found[:50]]))
        return 1
    print("\n".join(lines + ["PASSED: the resumed run's gradebook.csv, grades_long.csv and every results.json "
                             "(timing aside) equal the uninterrupted run's; no temporary file left behind"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
