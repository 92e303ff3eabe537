"""Tests of grader._notebook: reading a notebook, with one clear error for each way it can be broken."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader import _authoring as A
from grader._errors import MldayError
from grader._notebook import (
    NotebookError,
    code_cells,
    exercise_of,
    is_grade,
    is_locked,
    is_solution,
    read_notebook,
    solution_names,
)

KNOWN = ["01_morning_review", "02_debugging"]


def small_notebook(exercise="01_morning_review"):
    return A.notebook(
        [
            A.markdown("# Review", grade_id="intro"),
            A.code("from grader import bind", grade_id="setup"),
            A.code("log.head()"),
            A.solution("daily_metrics", "def daily_metrics(log, day):\n    ### BEGIN SOLUTION\n    return {}\n    ### END SOLUTION"),
            A.test("daily_metrics", 2),
        ],
        exercise,
        "Review",
    )


def test_valid_notebook_is_read(tmp_path):
    path = tmp_path / "01_morning_review.ipynb"
    nbformat.write(small_notebook(), path)
    nb = read_notebook(path)
    assert nb.nbformat == 4
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "code", "code"]
    assert solution_names(nb) == ["daily_metrics"]
    assert code_cells(nb) == [(1, nb.cells[1].source), (2, "log.head()"), (3, nb.cells[3].source)]


def test_reads_a_str_path(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(small_notebook(), path)
    assert len(read_notebook(str(path)).cells) == 5


def test_errors_are_mlday_errors():
    assert issubclass(NotebookError, MldayError)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.ipynb"
    with pytest.raises(NotebookError, match=r"nowhere\.ipynb: no such file$"):
        read_notebook(path)


def test_folder_is_not_a_notebook(tmp_path):
    with pytest.raises(NotebookError, match="no such file"):
        read_notebook(tmp_path)


@pytest.mark.parametrize(
    "text, where",
    [("{not json", "line 1, column 2"), ('{"cells": [}', "line 1, column 12"), ("", "line 1, column 1"), ('{\n  "cells": [],\n}', "line 3, column 1")],
)
def test_not_json(tmp_path, text, where):
    path = tmp_path / "broken.ipynb"
    path.write_text(text)
    with pytest.raises(NotebookError, match=rf"broken\.ipynb: not valid JSON \(.* at {where}\)$"):
        read_notebook(path)


@pytest.mark.parametrize("data", [[1, 2, 3], "a string", 42, None, {"metadata": {}, "nbformat": 4}])
def test_json_that_is_not_a_notebook(tmp_path, data):
    path = tmp_path / "data.ipynb"
    path.write_text(json.dumps(data))
    with pytest.raises(NotebookError, match=r"data\.ipynb: JSON, but not a notebook \(no 'cells'\)$"):
        read_notebook(path)


def test_notebook_that_fails_validation(tmp_path):
    path = tmp_path / "invalid.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(NotebookError, match=r"invalid\.ipynb: not a valid notebook \(.+\)$"):
        read_notebook(path)


def test_empty_notebook(tmp_path):
    path = tmp_path / "empty.ipynb"
    nbformat.write(A.notebook([], "01_morning_review", "t"), path)
    with pytest.raises(NotebookError, match=r"empty\.ipynb: the notebook is empty \(it has no cells\)$"):
        read_notebook(path)


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.ipynb"
    text = nbformat.writes(small_notebook()).replace("# Review", "# Révision")
    path.write_bytes(text.encode("latin-1"))
    position = text.encode("latin-1").index(b"\xe9")
    with pytest.raises(NotebookError, match=rf"latin1\.ipynb: not UTF-8 text \(byte {position}\)$"):
        read_notebook(path)


def test_nbgrader_flags():
    nb = small_notebook()
    assert [is_locked(c) for c in nb.cells] == [True, True, False, False, True]
    assert [is_solution(c) for c in nb.cells] == [False, False, False, True, False]
    assert [is_grade(c) for c in nb.cells] == [False, False, False, False, True]


def test_grade_cells_are_not_learner_code():
    nb = small_notebook()
    assert 4 not in [i for i, _ in code_cells(nb)]


# -- exercise_of ---------------------------------------------------------------------------


def test_exercise_from_metadata_wins_over_the_file_name(tmp_path):
    nb = small_notebook("02_debugging")
    assert exercise_of(nb, tmp_path / "01_morning_review.ipynb", KNOWN) == "02_debugging"


def test_exercise_from_metadata_with_any_file_name(tmp_path):
    assert exercise_of(small_notebook("02_debugging"), tmp_path / "alice.ipynb", KNOWN) == "02_debugging"


@pytest.mark.parametrize(
    "file_name, expected",
    [
        ("01_morning_review.ipynb", "01_morning_review"),
        ("01_morning_review-alice-final.ipynb", "01_morning_review"),
        ("02_my_attempt.ipynb", "02_debugging"),
    ],
)
def test_exercise_from_the_file_name_without_metadata(tmp_path, file_name, expected):
    nb = small_notebook()
    del nb.metadata["mlday"]
    assert exercise_of(nb, tmp_path / file_name, KNOWN) == expected


def test_unknown_exercise_in_metadata_falls_back_to_the_file_name(tmp_path):
    nb = small_notebook("77_unknown")
    assert exercise_of(nb, tmp_path / "02_debugging.ipynb", KNOWN) == "02_debugging"


@pytest.mark.parametrize("meta", [None, {"exercise": "77_unknown"}, "not a dict"])
def test_neither_metadata_nor_file_name_match(tmp_path, meta):
    nb = small_notebook()
    if meta is None:
        del nb.metadata["mlday"]
    else:
        nb.metadata["mlday"] = meta
    with pytest.raises(
        NotebookError,
        match=r"alice\.ipynb: cannot tell which exercise this is \(no mlday metadata, and the file name matches none of "
        r"01_morning_review, 02_debugging\)$",
    ):
        exercise_of(nb, tmp_path / "alice.ipynb", KNOWN)


# -- jupytext percent scripts ------------------------------------------------------------


def _percent(nb) -> str:
    from grader._jupytext import to_percent

    return to_percent(nb)


def test_percent_script_is_read_with_its_nbgrader_metadata(tmp_path):
    pytest.importorskip("jupytext")
    source = small_notebook()
    path = tmp_path / "01_morning_review.py"
    path.write_text(_percent(source))
    nb = read_notebook(path)
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in source.cells]
    assert [c.source for c in nb.cells] == [c.source for c in source.cells]
    assert [c.metadata.get("nbgrader") for c in nb.cells] == [c.metadata.get("nbgrader") for c in source.cells]
    assert solution_names(nb) == ["daily_metrics"]
    assert exercise_of(nb, tmp_path / "alice.py", KNOWN) == "01_morning_review"  # the mlday metadata came along


def test_python_file_without_cell_markers(tmp_path):
    path = tmp_path / "helpers.py"
    path.write_text("def daily_metrics(log, day):\n    return {}\n")
    with pytest.raises(NotebookError, match=r"helpers\.py: not a jupytext percent notebook \(no '# %%' cell markers\)$"):
        read_notebook(path)


def test_percent_script_without_jupytext(tmp_path, monkeypatch):
    path = tmp_path / "01_morning_review.py"
    path.write_text("# %%\nx = 1\n")
    monkeypatch.setitem(__import__("sys").modules, "jupytext", None)  # import jupytext now raises ImportError
    with pytest.raises(NotebookError, match=r"01_morning_review\.py: a \.py notebook needs jupytext, which is not installed; install it with: pip install 'mlday\[jupyter\]'$"):
        read_notebook(path)


def test_percent_script_jupytext_cannot_read(tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")

    def refuse(text, fmt=None):
        raise ValueError("bad header\nmore detail")

    monkeypatch.setattr(jupytext, "reads", refuse)
    path = tmp_path / "x.py"
    path.write_text("# %%\nx = 1\n")
    with pytest.raises(NotebookError, match=r"x\.py: not a valid jupytext notebook \(bad header\)$"):
        read_notebook(path)


def test_empty_percent_script(tmp_path):
    pytest.importorskip("jupytext")
    path = tmp_path / "empty.py"
    path.write_text("# ---\n# jupyter:\n#   kernelspec:\n#     name: python3\n# ---\n")
    with pytest.raises(NotebookError, match=r"empty\.py: not a jupytext percent notebook"):
        read_notebook(path)


def test_notebooks_in_a_folder(tmp_path):
    from grader._notebook import notebooks_in

    (tmp_path / "01_a.ipynb").write_text("{}")
    (tmp_path / "02_b.py").write_text("# %%\nx = 1\n")
    (tmp_path / "helpers.py").write_text("x = 1  # not a notebook: no cell markers\n")
    (tmp_path / ".hidden.ipynb").write_text("{}")
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe# %%")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "03_c.ipynb").write_text("{}")
    assert [p.name for p in notebooks_in(tmp_path)] == ["01_a.ipynb", "02_b.py"]
