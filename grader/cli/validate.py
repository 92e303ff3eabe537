"""mlday validate [EXERCISE...]: the tests of the tests, and the release in sync."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from . import _status


def add_arguments(parser) -> None:
    parser.add_argument("exercises", nargs="*", metavar="EXERCISE", help="names or numbers (default: all)")


def run(args) -> int:
    from grader._exercises import find_exercises, get_exercise
    from grader._paths import project_root
    from grader._release._workbook import out_of_sync
    from grader._validate import Finding, validate_exercise

    root = project_root()
    exercises = [get_exercise(root, n) for n in args.exercises] if args.exercises else find_exercises(root)
    exercises = [ex for ex in exercises if ex.has_solutions]
    if not exercises:
        from grader._errors import MldayError

        raise MldayError("no source notebooks in solutions/: validate needs the instructors' files")
    console = Console()
    findings: list[Finding] = []
    for exercise in exercises:
        found = validate_exercise(exercise)
        ok = sum(f.ok for f in found)
        console.print(f"{exercise.name}: {ok}/{len(found)} checks hold", markup=False)
        findings += found
    stale = out_of_sync(root)
    findings.append(Finding("*", "release in sync", not stale, ", ".join(map(str, stale)) and f"run 'mlday release': {', '.join(map(str, stale))} differ"))
    failed = [f for f in findings if not f.ok]
    if failed:
        table = Table(title="validation failures")
        for column in ("exercise", "check", "why"):
            table.add_column(column, overflow="fold")
        for f in failed:
            table.add_row(f.exercise, f.check, f.detail)
        console.print(table)
        console.print(f"{len(failed)} of {len(findings)} checks failed")
        return _status.FAILURE
    console.print(f"all {len(findings)} checks hold")
    return _status.SUCCESS
