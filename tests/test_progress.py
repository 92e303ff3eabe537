"""Tests of ``mlday progress`` (grader.cli.progress, grader._progress and its table):
per exercise, the questions whose public tests pass, fail, or are not attempted."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import TOY, toy_notebook

from grader import _results
from grader._grading import grade_notebook
from grader._notebook import read_notebook, solution_names
from grader._outcomes import Status
from grader._progress import ExerciseProgress, progress_of
from grader._render.progress_table import BAR_WIDTH, bar, render
from grader._results import ExerciseResult
from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]
BEN = ROOT / "solutions" / "demo_class" / "ben" / "01_morning_review.ipynb"
RELEASED = ROOT / "exercises" / "01_morning_review.ipynb"


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    monkeypatch.delenv("MLDAY_DEBUG", raising=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def table_rows(out: str) -> dict[str, list[str]]:
    """exercise -> the other cells of its row, from the printed table."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 5 and cells[0] and cells[0] != "exercise":
            rows[cells[0]] = cells[1:]
    return rows


# -- the model ---------------------------------------------------------------------------


def _test(question, status):
    return _results.TestResult(f"t::{question}::{status.value}", question, "a test", False, status, 0.0, 1.0)


def test_progress_counts_questions_not_tests():
    tests = [
        _test("a", Status.PASSED), _test("a", Status.PASSED),  # passing
        _test("b", Status.PASSED), _test("b", Status.FAILED),  # to fix: one test fails
        _test("c", Status.NOT_ATTEMPTED), _test("c", Status.NOT_ATTEMPTED),  # not attempted
        _test("d", Status.NOT_ATTEMPTED), _test("d", Status.ERROR),  # to fix: tried, one test errors
        _test("e", Status.TIMEOUT),  # to fix
    ]
    row = progress_of(ExerciseResult("x", "01_x", "nb.ipynb", tests=tuple(tests)))
    assert (row.passing, row.failing, row.not_attempted, row.total, row.problem) == (1, 3, 1, 5, "")


def test_progress_of_a_notebook_that_cannot_be_read():
    row = progress_of(ExerciseResult("x", "01_x", "nb.ipynb", problems=("nb.ipynb: not valid JSON",), invalid=True))
    assert row.total == 0 and row.problem == "nb.ipynb: not valid JSON"


def test_progress_of_an_ungradable_run_says_so():
    row = progress_of(ExerciseResult("x", "01_x", "nb.ipynb", tests=(_test("a", Status.PASSED),), ungradable="tests missing"))
    assert row.passing == 1 and row.problem == "ungradable: tests missing"


# -- the table -----------------------------------------------------------------------------


@pytest.mark.parametrize("counts", [(0, 0, 5), (5, 0, 0), (2, 2, 1), (1, 1, 1), (1, 4, 1), (0, 0, 0)])
def test_bar_splits_its_width_by_question(counts):
    row = ExerciseProgress("01_x", "nb.ipynb", *counts)
    text = bar(row).plain
    if not row.total:
        assert text == ""
        return
    assert len(text) == BAR_WIDTH
    for char, n in zip("█▓░", counts):
        assert abs(text.count(char) - BAR_WIDTH * n / row.total) < 1
    assert text == "".join(sorted(text, key="█▓░".index))  # passing, then to fix, then not attempted


def test_table_has_a_total_line():
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(render([ExerciseProgress("01_x", "a", 2, 1, 2), ExerciseProgress("02_y", "b", 0, 0, 4)]))
    out = console.export_text()
    assert "2 of 9 questions pass their public tests; hidden tests run at grading" in out
    assert table_rows(out)["01_x"][1:] == ["2/5", "1", "2"]


# -- the command, on the real exercise 01 --------------------------------------------------


def test_progress_of_the_released_notebook_and_a_partly_solved_copy(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / RELEASED.name).write_bytes(RELEASED.read_bytes())
    (folder / "01_morning_review_ben.ipynb").write_bytes(BEN.read_bytes())
    (folder / "scratch.ipynb").write_text("{}")  # no exercise of this workbook
    code, out, err = run(capsys, "progress", folder, "-j", "1")
    assert code == 0, out + err
    assert f"skipped {folder / 'scratch.ipynb'}: not a notebook of one of the exercises" in " ".join(out.split())
    rows = table_rows(out)

    questions = solution_names(read_notebook(RELEASED))
    released = rows["01_morning_review (01_morning_review.ipynb)"]
    assert released[1:] == [f"0/{len(questions)}", "0", str(len(questions))]
    assert set(released[0]) == {"░"}

    # Independently: ben's public results, question by question, as mlday check sees them.
    result = grade_notebook(BEN, ROOT, hidden=False)
    statuses: dict[str, set] = {}
    for t in result.tests:
        statuses.setdefault(t.question, set()).add(t.status)
    passing = [q for q, s in statuses.items() if s == {Status.PASSED}]
    untouched = [q for q, s in statuses.items() if s == {Status.NOT_ATTEMPTED}]
    assert passing and untouched and len(passing) + len(untouched) < len(questions)  # a partly solved notebook
    ben = rows["01_morning_review (01_morning_review_ben.ipynb)"]
    assert ben[1:] == [f"{len(passing)}/{len(questions)}", str(len(questions) - len(passing) - len(untouched)), str(len(untouched))]
    assert f"{len(passing)} of {2 * len(questions)} questions pass their public tests" in out


# -- the command, on a toy workbook ----------------------------------------------------------


@pytest.fixture
def toy_root(monkeypatch, toy_workbook):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    return toy_workbook.root


def test_default_folder_is_exercises(capsys, toy_root):
    code, out, err = run(capsys, "progress", "--cell-timeout", "5", "--call-timeout", "5")
    assert code == 0, out + err
    assert table_rows(out)[TOY][1:] == ["0/1", "0", "1"]


def test_a_broken_exercise_notebook_gets_a_row_and_a_message(tmp_path, capsys, toy_root, toy_workbook):
    toy_workbook.write(tmp_path, f"{TOY}.ipynb", "{not json")
    code, out, _ = run(capsys, "progress", tmp_path)
    assert code == 3
    assert table_rows(out)[TOY][0] == "cannot be checked"
    assert f"{TOY}: {tmp_path / (TOY + '.ipynb')}: not valid JSON" in " ".join(out.split())


def test_a_script_counts_like_a_notebook(tmp_path, capsys, toy_root):
    pytest.importorskip("jupytext")
    from grader._jupytext import to_percent

    (tmp_path / f"{TOY}.py").write_text(to_percent(toy_notebook()))
    code, out, err = run(capsys, "progress", tmp_path)
    assert code == 0, out + err
    assert table_rows(out)[TOY][1:] == ["1/1", "0", "0"]


@pytest.mark.parametrize(
    "make, argv, message",
    [
        (None, ["nowhere"], "nowhere: no such folder"),
        ("empty", ["empty"], "empty: no exercise notebooks here (.ipynb, or jupytext .py)"),
        ("empty", ["empty", "-j", "0"], "The number of jobs must be at least 1. Got 0 instead."),
        ("empty", ["empty", "--cell-timeout", "-1"], "cell"),
    ],
)
def test_bad_input_is_one_line(tmp_path, capsys, toy_root, make, argv, message):
    if make:
        (tmp_path / make).mkdir()
    code, out, err = run(capsys, "progress", *[str(tmp_path / a) if i == 0 else a for i, a in enumerate(argv)])
    assert code == 3
    assert err.count("\n") == 1 and "Traceback" not in out + err
    assert message in err, err


def test_two_notebooks_of_one_exercise_are_told_apart(tmp_path, capsys, toy_root, toy_workbook):
    # Rows follow the workbook's order of exercises, then the file names; -j 2 checks both at once.
    nb = toy_notebook()
    nb.metadata["mlday"]["exercise"] = TOY
    nbformat.write(nb, tmp_path / "a_copy.ipynb")
    nbformat.write(nb, tmp_path / f"{TOY}.ipynb")
    code, out, err = run(capsys, "progress", tmp_path, "-j", "2")
    assert code == 0, out + err
    assert list(table_rows(out)) == [f"{TOY} ({TOY}.ipynb)", f"{TOY} (a_copy.ipynb)"]
