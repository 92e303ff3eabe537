"""mlday list [--json]: exercises, questions, points, and the tests and mistakes of each."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from . import _status


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def inventory(root) -> list[dict]:
    """Per exercise: its questions with grade_id, points, and test and mistake counts."""
    from grader._exercises import find_exercises
    from grader._inventory import collect_tests, question_table
    from grader._notebook import read_notebook, solution_names
    from grader.catalogue import load_mistakes

    out = []
    for exercise in find_exercises(root):
        nb = read_notebook(exercise.source if exercise.has_solutions else exercise.released)
        table = question_table(exercise, collect_tests(exercise))
        mistakes = load_mistakes(exercise.mistakes)
        questions = []
        for name in solution_names(nb):
            row = table.get(name, {"points": 0.0, "public_tests": 0, "hidden_tests": 0})
            questions.append({"grade_id": name, **row, "mistakes": sum(m.name == name for m in mistakes)})
        out.append({"exercise": exercise.name, "title": nb.metadata.get("mlday", {}).get("title", exercise.name), "questions": questions})
    return out


def run(args) -> int:
    from grader._paths import project_root

    data = inventory(project_root())
    if args.json:
        print(json.dumps(data, indent=2))
        return _status.SUCCESS
    table = Table(title="mlday exercises")
    for column in ("exercise", "question", "points", "public", "hidden", "mistakes"):
        table.add_column(column)
    for ex in data:
        for q in ex["questions"]:
            table.add_row(ex["exercise"], q["grade_id"], f"{q['points']:g}", str(q["public_tests"]), str(q["hidden_tests"]), str(q["mistakes"]))
    Console().print(table)
    return _status.SUCCESS
