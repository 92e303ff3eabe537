"""Tests of ``mlday convert`` (grader.cli.convert) and of jupytext percent submissions:
the round trip keeps cells and nbgrader metadata, ``mlday grade`` scores a converted
script as it scores the notebook, and every bad input is a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import TOTAL_POINTS, TOY, toy_notebook

from grader._exercises import find_exercises
from grader._notebook import is_locked, nbgrader, read_notebook
from grader.cli import main
from grader.cli.grade import find_submissions

pytest.importorskip("jupytext", reason="the jupyter extra (jupytext) is not installed")

ROOT = Path(__file__).resolve().parents[1]
BEN = ROOT / "solutions" / "demo_class" / "ben" / "01_morning_review.ipynb"
NOTEBOOKS = [p for ex in find_exercises(ROOT) for p in (ex.source, ex.released) if p.is_file()]
#: Partly right: doubles 2 (the public test) and 0, 5, 11, but not -7 (a hidden test).
PARTLY_RIGHT = "def double(x):\n    return 2 * x if x >= 0 else x\n"


@pytest.fixture(autouse=True)
def real_workbook(monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(ROOT))
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("MLDAY_DEBUG", raising=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, text):
    assert code == 3
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert text in err, err


# -- the round trip --------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_round_trip_keeps_cells_and_nbgrader_metadata(path, tmp_path, capsys):
    script, back = tmp_path / "nb.py", tmp_path / "nb.ipynb"
    assert run(capsys, "convert", path, "--out", script)[0] == 0
    assert "# %%" in script.read_text()
    assert run(capsys, "convert", script, "--out", back)[0] == 0
    before, after = read_notebook(path), read_notebook(back)
    assert [c.cell_type for c in after.cells] == [c.cell_type for c in before.cells]
    assert [nbgrader(c) for c in after.cells] == [nbgrader(c) for c in before.cells]
    for old, new in zip(before.cells, after.cells):
        # Locked cells must match to the character (their checksums and restore rely on it).
        assert new.source == old.source if is_locked(old) else new.source.rstrip("\n") == old.source.rstrip("\n")
    assert after.metadata["mlday"] == before.metadata["mlday"]
    assert "jupytext" not in after.metadata


def test_the_script_is_the_same_every_time(tmp_path, capsys):
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    run(capsys, "convert", BEN, "--out", first)
    run(capsys, "convert", BEN, "--out", second)
    assert first.read_text() == second.read_text()
    assert "jupytext_version: " not in first.read_text()  # no version stamp in the header


def test_default_out_is_in_with_the_other_suffix(tmp_path, capsys):
    notebook = tmp_path / "01_morning_review.ipynb"
    notebook.write_bytes(BEN.read_bytes())
    code, out, _ = run(capsys, "convert", notebook)
    assert code == 0 and out == f"wrote {notebook.with_suffix('.py')}\n"
    notebook.unlink()
    code, out, _ = run(capsys, "convert", notebook.with_suffix(".py"))
    assert code == 0 and out == f"wrote {notebook}\n"
    nbformat.validate(nbformat.read(notebook, as_version=4))


# -- errors ----------------------------------------------------------------------------


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "ben.py"
    out.write_text("precious")
    code, _, err = run(capsys, "convert", BEN, "--out", out)
    assert_one_line_error(code, err, f"{out} exists; add --force to overwrite it")
    assert out.read_text() == "precious"
    code, _, _ = run(capsys, "convert", BEN, "--out", out, "--force")
    assert code == 0 and out.read_text().startswith("# ---")


def test_input_of_another_kind(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    code, _, err = run(capsys, "convert", path)
    assert_one_line_error(code, err, f"{path}: convert takes an .ipynb notebook or a jupytext .py script, not a .txt file")


def test_out_with_the_wrong_suffix(tmp_path, capsys):
    out = tmp_path / "ben.ipynb"
    code, _, err = run(capsys, "convert", BEN, "--out", out)
    assert_one_line_error(code, err, f"--out {out}: converting {BEN} makes a .py file; give OUT the suffix .py")
    assert not out.exists()


def test_out_in_a_missing_folder(tmp_path, capsys):
    out = tmp_path / "nowhere" / "ben.py"
    code, _, err = run(capsys, "convert", BEN, "--out", out)
    assert_one_line_error(code, err, f"no such folder {out.parent}")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.ipynb", None, "missing.ipynb: no such file"),
        ("broken.ipynb", "{not json", "broken.ipynb: not valid JSON"),
        ("plain.py", "x = 1\n", "plain.py: not a jupytext percent notebook (no '# %%' cell markers)"),
    ],
)
def test_bad_input_is_one_line(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "convert", path)
    assert_one_line_error(code, err, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ([name] if content is not None else [])


# -- grading a script ------------------------------------------------------------------


def test_a_learner_folder_with_a_script(tmp_path):
    (tmp_path / "ben").mkdir()
    script = tmp_path / "ben" / "01_morning_review.py"
    script.write_text("# %%\nx = 1\n")
    (tmp_path / "ben" / "helpers.py").write_text("x = 1\n")  # no cell markers: not a notebook
    assert find_submissions([tmp_path]) == [("ben", script)]
    assert find_submissions([tmp_path / "ben"]) == [("ben", script)]


def test_a_learner_with_the_notebook_and_its_script_is_an_error(tmp_path):
    from grader._errors import MldayError

    folder = tmp_path / "ben"
    folder.mkdir()
    (folder / "01_morning_review.py").write_text("# %%\nx = 1\n")
    (folder / "01_morning_review.ipynb").write_bytes(BEN.read_bytes())
    with pytest.raises(MldayError, match=r"learner 'ben' has two versions of one notebook: .*01_morning_review\.ipynb and .*01_morning_review\.py; keep one of them"):
        find_submissions([tmp_path])


def test_grade_scores_the_script_as_the_notebook(toy_workbook, tmp_path, capsys, monkeypatch):
    # One class, two learners: a partly right notebook, and the same notebook converted to
    # a script. The toy exercise: what is tested is the script's path through grading (the
    # round trip of every real notebook is tested above), and it grades in seconds.
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    answer = toy_notebook(PARTLY_RIGHT, scratch=("print(double(21))",))
    notebook = toy_workbook.write(tmp_path / "class" / "notebook", f"{TOY}.ipynb", answer)
    (tmp_path / "class" / "script").mkdir()
    assert run(capsys, "convert", notebook, "--out", tmp_path / "class" / "script" / f"{TOY}.py")[0] == 0
    out = tmp_path / "grades"
    code, stdout, stderr = run(capsys, "grade", tmp_path / "class", "--out", out, "-j", "1")
    assert code == 0, stdout + stderr
    scores = {}
    for learner in ("notebook", "script"):
        doc = json.loads((out / learner / TOY / "results.json").read_text())
        scores[learner] = (doc["score"], [(t["name"], t["score"], t["status"]) for t in doc["tests"]])
    assert scores["script"] == scores["notebook"]
    # Some points, not all: a script that lost the answer would earn none.
    assert 0 < scores["script"][0] < TOTAL_POINTS
