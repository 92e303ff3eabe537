"""One Gradescope submission's ``results.json``, from what ``mlday grade`` wrote.

``run_autograder`` grades the submission folder with ``mlday grade --out DIR``, which
writes one results.json per exercise; Gradescope reads exactly one per submission.
This module makes that one. It accounts for every exercise in the zip:

- graded: its results, as ``mlday grade`` rendered them;
- not submitted: each question scores 0 of its points, as "not attempted";
- submitted but without a result: each question is "ungradable", the grader's fault;

and it tells the learner why each notebook that did not count did not count.

Run as ``python -m grader._export.submission --grades DIR --submission DIR --out FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._errors import MldayError
from .._exercises import Exercise, find_exercises
from .._outcomes import Status, Ungradable
from .._results import ExerciseResult, TestResult

NOT_SUBMITTED = "no notebook of this exercise in your submission"
NO_RESULT = "mlday grade wrote no result for this notebook; the autograder's log says why"


def submission_results(root: Path, grades: Path, submission: Path) -> dict:
    """The results.json document for the submission folder ``submission``.

    Parameters
    ----------
    root : Path
        The workbook (the unpacked zip): which exercises there are, and their points.
    grades : Path
        The ``--out`` folder of ``mlday grade`` run on ``submission``.
    submission : Path
        The learner's files.
    """
    from .._render.gradescope import render, render_submission

    exercises = find_exercises(root)
    graded = _graded(grades)
    submitted, notes = _submitted(submission, [ex.name for ex in exercises])
    documents = []
    for exercise in exercises:
        notebooks = submitted.get(exercise.name, [])
        doc = graded.get(exercise.name)
        if doc is None:
            doc = render(_without_result(exercise, notebooks, submission))
        else:
            counted = Path(doc["extra_data"]["notebook"]).resolve()
            notes += [
                f"{_shown(nb, submission)}: not counted: {_shown(counted, submission)} was graded for {exercise.name}"
                for nb in notebooks
                if nb.resolve() != counted
            ]
        documents.append(doc)
    return render_submission(documents, notes)


def _graded(grades: Path) -> dict[str, dict]:
    """Each exercise's rendered result; of several (notebooks in sub-folders), the first by path."""
    found: dict[str, dict] = {}
    for path in sorted(grades.glob("*/*/results.json")):
        doc = json.loads(path.read_text())
        found.setdefault(doc["extra_data"]["exercise"], doc)
    return found


def _submitted(submission: Path, known: list[str]) -> tuple[dict[str, list[Path]], list[str]]:
    """The notebooks ``mlday grade`` grades, by exercise; and a note for every other file that matters."""
    from .._notebook import NotebookError, exercise_of, read_notebook
    from ..cli.grade import find_submissions  # the one rule for which notebooks are graded

    notebooks = sorted(
        p for p in submission.rglob("*.ipynb")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(submission).parts)
    ) if submission.is_dir() else []
    if not notebooks:
        return {}, [_no_notebook(submission, known)]
    try:
        graded = {nb.resolve() for _, nb in find_submissions([submission])}
    except MldayError:
        graded = set()
    by_exercise: dict[str, list[Path]] = {}
    notes = []
    for nb in notebooks:
        shown = _shown(nb, submission)
        if nb.resolve() not in graded:
            notes.append(f"{shown}: not graded: it is in a sub-folder; submit your notebooks at the top level of your submission")
            continue
        try:
            exercise = exercise_of(read_notebook(nb), nb, known)
        except NotebookError as exc:
            try:  # mlday grade grades a broken notebook whose file name names its exercise
                exercise = exercise_of({"metadata": {}}, nb, known)
            except NotebookError:
                notes.append(f"{shown}: not graded: {str(exc).removeprefix(f'{nb}: ')}")
                continue
        by_exercise.setdefault(exercise, []).append(nb)
    return by_exercise, notes


def _no_notebook(submission: Path, known: list[str]) -> str:
    files = sorted(p.relative_to(submission).as_posix() for p in submission.rglob("*") if p.is_file()) if submission.is_dir() else []
    held = f"; it holds {', '.join(files[:10])}{' ...' if len(files) > 10 else ''}" if files else "; it is empty"
    wanted = ", ".join(f"{name}.ipynb" for name in known)
    return f"no Jupyter notebook (.ipynb) in your submission{held}. Submit your notebook: {wanted}"


def _without_result(exercise: Exercise, notebooks: list[Path], submission: Path) -> ExerciseResult:
    """An exercise that ``mlday grade`` did not grade: not submitted, or the grader's fault."""
    learner = submission.name
    if notebooks:
        status, title, message, notebook = Status.UNGRADABLE, "not graded", NO_RESULT, str(notebooks[0])
        problems, ungradable = (), f"{_shown(notebooks[0], submission)}: {NO_RESULT}"
    else:
        status, title, message, notebook = Status.NOT_ATTEMPTED, "not submitted", NOT_SUBMITTED, ""
        problems, ungradable = (NOT_SUBMITTED,), ""
    try:
        points = _points(exercise)
    except Ungradable as exc:
        return ExerciseResult(learner, exercise.name, notebook, problems=problems, isolation="", ungradable=str(exc))
    tests = tuple(
        TestResult(f"{exercise.name}::{question}", question, title, False, status, 0.0, max_score, message)
        for question, max_score in points.items()
    )
    return ExerciseResult(learner, exercise.name, notebook, tests=tests, problems=problems, isolation="", ungradable=ungradable)


def _points(exercise: Exercise) -> dict[str, float]:
    """Each question's points, public and hidden tests together."""
    from .._inventory import collect_tests, question_table

    return {q: row["points"] for q, row in question_table(exercise, collect_tests(exercise)).items()}


def _shown(path: Path, submission: Path) -> str:
    """``path`` as the learner knows it: relative to their submission."""
    try:
        return Path(path).resolve().relative_to(submission.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def main(argv=None) -> int:
    """Write the submission's results.json; exit non-zero if any of it is ungradable."""
    from .._paths import project_root
    from .._store import write_atomic
    from ..cli import _status

    parser = argparse.ArgumentParser(prog="python -m grader._export.submission", description=__doc__.splitlines()[0])
    parser.add_argument("--grades", type=Path, required=True, metavar="DIR", help="the --out folder of mlday grade")
    parser.add_argument("--submission", type=Path, required=True, metavar="DIR", help="the learner's files")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="the results.json to write")
    args = parser.parse_args(argv)
    try:
        doc = submission_results(project_root(), args.grades, args.submission)
    except MldayError as exc:
        print(f"grader._export.submission: error: {exc}", file=sys.stderr)
        return _status.BAD_INPUT
    write_atomic(args.out, json.dumps(doc, indent=2) + "\n")
    ungradable = [e["exercise"] for e in doc["extra_data"]["exercises"] if e["ungradable"]]
    max_score = sum(e["max_score"] for e in doc["extra_data"]["exercises"])
    print(f"wrote {args.out}: {doc['score']:g}/{max_score:g}" + (f"; ungradable: {', '.join(ungradable)}" if ungradable else ""))
    return _status.INTERNAL_ERROR if ungradable else _status.SUCCESS


if __name__ == "__main__":
    sys.exit(main())
