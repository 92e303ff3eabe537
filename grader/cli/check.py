"""mlday check NOTEBOOK [NAME...]: the public tests, run on the notebook in a worker."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from . import _status
from ._options import add_limit_options, limits_from


def add_arguments(parser) -> None:
    parser.add_argument("notebook", type=Path, help="the notebook to check")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these questions (default: all)")
    add_limit_options(parser)


def run(args) -> int:
    from grader._errors import MldayError
    from grader._exercises import get_exercise
    from grader._grading import grade_notebook
    from grader._notebook import read_notebook
    from grader._outcomes import Status
    from grader._paths import project_root
    from grader._render.check_table import render
    from grader.learner import hidden_count

    root = project_root(args.notebook.resolve().parent)
    nb = read_notebook(args.notebook)
    result = grade_notebook(args.notebook, root, nb=nb, hidden=False, questions=args.names, limits=limits_from(args), isolation=args.isolation)
    if result.invalid or result.exercise == "?":
        raise MldayError("; ".join(result.problems) or "the notebook cannot be checked")
    if not result.tests:
        names = ", ".join(args.names) or "(none)"
        raise MldayError(f"{result.exercise} has no public tests for {names}")
    console = Console()
    console.print(render(result))
    for problem in result.problems:
        console.print(f"notebook: {problem}", markup=False)
    for cell in result.cells:
        console.print(f"cell {cell.index}: {cell.status.value}: {cell.message.splitlines()[0]}", markup=False)
    if result.ungradable:
        console.print(f"ungradable: {result.ungradable}", markup=False)
        return _status.INTERNAL_ERROR
    if all(t.status is Status.PASSED for t in result.tests):
        exercise = get_exercise(root, result.exercise)
        hidden = sum(hidden_count(exercise, q) for q in {t.question for t in result.tests})
        console.print(f"public tests passed; {hidden} hidden tests run at grading" if hidden else "public tests passed")
        return _status.SUCCESS
    failing = sum(t.status is not Status.PASSED for t in result.tests)
    console.print(f"{failing} of {len(result.tests)} public tests did not pass")
    return _status.FAILURE
