"""mlday grade SUBMISSION... --out DIR: grade with public and hidden tests, and write reports."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from . import _status
from ._options import add_limit_options, limits_from

DEFAULT_OUT = Path("mlday-grades")


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                        help="a notebook, a folder of one learner's notebooks, or a folder of such folders")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the output folder (default: {DEFAULT_OUT})")
    add_limit_options(parser)


def find_submissions(paths) -> list[tuple[str, Path]]:
    """(learner, notebook) pairs: a notebook's learner is its stem; a folder's, its name.

    A folder without notebooks of its own but with sub-folders is a class: each
    sub-folder is one learner.
    """
    from grader._errors import MldayError

    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_file():
            found.append((path.stem, path))
        elif path.is_dir():
            notebooks = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            if notebooks:
                found.extend((path.resolve().name, nb) for nb in notebooks)
            else:
                subs = sorted(d for d in path.iterdir() if d.is_dir() and not d.name.startswith("."))
                found.extend((d.name, nb) for d in subs for nb in sorted(d.glob("*.ipynb")))
        else:
            raise MldayError(f"{path}: no such file or folder")
    if not found:
        raise MldayError("no notebooks found in " + ", ".join(map(str, paths)))
    seen: dict[tuple[str, str], Path] = {}
    for learner, nb in found:
        other = seen.setdefault((learner, nb.stem), nb)
        if other != nb:
            raise MldayError(f"two submissions of learner {learner!r}: {other} and {nb}; grade them separately or put each learner's notebooks in a folder of their own")
    return found


def run(args) -> int:
    from grader._grading import grade_notebook
    from grader._paths import project_root
    from grader._render.gradebook import render as gradebook
    from grader._render.summary_table import render as summary
    from grader._sandbox import resolve
    from grader._store import read_all, write_atomic, write_result

    root = project_root()
    limits = limits_from(args)
    isolation = resolve(args.isolation)
    submissions = find_submissions(args.submissions)
    console = Console(stderr=False)
    console.print(f"mlday grade: {len(submissions)} notebook(s); isolation: {isolation}", markup=False)
    results, invalid = [], 0
    for learner, notebook in submissions:
        result = grade_notebook(notebook, root, learner=learner, limits=limits, isolation=isolation)
        if result.exercise == "?":
            invalid += 1
            console.print(f"  {learner}: {notebook}: cannot be graded: {'; '.join(result.problems)}", markup=False)
            continue
        invalid += result.invalid
        write_result(args.out, result)
        results.append(result)
        if result.ungradable or result.problems or result.invalid:
            console.print(f"  {learner}/{result.exercise}: {'; '.join(result.problems) or result.ungradable}", markup=False)
    write_atomic(args.out / "gradebook.csv", gradebook(read_all(args.out)))
    console.print(summary(results))
    console.print(f"reports: {args.out}/gradebook.csv and {args.out}/<learner>/<exercise>/results.json", markup=False)
    if invalid:
        return _status.BAD_INPUT
    return _status.INTERNAL_ERROR if any(r.ungradable for r in results) else _status.SUCCESS
