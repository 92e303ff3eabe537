"""mlday progress [FOLDER]: per exercise, how many questions pass their public tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import _status
from ._options import add_limit_options, limits_from


def add_arguments(parser) -> None:
    parser.add_argument("folder", nargs="?", type=Path, default=None, metavar="FOLDER",
                        help="the folder of your notebooks, .ipynb or jupytext .py (default: exercises/)")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="check N notebooks at a time (default: the number of cores)")
    add_limit_options(parser)


def run(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from grader._batch import default_jobs
    from grader._errors import MldayError
    from grader._exercises import find_exercises
    from grader._notebook import NotebookError, exercise_of, notebooks_in, read_notebook
    from grader._paths import project_root
    from grader._progress import check_notebooks, progress_of
    from grader._render.progress_table import render
    from grader._sandbox import resolve

    root = project_root(args.folder.resolve() if args.folder is not None else None)
    folder = args.folder if args.folder is not None else root / "exercises"
    if not folder.is_dir():
        raise MldayError(f"{folder}: no such folder")
    limits = limits_from(args)
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise MldayError(f"The number of jobs must be at least 1. Got {jobs} instead.")
    isolation = resolve(args.isolation)
    known = [ex.name for ex in find_exercises(root)]
    console = Console()
    notebooks, order = [], {}
    for path in notebooks_in(folder):
        try:
            nb = read_notebook(path)
        except NotebookError:
            nb = {"metadata": {}}  # a broken exercise notebook gets a row that says what is wrong
        try:
            exercise = exercise_of(nb, path, known)
        except NotebookError:
            # A scratch notebook, say: say so, and check the others.
            console.print(f"skipped {path}: not a notebook of one of the exercises", markup=False)
            continue
        notebooks.append(path)
        order[path] = (known.index(exercise), path.name)
    if not notebooks:
        raise MldayError(f"{folder}: no exercise notebooks here (.ipynb, or jupytext .py)")
    notebooks.sort(key=order.__getitem__)

    rows = {}
    columns = [TextColumn("checking"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checking", total=len(notebooks))
        for path, result in check_notebooks(notebooks, root, jobs=min(jobs, len(notebooks)), limits=limits, isolation=isolation):
            rows[path] = progress_of(result)
            bar.advance(task)
    shown = [rows[path] for path in notebooks]
    if len({row.exercise for row in shown}) < len(shown):
        # Two notebooks of one exercise: tell the rows apart by file name.
        shown = [replace(row, exercise=f"{row.exercise} ({Path(row.notebook).name})") for row in shown]
    console.print(render(shown))
    for row in shown:
        if row.problem:
            console.print(f"{row.exercise}: {row.problem}", markup=False)
    if any(row.problem.startswith("ungradable") for row in shown):
        return _status.INTERNAL_ERROR
    return _status.BAD_INPUT if any(row.problem for row in shown) else _status.SUCCESS
