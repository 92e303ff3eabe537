"""The benchmark's class: N learners, each with the whole workbook, deterministic from a seed.

Each notebook is one of five kinds:

perfect
    the source notebook from ``solutions/``, as it is.
partly
    the source notebook with catalogued mistakes (``solutions/mistakes/``) in place of
    some of its solution cells, one mistake per question, about half of the questions.
blank
    the released notebook from ``exercises/``, as the learner received it.
raises
    the source notebook with one solution cell replaced by a cell that raises.
timeout
    the source notebook with one solution cell replaced by a loop that runs past any
    cell timeout. It sleeps in the loop rather than spinning, so that a run with
    ``-j 2`` on two cores is not slowed by a busy loop that stands for no real work.

Every notebook stays valid for nbgrader: only the source of solution cells changes.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from grader._exercises import Exercise
from grader._notebook import is_solution, nbgrader, read_notebook, solution_names
from grader.catalogue import load_mistakes

KINDS = ("perfect", "partly", "blank", "raises", "timeout")

#: The kinds dealt in this order, then shuffled: the first five notebooks hold every
#: kind, and a class of twelve notebooks or more is about a quarter perfect, a third
#: partly right, a sixth blank, a sixth raising and a twelfth timing out.
PATTERN = ("perfect", "partly", "blank", "raises", "timeout", "partly",
           "perfect", "partly", "blank", "raises", "perfect", "partly")

RAISES = 'raise RuntimeError("benchmark: this learner\'s cell raises")\n'
LOOPS = "import time\n\nwhile True:  # benchmark: runs past any cell timeout\n    time.sleep(0.05)\n"


@dataclass(frozen=True)
class Submission:
    """One generated notebook: whose, which exercise, which kind, and what was changed."""

    learner: str
    exercise: str
    kind: str
    path: Path
    changed: tuple[str, ...] = ()  # the questions whose solution cell was replaced


def deal(count: int, seed: int) -> list[str]:
    """The kinds of ``count`` notebooks, in a seeded order."""
    kinds = [PATTERN[i % len(PATTERN)] for i in range(count)]
    random.Random(seed).shuffle(kinds)
    return kinds


def solution_cell_index(nb, name: str) -> int:
    """The index of the solution cell whose grade_id is ``name``: the cell that ``mlday
    validate`` swaps a mistake into, found with the same nbgrader-metadata helpers."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and is_solution(cell) and nbgrader(cell).get("grade_id") == name:
            return index
    raise KeyError(f"the notebook has no solution cell {name!r}")


def _replace(nb, replacements: dict[str, str]):
    for name, source in replacements.items():
        nb.cells[solution_cell_index(nb, name)].source = source
    return nb


def make_notebook(exercise: Exercise, kind: str, rng: random.Random):
    """The notebook of one kind for ``exercise``; and the questions whose cell changed."""
    if kind == "blank":
        return read_notebook(exercise.released), ()
    nb = read_notebook(exercise.source)
    questions = solution_names(nb)
    if kind == "perfect":
        return nb, ()
    if kind == "partly":
        by_question: dict[str, list] = {}
        for mistake in load_mistakes(exercise.mistakes):
            by_question.setdefault(mistake.name, []).append(mistake)
        names = sorted(by_question)
        if not names:
            raise ValueError(f"{exercise.name} has no catalogued mistakes to make a partly right notebook from")
        chosen = rng.sample(names, max(1, len(names) // 2))
        return _replace(nb, {q: rng.choice(by_question[q]).code for q in chosen}), tuple(sorted(chosen))
    if kind in ("raises", "timeout"):
        question = rng.choice(questions)
        return _replace(nb, {question: RAISES if kind == "raises" else LOOPS}), (question,)
    raise ValueError(f"The kind must be one of {', '.join(KINDS)}. Got {kind!r} instead.")


def make_class(folder: Path, exercises: list[Exercise], learners: int, seed: int = 0) -> list[Submission]:
    """Write ``folder/<learner>/<exercise>.ipynb`` for every learner and exercise, and
    ``folder.json`` beside it listing each notebook's kind; return the submissions."""
    if learners < 1:
        raise ValueError(f"The number of learners must be at least 1. Got {learners!r} instead.")
    shutil.rmtree(folder, ignore_errors=True)
    pairs = [(f"learner{i + 1:02d}", ex) for i in range(learners) for ex in exercises]
    rng = random.Random(seed)
    submissions = []
    for (learner, exercise), kind in zip(pairs, deal(len(pairs), seed)):
        nb, changed = make_notebook(exercise, kind, rng)
        path = folder / learner / f"{exercise.name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        submissions.append(Submission(learner, exercise.name, kind, path, changed))
    manifest = [{**asdict(s), "path": str(s.path)} for s in submissions]
    folder.with_suffix(".json").write_text(json.dumps(manifest, indent=1) + "\n")
    return submissions
