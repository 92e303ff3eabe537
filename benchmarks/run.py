"""mlday's benchmark, side by side with nbgrader: ``make bench``, or

    python benchmarks/run.py [--learners N] [--exercises 01 02 ...] [--out DIR] [--no-peer]

It generates a class (``classgen.py``), then, on the same notebooks and in this one run:

1. runs each notebook's learner code in a plain Python process, no grading (``plain.py``);
2. grades the class with the real CLI, ``mlday grade CLASS --force -j 1`` and ``-j 2``,
   timed, memory measured from a fresh helper process (``measure.py``);
3. autogrades it with nbgrader in a venv of its own (``peer.py``), unless --no-peer;
4. times ``check()`` for one question after the notebook has run (``latency.py``).

The numbers, ratios and targets are worked out as data (``summary.py``), printed as a
Markdown table (``table.py``) and written to ``<out>/results.md``, with the raw numbers
in ``<out>/results.json``. Every target is stated with whether it was
met. This is a benchmark, not a timed test: nothing fails when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import BenchError, classgen, peer, plain, summary, table  # noqa: E402
from benchmarks.measure import measured  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "out"
DEFAULT_VENV = ROOT / "benchmarks" / ".peer-venv"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=6, metavar="N", help="learners in the class (default 6)")
    parser.add_argument("--exercises", nargs="+", metavar="NN", help="exercises, by number or name (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default benchmarks/out)")
    parser.add_argument("--no-peer", action="store_true", help="do not run nbgrader")
    parser.add_argument("--peer-venv", type=Path, default=DEFAULT_VENV, help="nbgrader's venv (default benchmarks/.peer-venv)")
    parser.add_argument("--seed", type=int, default=0, help="the class generator's seed (default 0)")
    parser.add_argument("--cell-timeout", type=int, default=20, metavar="SECONDS",
                        help="wall-clock limit of one cell, in mlday, nbgrader and plain python alike (default 20)")
    parser.add_argument("--isolation", default="auto", choices=["auto", "strict", "standard", "basic"],
                        help="mlday's sandbox level (default: the strongest available)")
    parser.add_argument("--repeat", type=int, default=7, help="calls of check() to time (default 7)")
    parser.add_argument("--workbook", type=Path, default=ROOT,
                        help="the workbook whose exercises make the class (default: this project)")
    args = parser.parse_args(argv)
    for name in ("learners", "cell_timeout", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {getattr(args, name)}")
    return args


#: The 1-minute load average when each phase started: the phases run one after the
#: other, so a load that changes between them skews their comparison; the report shows it.
PHASE_LOAD: dict[str, float] = {}


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _phase(name: str) -> None:
    PHASE_LOAD[name] = os.getloadavg()[0]
    _log(name)


def _machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": len(os.sched_getaffinity(0)), "cpu": cpu, "python": platform.python_version(),
            "load_before": os.getloadavg()[0]}


def _env(workbook: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLDAY_GRADING"}
    env["MLDAY_ROOT"] = str(workbook)
    return env


def run_mlday(klass: Path, out: Path, jobs: int, args, log_file: Path) -> dict:
    """``mlday grade`` of the whole class, measured; and its results."""
    from grader._store import read_all

    mlday = Path(sys.executable).with_name("mlday")
    argv = [mlday, "grade", klass, "--out", out, "-j", str(jobs), "--force",
            "--cell-timeout", str(args.cell_timeout), "--isolation", args.isolation]
    _phase(f"mlday -j {jobs}")
    result = measured(argv, cwd=args.workbook, env=_env(args.workbook), log_file=log_file)
    result["results"] = {(r.learner, r.exercise): r for r in read_all(out)}
    return result


def check_latency(exercise, repeat: int, work: Path) -> dict:
    """check() of the exercise's first question, timed in a fresh process."""
    from grader._notebook import read_notebook, solution_names

    question = solution_names(read_notebook(exercise.source))[0]
    work.mkdir(parents=True, exist_ok=True)
    _phase("check()")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "latency.py"), str(exercise.source), question, "--repeat", str(repeat)],
        cwd=work, env=plain.plain_env(exercise.root), capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"timing check() failed: {(done.stderr.strip() or '?').splitlines()[-1]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    later = data["seconds"][1:] or data["seconds"]
    return {"exercise": exercise.name, "question": question, "seconds": data["seconds"], "passed": data["passed"],
            "first": data["seconds"][0], "median": statistics.median(later), "max": max(later)}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from grader._errors import MldayError
    from grader._exercises import find_exercises, get_exercise
    from grader._sandbox import resolve

    workbook = args.workbook = args.workbook.resolve()
    if not ((workbook / "solutions").is_dir() and (workbook / "exercises").is_dir()):
        raise BenchError(f"--workbook must be a folder with solutions/ and exercises/. Got {str(workbook)!r} instead.")
    try:
        exercises = [get_exercise(workbook, n) for n in args.exercises] if args.exercises else find_exercises(workbook)
        args.isolation = resolve(args.isolation)
    except MldayError as exc:
        raise BenchError(str(exc)) from None
    if not exercises:
        raise BenchError(f"the workbook {workbook} has no exercises")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    log_file = out / "bench.log"
    log_file.write_text("")
    machine = _machine()

    klass = out / "class"
    submissions = classgen.make_class(klass, exercises, args.learners, seed=args.seed)
    _log(f"{len(submissions)} notebooks in {klass}")

    # Untimed: the first run of all pays for cold file caches.
    plain.run_plain(submissions[0].path, out / "plain" / "warm-up", workbook, args.cell_timeout)
    _phase("plain python")
    plain_runs = {
        (s.learner, s.exercise): plain.run_plain(s.path, out / "plain" / s.learner, workbook, args.cell_timeout)
        for s in submissions
    }
    j1 = run_mlday(klass, out / "mlday-j1", 1, args, log_file)
    j2 = run_mlday(klass, out / "mlday-j2", 2, args, log_file)
    peer_run = None
    if not args.no_peer:
        venv = peer.ensure_venv(args.peer_venv.resolve(), ROOT, _log)
        course = out / "nbgrader"
        assignments = peer.build_course(course, workbook, submissions, args.cell_timeout)
        _phase("nbgrader")
        peer_run = peer.autograde(venv, course, workbook, assignments, log_file)
    check = check_latency(exercises[0], args.repeat, out / "latency")

    machine["load_by_phase"] = dict(PHASE_LOAD)
    data = summary.summarise(args, machine, submissions, plain_runs, j1, j2, peer_run, check)
    report = table.render(data)
    (out / "results.md").write_text(report)
    (out / "results.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    print(report)
    _log(f"wrote {out / 'results.md'} and {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
