"""mlday grade SUBMISSION... --out DIR: grade with public and hidden tests, and write reports."""

from __future__ import annotations

from pathlib import Path

from . import _status
from ._options import add_limit_options, limits_from

DEFAULT_OUT = Path("mlday-grades")


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                        help="a notebook, a folder of one learner's notebooks, or a folder of such folders")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the output folder (default: {DEFAULT_OUT})")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="grade N submissions at a time (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="regrade submissions that already have results")
    parser.add_argument("--executor", choices=["local", "dask"], default="local",
                        help="where to grade: here (default), or on a Dask cluster (needs --scheduler)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://10.0.0.5:8786")
    add_limit_options(parser)


def find_submissions(paths) -> list[tuple[str, Path]]:
    """(learner, notebook) pairs: a notebook's learner is its stem; a folder's, its name.

    A notebook is an ``.ipynb`` file or a jupytext percent script (``.py`` with ``# %%``
    cell markers). A folder without notebooks of its own but with sub-folders is a
    class: each sub-folder is one learner.
    """
    from grader._errors import MldayError
    from grader._notebook import notebooks_in

    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_file():
            found.append((path.stem, path))
        elif path.is_dir():
            notebooks = notebooks_in(path)
            if notebooks:
                found.extend((path.resolve().name, nb) for nb in notebooks)
            else:
                subs = sorted(d for d in path.iterdir() if d.is_dir() and not d.name.startswith("."))
                found.extend((d.name, nb) for d in subs for nb in notebooks_in(d))
        else:
            raise MldayError(f"{path}: no such file or folder")
    if not found:
        raise MldayError("no notebooks found in " + ", ".join(map(str, paths)))
    seen: dict[tuple[str, str], Path] = {}
    for learner, nb in found:
        other = seen.setdefault((learner, nb.stem), nb)
        if other != nb and other.parent == nb.parent:
            raise MldayError(f"learner {learner!r} has two versions of one notebook: {other} and {nb}; keep one of them")
        if other != nb:
            raise MldayError(f"two submissions of learner {learner!r}: {other} and {nb}; grade them separately or put each learner's notebooks in a folder of their own")
    return found


def run(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader._batch import default_jobs, grade_all, plan
    from grader._errors import MldayError
    from grader._exercises import find_exercises
    from grader._paths import project_root
    from grader._render.summary_table import render as summary
    from grader._reports import write_reports
    from grader._sandbox import resolve
    from grader._store import read_all, remove_temporaries, write_result

    root = project_root()
    limits = limits_from(args)
    if args.executor == "dask":
        if not args.scheduler:
            raise MldayError("--executor dask needs --scheduler ADDRESS (the Dask scheduler to send the submissions to)")
        if args.jobs is not None:
            raise MldayError("-j applies to local grading; with --executor dask, the cluster's workers set the parallelism")
        isolation = f"{args.isolation} on each worker"  # each worker resolves it for its own machine
        jobs = "the cluster's"
    else:
        if args.scheduler:
            raise MldayError("--scheduler applies only with --executor dask")
        isolation = resolve(args.isolation)
        jobs = default_jobs() if args.jobs is None else args.jobs
        if jobs < 1:
            raise MldayError(f"The number of jobs must be at least 1. Got {jobs} instead.")
    known = [ex.name for ex in find_exercises(root)]
    remove_temporaries(args.out)
    todo, done = plan(find_submissions(args.submissions), root, args.out, known, force=args.force)
    console = Console()
    console.print(
        f"mlday grade: {len(todo)} to grade, {len(done)} already graded (--force regrades); "
        f"isolation: {isolation}; jobs: {jobs}",
        markup=False,
    )
    results, invalid = [], 0
    columns = [TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True, disable=not todo) as progress:
        bar = progress.add_task("grading", total=len(todo), rate="")
        if args.executor == "dask":
            from grader._dask import grade_all as grade_on_cluster

            graded = grade_on_cluster(todo, root, scheduler=args.scheduler, limits=limits, isolation=args.isolation)
        else:
            graded = grade_all(todo, root, jobs=jobs, limits=limits, isolation=isolation)
        for task, result in graded:
            if result.exercise == "?":
                invalid += 1
                progress.console.print(f"  {task.learner}: {task.notebook}: cannot be graded: {'; '.join(result.problems)}", markup=False)
            else:
                invalid += result.invalid
                write_result(args.out, result)
                results.append(result)
                if result.ungradable or result.problems or result.invalid:
                    progress.console.print(f"  {task.learner}/{result.exercise}: {'; '.join(result.problems) or result.ungradable}", markup=False)
            elapsed = progress.tasks[0].elapsed or 0.0
            progress.update(bar, advance=1, rate=f"{(len(results) + invalid) / elapsed * 60:.1f}/min" if elapsed else "")
    write_reports(args.out, root)
    wanted = {(t.learner, t.exercise) for t in todo + done}
    shown = [r for r in read_all(args.out) if (r.learner, r.exercise) in wanted]
    if shown:
        console.print(summary(shown))
    console.print(f"reports: {args.out}/gradebook.csv, grades_long.csv, <learner>/feedback.html and <learner>/<exercise>/results.json", markup=False)
    if invalid:
        return _status.BAD_INPUT
    return _status.INTERNAL_ERROR if any(r.ungradable for r in results) else _status.SUCCESS
