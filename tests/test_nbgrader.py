"""nbgrader 0.9 interoperability, with the real nbgrader (the "nbgrader" extra).

- ``nbgrader generate_assignment`` on a course made from ``solutions/`` makes the
  notebooks ``mlday release`` makes;
- ``nbgrader autograde`` gives each question the points ``mlday grade`` gives it, on a
  correct and on a partly wrong submission (and full marks to one that rebinds
  ``check``, which ``mlday grade`` gives 0: docs/nbgrader.md's threat model);
- ``check(name, hidden=True)`` (grader._nbgrader), the test cell's value nbgrader reads.

The course has one assignment per exercise, named as the exercise, holding its one
notebook: the way a course hands out one exercise at a time, and ``generate_assignment
"*"`` still makes them all in one run. Without nbgrader, only the tests that run it
are skipped; the in-process tests of ``check(name, hidden=True)`` still run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION, TOTAL_POINTS, TOY

from grader import _authoring as A
from grader._exercises import find_exercises, get_exercise
from grader._grading import grade_notebook
from grader._inventory import collect_tests, question_table
from grader._nbgrader import Score, cell_points, hidden_score
from grader._notebook import is_grade, nbgrader
from grader._outcomes import Ungradable
from grader.learner import CheckReport, bind

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [ex for ex in find_exercises(ROOT) if ex.has_solutions]
KERNEL = "mlday-nbgrader-test"
NO_NBGRADER = importlib.util.find_spec("nbgrader") is None
needs_nbgrader = pytest.mark.skipif(NO_NBGRADER, reason="nbgrader is not installed (the 'nbgrader' extra)")

#: Partly right: doubles 2 (the public test) and 0, 5, 11, but not -7 (a hidden test).
PARTLY_RIGHT = "def double(x):\n    return 2 * x if x >= 0 else x\n"


# -- check(name, hidden=True), in this process, on the toy workbook ------------------


def _bound(monkeypatch, root: Path, source: str):
    monkeypatch.setenv("MLDAY_ROOT", str(root))
    namespace: dict = {}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    check, _ = bind(TOY, namespace)
    return check


def test_hidden_check_of_a_correct_answer_is_worth_the_cell(monkeypatch, toy_workbook):
    check = _bound(monkeypatch, toy_workbook.root, SOLUTION)
    score = check("double", hidden=True)
    assert isinstance(score, Score) and score == TOTAL_POINTS
    assert repr(score) == repr(float(TOTAL_POINTS))  # the text/plain nbgrader reads
    assert "passed" in score._repr_html_()


def test_hidden_check_gives_the_points_mlday_grade_gives(monkeypatch, toy_workbook, tmp_path):
    check = _bound(monkeypatch, toy_workbook.root, PARTLY_RIGHT)
    score = check("double", hidden=True)
    nb = A.notebook([A.code(PARTLY_RIGHT)], TOY, "toy")
    path = toy_workbook.write(tmp_path, f"{TOY}.ipynb", nb)
    earned, worth = grade_notebook(path, toy_workbook.root, isolation="basic").questions()["double"]
    assert 0 < earned < worth, "the partly right answer should earn partial credit"
    assert float(score) == earned


def test_hidden_check_is_scaled_to_the_cells_points(monkeypatch, toy_workbook, tmp_path):
    root = tmp_path / "workbook"
    shutil.copytree(toy_workbook.root, root)
    source = nbformat.read(root / "solutions" / f"{TOY}.ipynb", as_version=4)
    for cell in source.cells:
        if is_grade(cell):
            cell.metadata["nbgrader"]["points"] = 2 * TOTAL_POINTS
    nbformat.write(source, root / "solutions" / f"{TOY}.ipynb")
    assert cell_points(get_exercise(root, TOY), "double") == 2 * TOTAL_POINTS

    unscaled = _bound(monkeypatch, toy_workbook.root, PARTLY_RIGHT)("double", hidden=True)
    check = _bound(monkeypatch, root, PARTLY_RIGHT)  # check() finds the workbook through MLDAY_ROOT when it runs
    assert check("double", hidden=True) == pytest.approx(2 * unscaled)
    assert check("double", hidden=True, points=1) == pytest.approx(unscaled / TOTAL_POINTS)


def test_hidden_check_raises_when_the_question_earns_nothing(monkeypatch, toy_workbook):
    check = _bound(monkeypatch, toy_workbook.root, "def double(x):\n    return x\n")
    with pytest.raises(AssertionError, match=r"double: failed[\s\S]*0 of 3 points"):
        check("double", hidden=True)


def test_hidden_check_of_the_stub_raises_not_attempted(monkeypatch, toy_workbook):
    check = _bound(monkeypatch, toy_workbook.root, "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    with pytest.raises(AssertionError, match="not attempted"):
        check("double", hidden=True)


def test_hidden_check_of_an_unknown_question_is_ungradable(monkeypatch, toy_workbook):
    check = _bound(monkeypatch, toy_workbook.root, SOLUTION)
    with pytest.raises(Ungradable, match="no question called 'triple'"):
        check("triple", hidden=True)


@pytest.mark.parametrize("points", [-1, float("nan"), "3"])
def test_hidden_check_rejects_bad_points(monkeypatch, toy_workbook, points):
    check = _bound(monkeypatch, toy_workbook.root, SOLUTION)
    with pytest.raises(ValueError, match=r"points=\) must be a number of points >= 0\. Got .* instead"):
        check("double", hidden=True, points=points)


def test_public_check_still_never_raises(monkeypatch, toy_workbook):
    check = _bound(monkeypatch, toy_workbook.root, "def double(x):\n    return x\n")
    report = check("double")
    assert isinstance(report, CheckReport) and not report


def test_a_check_writes_nothing_to_stderr(monkeypatch, toy_workbook, capfd):
    # nbgrader gives 0 to a test cell with any stderr output: a warning or a print to
    # stderr from the learner's code must not reach it.
    noisy = (
        "import sys, warnings\n\n"
        "def double(x):\n"
        "    warnings.warn('careful', UserWarning)\n"
        "    warnings.warn('old', DeprecationWarning)\n"
        "    print('noise', file=sys.stderr)\n"
        "    return 2 * x\n"
    )
    check = _bound(monkeypatch, toy_workbook.root, noisy)
    capfd.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # as a kernel would show them, at the least
        check("double")
        score = check("double", hidden=True)
    assert score == TOTAL_POINTS
    assert capfd.readouterr().err == ""


def test_hidden_score_of_a_report_with_a_collection_problem_is_ungradable():
    from grader._outcomes import Status
    from grader._results import TestResult

    passed = TestResult("t", "double", "t", False, Status.PASSED, 1.0, 1.0)
    report = CheckReport("double", tests=(passed,), problems=("test_x.py: SyntaxError",))
    with pytest.raises(Ungradable, match="grade this question by hand"):
        hidden_score(report)
    assert hidden_score(CheckReport("double", tests=(passed,))) == 1.0


@needs_nbgrader
def test_nbgrader_reads_the_hidden_check_as_its_points(monkeypatch, toy_workbook):
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython is not installed (the 'jupyter' extra)")
    from nbgrader.utils import determine_grade

    check = _bound(monkeypatch, toy_workbook.root, PARTLY_RIGHT)
    score = check("double", hidden=True)
    data, _ = formatters.DisplayFormatter().format(score)  # what the kernel sends as execute_result
    cell = A.test("double", TOTAL_POINTS)
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=1)]
    assert determine_grade(cell) == (float(score), TOTAL_POINTS)
    assert "text/html" in data


# -- the workbook's test cells ---------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_each_test_cell_is_worth_its_tests_and_calls_the_hidden_tests(exercise):
    source = nbformat.read(exercise.source, as_version=4)
    cells = {nbgrader(c)["grade_id"]: c for c in source.cells if is_grade(c)}
    table = question_table(exercise, collect_tests(exercise))
    problems = []
    for question, row in table.items():
        cell = cells.pop(f"test_{question}", None)
        if cell is None:
            problems.append(f"{question}: no test cell test_{question}")
            continue
        points = float(nbgrader(cell)["points"])
        if points != row["points"]:
            problems.append(f"{question}: the cell is worth {points}, its tests {row['points']}")
        # The hidden section must be check(name, hidden=True): it runs the question's
        # public and hidden pytest tests, the ones `mlday grade` runs.
        expected = A.test(question, points).source
        if cell.source != expected:
            problems.append(f"{question}: the cell's source is\n{cell.source}\nnot\n{expected}")
    problems += [f"{grade_id}: a test cell of no question" for grade_id in cells]
    assert not problems, "\n".join(problems)


# -- the real nbgrader -----------------------------------------------------------------


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory) -> dict:
    """The environment of an nbgrader command: a kernel of this interpreter, found
    first, and no user-level Jupyter configuration or kernels."""
    if NO_NBGRADER:
        pytest.skip("nbgrader is not installed (the 'nbgrader' extra)")
    kernelspec = pytest.importorskip("ipykernel.kernelspec", reason="ipykernel is not installed (the 'jupyter' extra)")
    home = tmp_path_factory.mktemp("jupyter")
    kernelspec.install(kernel_name=KERNEL, prefix=str(home / "prefix"))  # argv: sys.executable
    env = dict(os.environ)
    env.update(
        # nbgrader runs `alembic` from PATH when it creates a gradebook.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        JUPYTER_PATH=str(home / "prefix" / "share" / "jupyter"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        MLDAY_ROOT=str(ROOT),  # the kernel runs in the submission's folder
    )
    return env


def _course(path: Path, exercises) -> Path:
    for exercise in exercises:
        folder = path / "source" / exercise.name
        folder.mkdir(parents=True)
        shutil.copy(exercise.source, folder / exercise.source.name)
    (path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "mlday"\n')
    return path


@pytest.fixture(scope="module")
def course(jupyter_env, tmp_path_factory) -> Path:
    """The course, with every assignment generated in one nbgrader run; the tests that
    use it read its release/ or add their own students' submissions."""
    course = _course(tmp_path_factory.mktemp("nbgrader") / "course", EXERCISES)
    _nbgrader(course, jupyter_env, "generate_assignment", "*")
    return course


def _start_nbgrader(course: Path, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _finish(command: subprocess.Popen) -> str:
    """Wait for an nbgrader command; fail with its log unless it ran without an error."""
    try:
        log, _ = command.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        command.kill()
        log = command.communicate()[0] + "\n(killed after 900 s)"
    args = " ".join(command.args[3:])
    assert command.returncode == 0 and "| ERROR]" not in log, f"nbgrader {args} failed:\n{log[-4000:]}"
    return log


def _nbgrader(course: Path, env: dict, *args: str) -> str:
    return _finish(_start_nbgrader(course, env, *args))


def _cells(nb) -> list[dict]:
    """What a learner gets of each cell; the cell id and the JSON layout are left out."""
    out = []
    for cell in nb.cells:
        row = {"cell_type": cell.cell_type, "source": cell.source, "metadata": dict(cell.metadata)}
        if cell.cell_type == "code":
            row["outputs"], row["execution_count"] = cell.outputs, cell.execution_count
        out.append(row)
    return out


def _differences(name: str, mlday, nbg) -> list[str]:
    diffs = []
    if mlday.metadata != nbg.metadata:
        diffs.append(f"{name}: notebook metadata: mlday {dict(mlday.metadata)} != nbgrader {dict(nbg.metadata)}")
    ours, theirs = _cells(mlday), _cells(nbg)
    if len(ours) != len(theirs):
        diffs.append(f"{name}: mlday has {len(ours)} cells, nbgrader {len(theirs)}")
    for index, (a, b) in enumerate(zip(ours, theirs)):
        for key in a.keys() | b.keys():
            if a.get(key) != b.get(key):
                diffs.append(f"{name} cell {index} {key}:\n  mlday:    {a.get(key)!r}\n  nbgrader: {b.get(key)!r}")
    return diffs


@needs_nbgrader
def test_generate_assignment_makes_what_mlday_release_makes(course):
    diffs = []
    for exercise in EXERCISES:
        released = course / "release" / exercise.name / exercise.source.name
        diffs += _differences(exercise.name, nbformat.read(exercise.released, as_version=4), nbformat.read(released, as_version=4))
    assert not diffs, "nbgrader's release differs from exercises/:\n" + "\n".join(diffs)


def _autograded(course: Path, exercise, student: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "mlday") as gb:
        notebook = gb.find_submission_notebook(exercise.name, exercise.name, student)
        return {g.name.removeprefix("test_"): (g.auto_score, g.max_score) for g in notebook.grades}


def _test_cell_outputs(course: Path, exercise, student: str, question: str) -> str:
    path = course / "autograded" / student / exercise.name / exercise.source.name
    for cell in nbformat.read(path, as_version=4).cells:
        if nbgrader(cell).get("grade_id") == f"test_{question}":
            return "\n".join(str(o)[:600] for o in cell.outputs)
    return "(no such cell)"


def _rebinds_check(exercise) -> nbformat.NotebookNode:
    """The released notebook, unanswered, with one more line in its first solution cell."""
    nb = nbformat.read(exercise.released, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code" and nbgrader(c).get("solution"))
    first.source += "\n\ncheck = lambda *args, **kwargs: None  # the test cells run in this namespace"
    return nb


@needs_nbgrader
def test_autograde_gives_the_points_mlday_grade_gives(course, jupyter_env, tmp_path):
    # One nbgrader run for every submission: it is the slow part (a kernel per notebook).
    # The assignment is the course's, generated with the others.
    exercise = get_exercise(ROOT, "01")
    submissions = {
        "solution": exercise.source,
        # Partly right: some questions right, one partly right, one not attempted.
        "ben": ROOT / "solutions" / "demo_class" / "ben" / exercise.source.name,
        # The threat model of docs/nbgrader.md: the test cells run in the learner's kernel.
        "eve": _write(tmp_path / "eve" / exercise.source.name, _rebinds_check(exercise)),
    }
    for student, path in submissions.items():
        folder = course / "submitted" / student / exercise.name
        folder.mkdir(parents=True)
        shutil.copy(path, folder / exercise.source.name)
    autograde = _start_nbgrader(
        course, jupyter_env, "autograde", exercise.name, f"--Execute.kernel_name={KERNEL}", "--Execute.timeout=600"
    )
    try:  # mlday grades the same notebooks meanwhile
        mlday = {}
        for student, path in submissions.items():
            result = grade_notebook(path, ROOT, learner=student, isolation="basic")
            assert not result.ungradable, f"{student}: {result.ungradable}"
            mlday[student] = result.questions()
    finally:
        _finish(autograde)
    for student in ("solution", "ben"):
        ours, theirs = mlday[student], _autograded(course, exercise, student)
        diffs = [
            f"{q}: mlday {ours.get(q)}, nbgrader {theirs.get(q)}\n{_test_cell_outputs(course, exercise, student, q)}"
            for q in ours.keys() | theirs.keys()
            if ours.get(q) != theirs.get(q)
        ]
        assert not diffs, f"{student}: per question (score, max) differ:\n" + "\n".join(diffs)
    assert any(0 < s < m for s, m in mlday["ben"].values()), f"ben earned no partial credit: {mlday['ben']}"
    assert any(s == 0 for s, _ in mlday["ben"].values()), f"ben earned something on every question: {mlday['ben']}"

    # In-kernel grading gives eve full marks; mlday gives her nothing.
    theirs = _autograded(course, exercise, "eve")
    assert all(s == m for s, m in theirs.values()), f"nbgrader did not give eve full marks: {theirs}"
    assert all(s == 0 for s, _ in mlday["eve"].values()), f"mlday gave eve points: {mlday['eve']}"


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
