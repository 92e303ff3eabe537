"""benchmarks/resume.py: the class-scale resume check runs end to end and can fail.

It runs here on a toy workbook of two tiny exercises (the real check, ``make
check-class``, grades 40 learners × the whole workbook and takes far longer).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_bench import TOY_EXERCISES, _toy_exercise

ROOT = Path(__file__).resolve().parents[1]
RESUME = ROOT / "benchmarks" / "resume.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import resume  # noqa: E402


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume-workbook")
    for folder in ("exercises/tests", "solutions/tests", "solutions/mistakes", "datasets"):
        (root / folder).mkdir(parents=True)
    for name in TOY_EXERCISES:
        _toy_exercise(root, name)
    out = tmp_path_factory.mktemp("resume-out")
    done = subprocess.run(
        [sys.executable, str(RESUME), "--workbook", str(root), "--learners", "3", "--out", str(out),
         "--cell-timeout", "2", "--kill-at", "0.3"],
        capture_output=True, text=True, timeout=600,
    )
    return out, done


def test_a_killed_and_resumed_class_passes(checked):
    out, done = checked
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "PASSED" in done.stdout
    assert "6 notebooks (3 learners × 2 exercises)" in done.stdout
    killed = int(done.stdout.split("killed with SIGKILL at ")[1].split(" ")[0])
    assert 1 <= killed < 6
    assert f"{6 - killed} to grade, {killed} already graded" in done.stdout
    assert len(resume.comparable_results(out / "B")) == 6


def test_a_changed_result_or_a_leftover_is_reported(checked, tmp_path):
    out, _ = checked
    a, b = tmp_path / "A", tmp_path / "B"
    shutil.copytree(out / "A", a)
    shutil.copytree(out / "B", b)
    assert resume.differences(a, b) == []
    first = sorted(b.glob("*/*/results.json"))[0]
    first.write_text(first.read_text() + "\n\n")  # the same document
    changed = sorted(b.glob("*/*/results.json"))[-1]
    changed.write_text(changed.read_text().replace('"learner": "', '"learner": "x', 1))
    (b / "gradebook.csv").write_text((b / "gradebook.csv").read_text() + "extra,row\n")
    (b / first.parent / ".results.json.x.tmp").write_text("{")
    found = resume.differences(a, b)
    assert "gradebook.csv differs" in found
    assert f"results differ: {changed.relative_to(b).as_posix()}" in found
    assert f"left behind: {(first.parent / '.results.json.x.tmp').relative_to(b)}" in found
    assert not any(first.relative_to(b).as_posix() in d for d in found if d.startswith("results"))


def test_bad_arguments_are_one_line_errors():
    done = subprocess.run([sys.executable, str(RESUME), "--kill-at", "1.5"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "--kill-at must be between 0 and 1; got 1.5" in done.stderr
    assert "Traceback" not in done.stderr
