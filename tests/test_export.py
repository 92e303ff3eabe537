"""Tests of ``mlday export gradescope`` (grader/_export, grader/cli/export.py): the zip,
and its run_autograder run on a fake /autograder tree, as Gradescope would run it."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import TOY, toy_notebook

from grader._export import submission as submission_module
from grader._export.gradescope import FIXED_TIME, build_zip, select_exercises, zip_members
from grader._outcomes import Status
from grader._render.gradescope import render, render_submission
from grader._results import ExerciseResult
from grader._results import TestResult as OneTest  # not a pytest class
from grader.cli import main

REPO = Path(__file__).resolve().parents[1]
BEN = REPO / "solutions" / "demo_class" / "ben" / "01_morning_review.ipynb"
BIN = Path(sys.executable).parent
EXERCISE = "01_morning_review"

# Gradescope's autograder specification: results.json's keys and visibility values.
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
             "tags", "visibility", "extra_data"}


def assert_valid_results(doc) -> None:
    """``doc`` follows Gradescope's results.json format, and mlday's own promises about it."""
    assert isinstance(doc, dict) and set(doc) <= TOP_KEYS, sorted(doc)
    number = (int, float)
    assert isinstance(doc["score"], number) and not isinstance(doc["score"], bool)
    assert isinstance(doc.get("execution_time", 0), number) and doc.get("execution_time", 0) >= 0
    assert isinstance(doc.get("output", ""), str)
    for key in ("visibility", "stdout_visibility"):
        assert doc.get(key, "visible") in VISIBILITY
    assert isinstance(doc["tests"], list) and doc["tests"]
    for test in doc["tests"]:
        assert set(test) <= TEST_KEYS, sorted(test)
        assert isinstance(test["score"], number) and isinstance(test["max_score"], number)
        assert 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["number"], str)
        assert isinstance(test.get("output", ""), str)
        assert test.get("visibility", "visible") in VISIBILITY
        assert test.get("status", "passed") in {"passed", "failed"}
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
        assert isinstance(test.get("extra_data", {}), dict)
    assert doc["score"] == pytest.approx(sum(t["score"] for t in doc["tests"]))
    assert len({t["number"] for t in doc["tests"]}) == len(doc["tests"])


def unpack(data: bytes, dest: Path) -> Path:
    """Unzip as unzip(1) does, modes included (zipfile drops them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            archive.extract(info, dest)
            os.chmod(dest / info.filename, (info.external_attr >> 16) & 0o777)
    return dest


def autograder_env(root: Path, **extra) -> dict[str, str]:
    """Gradescope's environment, as far as run_autograder cares: mlday on PATH, no MLDAY_ROOT."""
    env = {k: v for k, v in os.environ.items() if k not in ("MLDAY", "MLDAY_ROOT", "MLDAY_PYTHON")}
    env.update(AUTOGRADER_ROOT=str(root), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               MLDAY_GRADE_ARGS="--isolation basic", **extra)
    return env


def fake_autograder(tmp: Path, data: bytes, files: dict[str, Path | str]) -> Path:
    """/autograder with the zip unpacked in source/ and ``files`` in submission/."""
    root = tmp / "autograder"
    unpack(data, root / "source")
    (root / "submission").mkdir(parents=True)
    for name, content in files.items():
        target = root / "submission" / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content)
    return root


def run_autograder(root: Path, **extra) -> subprocess.Popen:
    return subprocess.Popen([str(root / "source" / "run_autograder")], cwd=root, env=autograder_env(root, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def zip_01() -> bytes:
    return build_zip(zip_members(REPO, select_exercises(REPO, ["01"])))


@pytest.fixture(scope="module")
def graded_ben(zip_01, tmp_path_factory):
    """run_autograder on ben's notebook, and grade_notebook on it here, at the same time."""
    from grader._grading import grade_notebook

    root = fake_autograder(tmp_path_factory.mktemp("gradescope"), zip_01, {BEN.name: BEN})
    proc = run_autograder(root)
    # The log is read while grading here, so that a full pipe never stalls the script.
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.append(proc.stdout.read()))
    reader.start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLDAY_ROOT", str(REPO))
        expected = grade_notebook(BEN, REPO, isolation="basic")
    code = proc.wait(timeout=900)
    reader.join()
    return root, code, "".join(log), expected


# -- the zip ---------------------------------------------------------------------------


def test_zip_has_the_scripts_and_the_project_at_its_root(zip_01):
    with zipfile.ZipFile(io.BytesIO(zip_01)) as archive:
        infos = {i.filename: i for i in archive.infolist()}
    modes = {name: (info.external_attr >> 16) & 0o777 for name, info in infos.items()}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {"pyproject.toml", "README.md", "grader/__init__.py", "grader/pytest.ini",
            f"exercises/{EXERCISE}.ipynb", "exercises/manifest.json", f"exercises/tests/test_{EXERCISE}.py",
            f"solutions/{EXERCISE}.ipynb", f"solutions/tests/test_{EXERCISE}_hidden.py"} <= set(infos)
    for folder in ("datasets", "solutions/data"):
        for path in (REPO / folder).iterdir():
            assert f"{folder}/{path.name}" in infos, path
    assert all(mode == 0o644 for name, mode in modes.items() if name not in ("setup.sh", "run_autograder"))


def test_zip_leaves_out_caches_outputs_demo_class_mistakes_and_other_exercises(zip_01):
    names = zipfile.ZipFile(io.BytesIO(zip_01)).namelist()
    banned = ("__pycache__", ".pyc", ".venv", ".git", "demo_class", "mistakes", "demo-out", "egg-info", "02_debugging")
    assert not [n for n in names if any(b in n for b in banned)]
    assert all(not n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)


def test_zip_of_all_exercises_has_every_hidden_test():
    names = set(zip_members(REPO, select_exercises(REPO)))
    for path in (REPO / "solutions" / "tests").glob("test_*_hidden.py"):
        assert f"solutions/tests/{path.name}" in names


# Files of a workbook that never go into the zip.
JUNK = ["grader/__pycache__/notes.txt", "grader/stale.pyc", "grader/.ipynb_checkpoints/x.py", "exercises/tests/__pycache__/t.pyc",
        "exercises/.DS_Store", f"solutions/demo_class/ann/{EXERCISE}.ipynb", f"solutions/mistakes/{EXERCISE}.py",
        "solutions/tests/.hidden.py", ".venv/bin/python", ".git/HEAD", f"demo-out/ann/{EXERCISE}/results.json",
        "mlday-grades/gradebook.csv", "build/lib/grader/__init__.py", "mlday.egg-info/PKG-INFO", "tests/test_x.py"]


def test_same_files_give_the_same_bytes(zip_01, tmp_path):
    # A copy has other times and modes, and junk beside it: none of it may reach the zip.
    copy = tmp_path / "copy"
    for name, path in zip_members(REPO, select_exercises(REPO, ["01"])).items():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        target.chmod(0o600)
        os.utime(target, (1_700_000_000, 1_700_000_000))
    for name in JUNK:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text("junk\n")
    again = build_zip(zip_members(copy, select_exercises(copy, ["01"])))
    assert again == zip_01
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(zip_01)).infolist()} == {FIXED_TIME}
    names = zipfile.ZipFile(io.BytesIO(zip_01)).namelist()
    assert names == sorted(names)


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_scripts_are_bash_that_parses(zip_01, tmp_path, script):
    path = unpack(zip_01, tmp_path) / script
    assert path.read_text().startswith("#!/usr/bin/env bash\n")
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# -- run_autograder ---------------------------------------------------------------------


def test_run_autograder_writes_one_valid_results_json(graded_ben):
    root, code, log, expected = graded_ben
    assert code == 0, log
    doc = json.loads((root / "results" / "results.json").read_text())
    assert_valid_results(doc)
    assert doc["score"] == pytest.approx(expected.score)
    # Only the zip's exercise: the workbook was the unpacked zip, not this repository.
    assert [e["exercise"] for e in doc["extra_data"]["exercises"]] == [EXERCISE]
    assert doc["extra_data"]["exercises"][0]["max_score"] == pytest.approx(expected.max_score)
    assert len(doc["tests"]) == len(expected.tests)
    # The hidden tests ran: they were found in the unpacked zip (MLDAY_ROOT), with their data.
    hidden = [t for t in doc["tests"] if t["extra_data"]["hidden"]]
    assert hidden and all(t["visibility"] == "after_due_date" for t in hidden)
    assert [t["extra_data"]["status"] for t in doc["tests"]] == [t.status.value for t in expected.tests]
    assert doc["stdout_visibility"] == "hidden"


def test_run_autograder_without_a_notebook_scores_zero_and_says_why(zip_01, tmp_path):
    root = fake_autograder(tmp_path, zip_01, {"answers.txt": "42\n"})
    proc = run_autograder(root)
    log = proc.communicate(timeout=300)[0]
    assert proc.returncode == 0, log
    doc = json.loads((root / "results" / "results.json").read_text())
    assert_valid_results(doc)
    assert doc["score"] == 0
    assert "no Jupyter notebook (.ipynb) in your submission" in doc["output"]
    assert "answers.txt" in doc["output"] and f"{EXERCISE}.ipynb" in doc["output"]
    assert all(t["extra_data"]["status"] == Status.NOT_ATTEMPTED.value and t["max_score"] > 0 for t in doc["tests"])


def test_run_autograder_without_mlday_fails_rather_than_grading(zip_01, tmp_path):
    root = fake_autograder(tmp_path, zip_01, {"answers.txt": "42\n"})
    proc = run_autograder(root, MLDAY=str(tmp_path / "no-such-mlday"))
    log = proc.communicate(timeout=60)[0]
    assert proc.returncode != 0
    assert "mlday is not installed" in log
    assert not (root / "results" / "results.json").exists()


# -- one submission's results.json, on the toy workbook (no grading needed) -------------


def merge(toy_workbook, tmp_path, monkeypatch, files: dict[str, object]):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    submission = tmp_path / "submission"
    submission.mkdir()
    for name, content in files.items():
        toy_workbook.write((submission / name).parent, Path(name).name, content)
    grades = tmp_path / "grades"
    grades.mkdir()
    out = tmp_path / "results" / "results.json"
    code = submission_module.main(["--grades", str(grades), "--submission", str(submission), "--out", str(out)])
    return code, json.loads(out.read_text())


def test_a_notebook_without_a_result_is_ungradable_not_zero(toy_workbook, tmp_path, monkeypatch, capsys):
    code, doc = merge(toy_workbook, tmp_path, monkeypatch, {f"{TOY}.ipynb": toy_notebook()})
    assert code == 70
    assert_valid_results(doc)
    assert {t["extra_data"]["status"] for t in doc["tests"]} == {Status.UNGRADABLE.value}
    assert "a fault of the grader" in doc["tests"][0]["output"]
    assert doc["extra_data"]["exercises"][0]["ungradable"]
    assert "ungradable: 99_toy" in capsys.readouterr().out


def test_notebooks_that_do_not_count_are_explained(toy_workbook, tmp_path, monkeypatch):
    code, doc = merge(toy_workbook, tmp_path, monkeypatch,
                      {"broken.ipynb": "not json", f"deep/{TOY}.ipynb": toy_notebook()})
    assert code == 0
    assert_valid_results(doc)
    assert doc["score"] == 0
    assert "broken.ipynb: not graded: not valid JSON" in doc["output"]
    assert f"deep/{TOY}.ipynb: not graded: it is in a sub-folder" in doc["output"]
    assert doc["tests"][0]["extra_data"]["status"] == Status.NOT_ATTEMPTED.value


def test_a_second_notebook_of_the_same_exercise_is_named_as_not_counted(toy_workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    submission = tmp_path / "submission"
    first = toy_workbook.write(submission, f"{TOY}.ipynb", toy_notebook())
    toy_workbook.write(submission, f"{TOY}_copy.ipynb", toy_notebook())
    result = ExerciseResult("submission", TOY, str(first), tests=(OneTest("t", "double", "T", False, Status.PASSED, 1.0, 1.0),))
    (tmp_path / "grades" / "submission" / TOY).mkdir(parents=True)
    (tmp_path / "grades" / "submission" / TOY / "results.json").write_text(json.dumps(render(result)))
    doc = submission_module.submission_results(toy_workbook.root, tmp_path / "grades", submission)
    assert_valid_results(doc)
    assert doc["score"] == 1.0
    assert f"{TOY}_copy.ipynb: not counted: {TOY}.ipynb was graded for {TOY}" in doc["output"]


# -- the renderer of a whole submission -----------------------------------------------


def _result(exercise: str, scores: list[float]) -> ExerciseResult:
    tests = tuple(
        OneTest(f"t{i}", "q", f"test {i}", bool(i % 2), Status.PASSED if s else Status.FAILED, s, 1.0, "")
        for i, s in enumerate(scores)
    )
    return ExerciseResult("ann", exercise, f"{exercise}.ipynb", tests=tests)


def test_render_submission_merges_exercises_and_numbers_by_exercise():
    first, second = _result("01_a", [1.0, 0.0]), _result("03_b", [1.0, 1.0, 0.0])
    doc = render_submission([render(first), render(second)], notes=["x.ipynb: not graded"])
    assert_valid_results(doc)
    assert doc["score"] == first.score + second.score
    assert [t["number"] for t in doc["tests"]] == ["1.1", "1.2", "3.1", "3.2", "3.3"]
    assert [t["name"].split(":")[0] for t in doc["tests"]] == ["01_a"] * 2 + ["03_b"] * 3
    assert doc["output"].startswith(f"x.ipynb: not graded\ntotal: {first.score + second.score:g}/5")
    assert [e["exercise"] for e in doc["extra_data"]["exercises"]] == ["01_a", "03_b"]


def test_render_submission_of_one_exercise_keeps_its_test_names():
    one = render(_result("01_a", [1.0, 0.0]))
    doc = render_submission([one])
    assert [t["name"] for t in doc["tests"]] == [t["name"] for t in one["tests"]]
    assert doc["output"] == one["output"]


# -- the command ------------------------------------------------------------------------


@pytest.fixture
def at_repo(monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(REPO))
    monkeypatch.delenv("MLDAY_DEBUG", raising=False)


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str):
    assert err.endswith("\n") and err.count("\n") == 1 and "Traceback" not in err, err


def test_export_writes_the_zip_it_describes(at_repo, capsys, tmp_path):
    out = tmp_path / "new" / "autograder.zip"
    code, stdout, _ = run_cli(capsys, "export", "gradescope", "--out", out, "--exercise", "01", "--exercise", EXERCISE)
    assert code == 0
    assert out.read_bytes() == build_zip(zip_members(REPO, select_exercises(REPO, ["01"])))
    assert f"wrote {out}:" in stdout and EXERCISE in stdout


def test_export_unknown_exercise(at_repo, capsys, tmp_path):
    code, _, err = run_cli(capsys, "export", "gradescope", "--out", tmp_path / "a.zip", "--exercise", "42")
    assert code == 3
    assert_one_line_error(err)
    assert "no exercise '42'" in err
    assert not (tmp_path / "a.zip").exists()


def test_export_refuses_to_overwrite_without_force(at_repo, capsys, tmp_path):
    out = tmp_path / "a.zip"
    out.write_bytes(b"keep me")
    code, _, err = run_cli(capsys, "export", "gradescope", "--out", out, "--exercise", "01")
    assert code == 3
    assert_one_line_error(err)
    assert f"--out {out} exists; use --force" in err
    assert out.read_bytes() == b"keep me"
    code, _, _ = run_cli(capsys, "export", "gradescope", "--out", out, "--exercise", "01", "--force")
    assert code == 0 and zipfile.is_zipfile(out)


def test_export_out_is_a_folder(at_repo, capsys, tmp_path):
    code, _, err = run_cli(capsys, "export", "gradescope", "--out", tmp_path)
    assert code == 3
    assert_one_line_error(err)
    assert f"--out {tmp_path} is a folder" in err


def test_export_needs_the_instructors_files(capsys, tmp_path, monkeypatch):
    for folder in ("exercises", "datasets"):
        (tmp_path / folder).mkdir()
    monkeypatch.setenv("MLDAY_ROOT", str(tmp_path))
    code, _, err = run_cli(capsys, "export", "gradescope", "--out", tmp_path / "a.zip")
    assert code == 3
    assert_one_line_error(err)
    assert "no solutions/ folder" in err


def test_export_needs_the_project_to_install(toy_workbook, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    code, _, err = run_cli(capsys, "export", "gradescope", "--out", tmp_path / "a.zip")
    assert code == 3
    assert_one_line_error(err)
    assert "pyproject.toml is missing" in err


@pytest.mark.parametrize("argv", [["export"], ["export", "moodle"]])
def test_export_target_is_required_and_checked(at_repo, capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert "target" in err or "moodle" in err
