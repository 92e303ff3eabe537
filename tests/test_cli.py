"""Tests of the mlday command (grader.cli), in-process through main() and once or twice as a real process."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TOTAL_POINTS, toy_notebook

from grader._notebook import read_notebook
from grader._release import release_notebook
from grader.cli import COMMANDS, main

MLDAY = Path(sys.executable).with_name("mlday")
FAST = ["--cell-timeout", "2", "--call-timeout", "2"]


@pytest.fixture(autouse=True)
def workbook_root(monkeypatch, toy_workbook):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps at 80 columns when it is not a terminal
    monkeypatch.delenv("MLDAY_DEBUG", raising=False)
    return toy_workbook.root


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_one_line_error(err: str, out: str = ""):
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and "Traceback" not in out


# -- the command table --------------------------------------------------------------


def test_unknown_command_suggests_the_closest(capsys):
    code, out, err = run(capsys, "chek", "x.ipynb")
    assert code == 2
    assert err == "mlday: unknown command 'chek' - did you mean 'check'?\n"
    assert out == ""


def test_unknown_command_without_a_close_one_lists_the_commands(capsys):
    code, _, err = run(capsys, "frobnicate")
    assert code == 2
    assert err == f"mlday: unknown command 'frobnicate'; the commands are: {', '.join(COMMANDS)}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command(capsys, flag):
    code, out, _ = run(capsys, flag)
    assert code == 0
    assert out.startswith("usage: mlday COMMAND [options]")
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert listed == list(COMMANDS)
    for name, (_, summary) in COMMANDS.items():
        assert summary in out


def test_no_arguments_prints_usage_with_a_usage_error(capsys):
    code, out, _ = run(capsys)
    assert code == 2
    assert "usage: mlday COMMAND" in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("mlday ")


def test_command_help_lists_its_options(capsys):
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert "--cell-timeout" in out and "--call-timeout" in out


def test_missing_argument_is_a_usage_error(capsys):
    code, _, err = run(capsys, "check")
    assert code == 2
    assert "the following arguments are required: notebook" in err


# -- check: bad input ------------------------------------------------------------------


def test_check_not_json(capsys, tmp_path, toy_workbook):
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", "{not json")
    code, out, err = run(capsys, "check", path)
    assert code == 3
    assert err.startswith(f"mlday check: error: {path}: not valid JSON (")
    assert_one_line_error(err, out)


def test_check_empty_notebook(capsys, tmp_path, toy_workbook):
    from grader import _authoring as A

    path = toy_workbook.write(tmp_path, "99_toy.ipynb", A.notebook([], "99_toy", "Toy"))
    code, out, err = run(capsys, "check", path)
    assert code == 3
    assert err == f"mlday check: error: {path}: the notebook is empty (it has no cells)\n"
    assert_one_line_error(err, out)


def test_check_missing_file(capsys, tmp_path):
    path = tmp_path / "nowhere.ipynb"
    code, out, err = run(capsys, "check", path)
    assert code == 3
    assert err == f"mlday check: error: {path}: no such file\n"


def test_check_bad_timeout(capsys, toy_workbook):
    code, out, err = run(capsys, "check", toy_workbook.source, "--cell-timeout", "-1")
    assert code == 3
    assert err == "mlday check: error: The limit 'cell_seconds' must be a positive number. Got -1.0 instead.\n"


def test_check_notebook_of_no_known_exercise(capsys, tmp_path, toy_workbook):
    nb = toy_notebook()
    nb.metadata["mlday"]["exercise"] = "42_unknown"
    path = toy_workbook.write(tmp_path, "alice.ipynb", nb)
    code, out, err = run(capsys, "check", path)
    assert code == 3
    assert "cannot tell which exercise this is" in err
    assert_one_line_error(err, out)


# -- check: the learner's notebook -----------------------------------------------------------


def test_check_solution_passes(capsys, toy_workbook):
    code, out, err = run(capsys, "check", toy_workbook.source, *FAST)
    assert code == 0, out + err
    assert "public tests passed" in out
    assert "double" in out and "passed" in out


def test_check_deleted_solution_cell(capsys, tmp_path, toy_workbook):
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", toy_notebook(with_solution_cell=False))
    code, out, err = run(capsys, "check", path, *FAST)
    assert code != 0
    assert "notebook: solution cell(s) missing from the notebook: double" in flat(out)
    assert "not attempted" in out


def test_check_syntax_error_cell(capsys, tmp_path, toy_workbook):
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", toy_notebook(scratch=("def broken(:\n    pass",)))
    code, out, err = run(capsys, "check", path, *FAST)
    assert "cell 2: error: cell 2 has a syntax error" in flat(out)
    assert code == 0  # the other cells still define double
    assert "Traceback" not in out + err


def test_check_infinite_loops(capsys, tmp_path, toy_workbook):
    looping = "def double(x):\n    while True:\n        pass"
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", toy_notebook(looping, scratch=("while True:\n    pass",)))
    code, out, err = run(capsys, "check", path, *FAST)
    text = flat(out)
    assert "cell 2: timeout: cell 2 ran past its limit of 2 s" in text
    assert "the call of double ran past its limit of 2 s" in text
    assert code == 1
    assert "1 of 1 public tests did not pass" in text


def test_check_sys_exit_in_a_cell(capsys, tmp_path, toy_workbook):
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", toy_notebook(scratch=("import sys\nsys.exit()",)))
    code, out, err = run(capsys, "check", path, *FAST)
    assert "cell 2: error: cell 2 called sys.exit()" in flat(out)
    assert code == 0
    assert "public tests passed" in out


def test_check_stub_is_not_attempted(capsys, tmp_path, toy_workbook):
    stub = release_notebook(read_notebook(toy_workbook.source))
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", stub)
    code, out, err = run(capsys, "check", path, *FAST)
    assert code == 1
    assert "not attempted" in out
    assert "still the stub" in flat(out)


# -- grade ----------------------------------------------------------------------------------


GRADESCOPE_TOP = {"score", "execution_time", "output", "tests"}
GRADESCOPE_TEST = {"name", "score", "max_score", "status", "output", "visibility"}


def test_grade_writes_results_and_gradebook(capsys, tmp_path, toy_workbook):
    subs, out_dir = tmp_path / "class", tmp_path / "grades"
    toy_workbook.write(subs / "alice", "99_toy.ipynb", read_notebook(toy_workbook.source))
    toy_workbook.write(subs / "bob", "99_toy.ipynb", release_notebook(read_notebook(toy_workbook.source)))
    code, out, err = run(capsys, "grade", subs, "--out", out_dir, *FAST)
    assert code == 0, out + err

    for learner, score in (("alice", TOTAL_POINTS), ("bob", 0.0)):
        doc = json.loads((out_dir / learner / "99_toy" / "results.json").read_text())
        assert GRADESCOPE_TOP <= set(doc)
        assert doc["score"] == score
        assert isinstance(doc["execution_time"], (int, float)) and isinstance(doc["output"], str)
        assert len(doc["tests"]) == 3
        for test in doc["tests"]:
            assert GRADESCOPE_TEST <= set(test)
            assert test["status"] in ("passed", "failed")
            assert test["visibility"] in ("visible", "after_due_date", "hidden", "after_published")
            assert 0 <= test["score"] <= test["max_score"]
        assert sum(t["score"] for t in doc["tests"]) == score
        assert sorted(t["visibility"] for t in doc["tests"]) == ["after_due_date", "after_due_date", "visible"]

    with open(out_dir / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["learner"] for r in rows] == ["alice", "bob"]
    assert [float(r["total"]) for r in rows] == [TOTAL_POINTS, 0.0]
    assert [float(r["99_toy:double"]) for r in rows] == [TOTAL_POINTS, 0.0]


def test_grade_missing_path(capsys, tmp_path):
    missing = tmp_path / "no_such_folder"
    code, out, err = run(capsys, "grade", missing, "--out", tmp_path / "grades")
    assert code == 3
    assert err == f"mlday grade: error: {missing}: no such file or folder\n"
    assert not (tmp_path / "grades").exists()


def test_grade_unreadable_notebook_is_bad_input(capsys, tmp_path, toy_workbook):
    subs = tmp_path / "class"
    toy_workbook.write(subs / "carol", "99_toy.ipynb", "{not json")
    code, out, err = run(capsys, "grade", subs, "--out", tmp_path / "grades", *FAST)
    assert code == 3
    assert "carol" in out and "not valid JSON" in flat(out)
    assert "Traceback" not in out + err


# -- as a real process --------------------------------------------------------------------------


def mlday(*argv, env_root: Path):
    env = dict(os.environ, MLDAY_ROOT=str(env_root), COLUMNS="250")
    env.pop("MLDAY_DEBUG", None)
    return subprocess.run([str(MLDAY), *map(str, argv)], capture_output=True, text=True, env=env, timeout=120)


def test_console_script_suggests_and_lists(toy_workbook):
    done = mlday("chek", env_root=toy_workbook.root)
    assert done.returncode == 2
    assert done.stderr == "mlday: unknown command 'chek' - did you mean 'check'?\n"
    helped = mlday("--help", env_root=toy_workbook.root)
    assert helped.returncode == 0
    assert all(name in helped.stdout for name in COMMANDS)


def test_console_script_bad_notebook_is_one_line(tmp_path, toy_workbook):
    path = toy_workbook.write(tmp_path, "99_toy.ipynb", b"\x89PNG not a notebook")
    done = mlday("check", path, env_root=toy_workbook.root)
    assert done.returncode == 3
    assert done.stderr == f"mlday check: error: {path}: not UTF-8 text (byte 0)\n"
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("limit, message", [
    ("submission_seconds", "--limit must be NAME=NUMBER, e.g. submission_seconds=900. Got 'submission_seconds' instead."),
    ("open_files=2.5", "--limit open_files must be a whole number. Got '2.5' instead."),
    ("speed=3", "The limit 'speed' is not known"),
    ("cpu_seconds=-4", "The limit 'cpu_seconds' must be a positive number. Got -4 instead."),
])
def test_a_bad_limit_is_a_one_line_error(capsys, tmp_path, toy_workbook, limit, message):
    subs = tmp_path / "class"
    toy_workbook.write(subs / "alice", "99_toy.ipynb", read_notebook(toy_workbook.source))
    code, out, err = run(capsys, "grade", subs, "--out", tmp_path / "grades", "--limit", limit)
    assert code == 3
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "grades").exists()


def test_grade_with_zero_jobs_is_a_one_line_error(capsys, tmp_path, toy_workbook):
    subs = tmp_path / "class"
    toy_workbook.write(subs / "alice", "99_toy.ipynb", read_notebook(toy_workbook.source))
    code, out, err = run(capsys, "grade", subs, "--out", tmp_path / "grades", "-j", "0")
    assert code == 3
    assert err == "mlday grade: error: The number of jobs must be at least 1. Got 0 instead.\n"
