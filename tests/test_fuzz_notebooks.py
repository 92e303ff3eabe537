"""Fuzzing: broken notebooks get a clear per-submission result, never an exception.

Hypothesis mutates the toy exercise's notebooks (tests/conftest.py): truncated JSON,
random bytes, text that is not UTF-8, an nbformat 3 notebook, missing or contradictory
nbgrader metadata, duplicated grade_ids, deleted and edited locked cells. Each mutant is
graded for real, under small limits. Then, without hypothesis: a 50 MB notebook, cells
that print or store megabytes, and ``mlday grade`` over a folder of mutants.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import TOTAL_POINTS, TOY, toy_notebook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader._grading import grade_notebook
from grader._limits import Limits
from grader._notebook import is_grade, is_locked
from grader._outcomes import Status
from grader._results import ExerciseResult
from grader._store import read_result, write_result

# Duplicated cells are a mutation: nbformat's note that it renumbered their ids is expected.
pytestmark = pytest.mark.filterwarnings("ignore:Non-unique cell id")

LIMITS = Limits(cell_seconds=3, call_seconds=3, submission_seconds=30, output_bytes=16 << 10, restarts=1)
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

LOCKED_EDITS = [
    "",
    "import grader.testing\ngrader.testing.assert_equal = lambda *a, **k: None",
    "def double(x):\n    return 0",
    "raise SystemExit",
    "%%bash\nrm -rf /",
    "# a comment",
]
GRADE_IDS = ["double", "setup", "intro", "test_double", "", "x" * 5000, "a\nb", "[bold]double[/bold]", "'\"\\", "ü", "0"]


@pytest.fixture(scope="module")
def toy(toy_workbook):
    """The toy workbook, with MLDAY_ROOT pointing at it for the whole module."""
    old = os.environ.get("MLDAY_ROOT")
    os.environ["MLDAY_ROOT"] = str(toy_workbook.root)
    yield toy_workbook
    if old is None:
        os.environ.pop("MLDAY_ROOT", None)
    else:
        os.environ["MLDAY_ROOT"] = old


def _docs(toy) -> dict[str, dict]:
    """The notebooks mutants start from, as JSON: the answered source, and the released stub."""
    return {
        "source": json.loads(toy.source.read_text()),
        "released": json.loads((toy.root / "exercises" / f"{TOY}.ipynb").read_text()),
    }


# -- mutations: each takes the notebook's JSON and a Random, and returns bytes -------------------


def _dump(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def truncated(doc, r):
    data = _dump(doc)
    return data[: r.randrange(len(data))]


def random_bytes(doc, r):
    return bytes(r.randrange(256) for _ in range(r.randrange(3000)))


def not_utf8(doc, r):
    data = _dump(doc)
    at = r.randrange(len(data))
    return data[:at] + r.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]) + data[at:]


def nbformat3(doc, r):
    cells = [{"cell_type": "code", "input": r.choice(["def double(x):\n    return 2 * x", "1/0", ""]), "language": "python", "outputs": [], "metadata": {}}]
    if r.random() < 0.5:
        cells.append({"cell_type": "markdown", "source": "# v3", "metadata": {}})
    return _dump({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": TOY}, "worksheets": [{"cells": cells, "metadata": {}}]})


def _random_meta(r):
    if r.random() < 0.2:
        return r.choice([[], "solution", 3, None, True])
    meta = {}
    for key in ("grade", "solution", "locked", "task"):
        if r.random() < 0.7:
            meta[key] = r.choice([True, False, None, "yes", 1])
    if r.random() < 0.8:
        meta["grade_id"] = r.choice(GRADE_IDS + [None, 7, ["double"], {"name": "double"}])
    if r.random() < 0.5:
        meta["points"] = r.choice([1, 0, -3, "two", None, 1e308, float("nan")])
    if r.random() < 0.5:
        meta["schema_version"] = r.choice([3, 1, "3", None])
    return meta


def nbgrader_metadata(doc, r):
    for cell in r.sample(doc["cells"], r.randint(1, 3)):
        cell.setdefault("metadata", {})["nbgrader"] = _random_meta(r)
    return _dump(doc)


def solution_and_grade(doc, r):
    cell = r.choice([c for c in doc["cells"] if "nbgrader" in c.get("metadata", {})])
    cell["metadata"]["nbgrader"].update(solution=True, grade=True)
    return _dump(doc)


def grade_without_points(doc, r):
    for cell in doc["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            cell["metadata"]["nbgrader"].pop("points", None)
    return _dump(doc)


def duplicated_ids(doc, r):
    cells = [c for c in doc["cells"] if "nbgrader" in c.get("metadata", {})]
    first, second = r.sample(cells, 2)
    second["metadata"]["nbgrader"]["grade_id"] = first["metadata"]["nbgrader"]["grade_id"]
    if r.random() < 0.5:  # and a plain copy of a whole cell
        doc["cells"].insert(r.randrange(len(doc["cells"]) + 1), copy.deepcopy(r.choice(cells)))
    return _dump(doc)


def deleted_cells(doc, r):
    keep = [c for c in doc["cells"] if r.random() < 0.5]
    doc["cells"] = keep or doc["cells"][:1]
    return _dump(doc)


def edited_locked(doc, r):
    for cell in doc["cells"]:
        if r.random() < 0.6 and cell.get("metadata", {}).get("nbgrader", {}).get("locked"):
            cell["source"] = r.choice(LOCKED_EDITS)
    return _dump(doc)


def cell_types(doc, r):
    for cell in r.sample(doc["cells"], r.randint(1, len(doc["cells"]))):
        cell["cell_type"] = r.choice(["code", "markdown", "raw", "heading", 5])
    return _dump(doc)


def notebook_metadata(doc, r):
    choice = r.randrange(5)
    if choice == 0:
        doc["metadata"].pop("mlday", None)
    elif choice == 1:
        doc["metadata"]["mlday"] = {"exercise": r.choice(["01_morning_review", "99", 99, None, ["99_toy"], {"a": 1}])}
    elif choice == 2:
        doc["metadata"] = r.choice([{}, [], "x"])
    elif choice == 3:
        doc["nbformat"], doc["nbformat_minor"] = r.choice([(5, 0), (4, 99), ("4", 0), (None, None)])
    else:
        del doc["cells"]
    return _dump(doc)


def odd_sources(doc, r):
    for cell in r.sample(doc["cells"], r.randint(1, 3)):
        cell["source"] = r.choice([5, None, ["def double(x):\n", "    return 2 * x"], {"a": 1}, [1, 2], "\x00"])
    return _dump(doc)


def not_a_notebook(doc, r):
    return _dump(r.choice([[], {}, {"cells": 5}, "cells", None, {"cells": []}, {"worksheets": 3}, {"cells": [1, 2]}]))


MUTATIONS = [
    truncated, random_bytes, not_utf8, nbformat3, nbgrader_metadata, solution_and_grade, grade_without_points,
    duplicated_ids, deleted_cells, edited_locked, cell_types, notebook_metadata, odd_sources, not_a_notebook,
]


def mutant(docs, start: str, mutation, r) -> bytes:
    return mutation(copy.deepcopy(docs[start]), r)


# -- what every result must be ----------------------------------------------------------------------


def assert_clear_result(result, path: Path, out: Path) -> None:
    """A clear per-submission outcome: a known exercise with one status per test, or
    invalid with a problem that says why; never the grader's fault; always renderable."""
    assert isinstance(result, ExerciseResult)
    assert result.ungradable == "", result.ungradable
    assert result.exercise in (TOY, "?")
    assert all(isinstance(t.status, Status) for t in result.tests)
    assert all(isinstance(p, str) and p for p in result.problems)
    assert 0 <= result.score <= result.max_score
    if result.invalid:
        assert result.problems and str(path) in result.problems[0]
        assert all(t.status is Status.ERROR and t.score == 0 for t in result.tests)
    if result.exercise == "?":
        assert result.invalid and result.tests == ()
    else:
        assert len(result.tests) == 3  # one public, two hidden
        assert read_result(write_result(out, result)).score == result.score


def _grade(toy, data: bytes, folder: Path, name: str = "99_toy_fuzz.ipynb"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path, grade_notebook(path, toy.root, limits=LIMITS)


@FUZZ
@given(
    start=st.sampled_from(["source", "released"]),
    mutation=st.sampled_from(MUTATIONS),
    r=st.randoms(use_true_random=False),
    name=st.sampled_from(["99_toy_fuzz.ipynb", "submission.ipynb"]),  # the second names no exercise
)
def test_every_mutant_gets_a_clear_result(toy, tmp_path_factory, start, mutation, r, name):
    folder = tmp_path_factory.mktemp("fuzz")
    path, result = _grade(toy, mutant(_docs(toy), start, mutation, r), folder, name)
    assert_clear_result(result, path, folder / "out")


@FUZZ
@given(deleted=st.sets(st.integers(0, 3)), edits=st.lists(st.sampled_from(LOCKED_EDITS), min_size=4, max_size=4))
def test_deleted_or_edited_locked_cells_are_restored_and_the_answer_keeps_full_marks(toy, tmp_path_factory, deleted, edits):
    nb = toy_notebook()  # intro, setup, double (solution), test_double: 0, 1, 3 are locked
    locked = [i for i, c in enumerate(nb.cells) if is_locked(c) or is_grade(c)]
    for i, source in zip(locked, edits):
        nb.cells[i].source = source
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in deleted or i not in locked]
    folder = tmp_path_factory.mktemp("restore")
    path, result = _grade(toy, nbformat.writes(nb).encode(), folder)
    assert_clear_result(result, path, folder / "out")
    assert result.score == TOTAL_POINTS and result.cells == ()
    pristine = toy_notebook()
    # a changed test cell is restored without a note: it never runs in the worker
    changed = {i for i, s in zip(locked, edits) if s != pristine.cells[i].source and not is_grade(pristine.cells[i])} - deleted
    notes = " ".join(result.problems)
    assert notes.count("was changed; it was restored") == len(changed)
    assert notes.count("was deleted; it was restored") == len(deleted & set(locked))


# -- big notebooks ----------------------------------------------------------------------------------


def test_50_mb_notebook_is_graded_within_a_bounded_time(toy, tmp_path):
    nb = toy_notebook()
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A very long story. " * ((50 << 20) // 19 + 1)))
    data = nbformat.writes(nb).encode()
    assert len(data) >= 50 << 20
    started = time.monotonic()
    path, result = _grade(toy, data, tmp_path)
    assert time.monotonic() - started < 60
    assert_clear_result(result, path, tmp_path / "out")
    assert (result.score, result.invalid, result.problems) == (TOTAL_POINTS, False, ())


def test_cells_that_print_or_store_megabytes_keep_the_output_bounded(toy, tmp_path):
    nb = toy_notebook(scratch=("print('x' * (8 << 20))\nimport sys\nsys.stderr.write('y' * (8 << 20))",))
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="z" * (20 << 20))]
    path, result = _grade(toy, nbformat.writes(nb).encode(), tmp_path)
    assert_clear_result(result, path, tmp_path / "out")
    assert (result.score, result.cells) == (TOTAL_POINTS, ())
    assert result.output.startswith("xxxx") and len(result.output.encode()) <= LIMITS.output_bytes


# -- the command line ------------------------------------------------------------------------------


def _mlday_grade(toy, folder: Path, out: Path) -> subprocess.CompletedProcess:
    argv = [str(Path(sys.executable).with_name("mlday")), "grade", str(folder), "--out", str(out), "-j", "2", "--cell-timeout", "3", "--call-timeout", "3"]
    env = dict(os.environ, MLDAY_ROOT=str(toy.root), COLUMNS="200")
    return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, env=env)


def _class_of_mutants(toy, folder: Path, *, seed: int = 7, grade_ids=None) -> dict[str, Path]:
    docs, r, notebooks = _docs(toy), random.Random(seed), {}
    for start in ("source", "released"):
        for mutation in MUTATIONS:
            learner = f"{start}-{mutation.__name__}"
            path = folder / learner / f"{TOY}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_bytes(mutant(docs, start, mutation, r))
            notebooks[learner] = path
    return notebooks


def _unhashable_grade_id(toy) -> bytes:
    doc = _docs(toy)["source"]
    doc["cells"][2]["metadata"]["nbgrader"]["grade_id"] = ["double"]
    return _dump(doc)


def _rich_markup_in_a_grade_id() -> nbformat.NotebookNode:
    nb = toy_notebook()
    for cell in nb.cells[2:4]:
        cell.metadata["nbgrader"] = {"grade_id": "[/oops]", "locked": False, "solution": False, "grade": False}
    return nb


@pytest.fixture(scope="module")
def graded_class(toy, tmp_path_factory):
    """(mutants, out, the run): one ``mlday grade`` of a class of every mutant, and of
    the learners the tests below name. Each run starts its grading processes and warm
    workers, so the tests share one."""
    folder = tmp_path_factory.mktemp("cli")
    notebooks = _class_of_mutants(toy, folder / "class")
    for learner, data in (("mallory", _unhashable_grade_id(toy)), ("zoe", toy.source.read_bytes()),
                          ("markup", nbformat.writes(_rich_markup_in_a_grade_id()).encode())):
        (folder / "class" / learner).mkdir()
        (folder / "class" / learner / f"{TOY}.ipynb").write_bytes(data)
    return notebooks, folder / "out", _mlday_grade(toy, folder / "class", folder / "out")


def test_mlday_grade_on_a_folder_of_mutants_has_a_result_or_a_line_for_each(graded_class):
    notebooks, out, done = graded_class
    assert done.returncode in (0, 3), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for learner, path in notebooks.items():
        has_result = (out / learner / TOY / "results.json").is_file()
        has_line = f"  {learner}: {path}: cannot be graded: " in done.stdout
        assert has_result != has_line, (learner, done.stdout)


@pytest.mark.parametrize("grade_id", [["double"], {"name": "double"}], ids=["list", "dict"])
def test_unhashable_grade_id_of_a_solution_cell_gets_a_clear_result(toy, tmp_path, grade_id):
    doc = _docs(toy)["source"]
    doc["cells"][2]["metadata"]["nbgrader"]["grade_id"] = grade_id
    path, result = _grade(toy, _dump(doc), tmp_path)
    assert_clear_result(result, path, tmp_path / "out")
    assert result.exercise == TOY and "solution cell(s) missing from the notebook: double" in result.problems


def test_mlday_grade_goes_on_after_an_unhashable_grade_id(graded_class):
    _, out, done = graded_class  # mallory's solution cell has the grade_id ["double"]
    assert done.returncode in (0, 3), done.stdout + done.stderr
    assert read_result(out / "zoe" / TOY / "results.json").score == TOTAL_POINTS


def test_mlday_grade_survives_rich_markup_in_a_grade_id(graded_class):
    _, out, done = graded_class  # markup's cells have the grade_id "[/oops]"
    assert (out / "markup" / TOY / "results.json").is_file()
    assert done.returncode in (0, 3), done.stdout + done.stderr
    assert "the cell id '[/oops]' appears 2 times" in " ".join(done.stdout.split())  # shown, not interpreted

