"""Build hostile submissions of a two-question toy exercise, grade them, check the outcome.

The workbook is a copy of the ``toy_workbook`` of ``tests/conftest.py`` (exercise 99_toy,
question ``double``: 1 public and 2 hidden tests) with a second question, ``total``
(1 public and 1 hidden test, whose input is hidden data read from ``solutions/data``).
A hostile submission is the *released* notebook with an honest ``double`` and attack
code in the solution cell of ``total``: the honest part must earn its 3 points, the
cheat 0, with an exact status and message.

Three marker strings are planted where a learner must never see them: in the hidden
test file, in the hidden data file and in the reference solution of ``total``. Every
outcome is rendered (results.json, gradebook, feedback) and grepped for them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import _authoring as A
from grader import _sandbox
from grader._grading import grade_notebook
from grader._pool import shared as shared_pool
from grader._limits import Limits
from grader._notebook import nbgrader, read_notebook
from grader._outcomes import Status
from grader._release import release_notebook
from grader._reports import write_reports
from grader._store import write_result

TOY = "99_toy"
TESTS_DIR = Path(__file__).resolve().parents[1]
REPO = TESTS_DIR.parent

# -- markers: none of these may ever reach a learner ----------------------------------

_RUN = uuid.uuid4().hex[:12]
HIDDEN_TEST_MARKER = f"HIDDEN-TEST-MARKER-{_RUN}"
HIDDEN_DATA_MARKER = f"HIDDEN-DATA-MARKER-{_RUN}"
SOLUTION_MARKER = f"SOLUTION-MARKER-{_RUN}"
LEAK_MARKERS = (HIDDEN_TEST_MARKER, HIDDEN_DATA_MARKER, SOLUTION_MARKER)

# -- the levels -------------------------------------------------------------------------

STRONGEST = _sandbox.resolve("auto")
#: The suite runs at the strongest level available here, and at basic.
LEVELS = [STRONGEST] + ([] if STRONGEST == "basic" else ["basic"])
#: What each level claims to stop (SECURITY.md): "process" at every level; "sandbox"
#: (files, network, the output folder, late daemons) at standard and strict; "nproc"
#: (fork bombs stopped by RLIMIT_NPROC) at strict only.
CLAIMS = {"basic": {"process"}, "standard": {"process", "sandbox"}, "strict": {"process", "sandbox", "nproc"}}

#: Small limits, so that hangs cost seconds.
FAST = Limits(
    cell_seconds=3,
    call_seconds=3,
    submission_seconds=60,
    address_space_bytes=2 << 30,
    output_bytes=16 << 10,
    value_bytes=1 << 20,
    processes=64,
    restarts=3,
)


def require(level: str, claim: str, attack: str) -> None:
    """Skip unless ``level`` claims to stop ``attack`` (a claim of CLAIMS)."""
    import pytest

    if claim not in CLAIMS[level]:
        if level == "basic":
            pytest.skip(f"SECURITY.md: basic does not claim to stop {attack}")
        pytest.skip(f"{attack} is stopped at strict only; strict is not available here: {_sandbox.available()['strict']}")


# -- the workbook -----------------------------------------------------------------------

HONEST_DOUBLE = '''
def double(x):
    """Twice x."""
    return 2 * x
'''

HONEST_TOTAL = '''
def total(values):
    """The sum of values."""
    return sum(values)
'''

TOTAL_SOLUTION = f'''
def total(values):
    """The sum of values."""
    ### BEGIN SOLUTION
    # {SOLUTION_MARKER}: only the reference solution holds this line
    return sum(values)
    ### END SOLUTION
'''

PUBLIC_TOTAL_TESTS = '''

HINTS["total"] = ["Add the values up."]


@pytest.mark.question("total", points=1)
def test_total_small(learner):
    """Adds three numbers."""
    assert_equal(learner.total([1, 2, 3]), 6, "total([1, 2, 3])", hint="add them up")
'''

HIDDEN_TOTAL_TESTS = f'''

# {HIDDEN_TEST_MARKER}: only the hidden test file holds this line
_HIDDEN_NOTE = "{HIDDEN_TEST_MARKER}"


def _hidden_values():
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).resolve().parents[1] / "data" / "toy_hidden.json").read_text())
    return data["values"]


@pytest.mark.question("total", points=1)
def test_total_hidden(learner, reference):
    """Adds the hidden values."""
    values = _hidden_values()
    assert_equal(learner.total(values), reference.total(values), "total(the hidden values)", hint="add them up")
'''

#: Points of the honest question (``double``) and of the cheating one (``total``).
HONEST_POINTS = 3.0
CHEAT_POINTS = 2.0
#: Enough hidden values that a call of ``total`` is larger than a pipe's buffer (64 KiB).
HIDDEN_VALUES = random.Random(99).choices(range(10**6), k=20_000)


@dataclass(frozen=True)
class Workbook:
    """The two-question toy workbook (a copy of the conftest toy, extended)."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "solutions" / f"{TOY}.ipynb"

    @property
    def released(self) -> Path:
        return self.root / "exercises" / f"{TOY}.ipynb"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "solutions" / "tests" / f"test_{TOY}_hidden.py"

    @property
    def hidden_data(self) -> Path:
        return self.root / "solutions" / "data" / "toy_hidden.json"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    def datasets_snapshot(self) -> dict[str, bytes]:
        """Every file of datasets/ and its bytes."""
        return {str(p.relative_to(self.datasets)): p.read_bytes() for p in sorted(self.datasets.rglob("*")) if p.is_file()}


def make_workbook(toy_root: Path, dest: Path) -> Workbook:
    """Copy the toy workbook to ``dest`` and add the question ``total`` and the markers."""
    from conftest import toy_notebook

    shutil.copytree(toy_root, dest)
    wb = Workbook(dest)
    source = toy_notebook()
    source.cells += [A.solution("total", textwrap.dedent(TOTAL_SOLUTION)), A.test("total", CHEAT_POINTS)]
    nbformat.write(source, wb.source)
    nbformat.write(release_notebook(source), wb.released)
    public = wb.root / "exercises" / "tests" / f"test_{TOY}.py"
    public.write_text(public.read_text() + PUBLIC_TOTAL_TESTS)
    wb.hidden_tests.write_text(wb.hidden_tests.read_text() + HIDDEN_TOTAL_TESTS)
    wb.hidden_data.parent.mkdir(parents=True, exist_ok=True)
    wb.hidden_data.write_text(json.dumps({"note": HIDDEN_DATA_MARKER, "values": HIDDEN_VALUES}))
    (wb.datasets / "public.csv").write_text("x,y\n1,2\n3,4\n")
    (wb.datasets / "nested").mkdir()
    (wb.datasets / "nested" / "README.md").write_text("public data\n")
    assert SOLUTION_MARKER not in wb.released.read_text()
    return wb


# -- submissions --------------------------------------------------------------------------


def submission(wb: Workbook, total: str = HONEST_TOTAL, *, double: str = HONEST_DOUBLE, before=(), after=()):
    """The released notebook with ``double`` and ``total`` answered, and extra code cells
    ``before`` (right after the setup cell) and ``after`` (at the end)."""
    nb = read_notebook(wb.released)
    answers = {"double": double, "total": total}
    for cell in nb.cells:
        name = nbgrader(cell).get("grade_id")
        if cell.cell_type == "code" and name in answers:
            cell.source = textwrap.dedent(answers[name]).strip()
    setup = next(i for i, c in enumerate(nb.cells) if nbgrader(c).get("grade_id") == "setup")
    nb.cells[setup + 1 : setup + 1] = [A.code(textwrap.dedent(src)) for src in before]
    nb.cells += [A.code(textwrap.dedent(src)) for src in after]
    return nb


def cell_index(nb, grade_id: str) -> int:
    """The index of the cell with ``grade_id`` (as cell records count them)."""
    return next(i for i, c in enumerate(nb.cells) if nbgrader(c).get("grade_id") == grade_id)


def grade(wb: Workbook, nb, level: str, folder: Path, *, name: str = "hostile", limits: Limits = FAST):
    """Write ``nb`` (a notebook, or raw text/bytes) to ``folder`` and grade it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, path)
    # Through the warm workers, as 'mlday grade' does; they also keep slow imports out of
    # the cells' short limits.
    return grade_notebook(path, wb.root, learner=name, limits=limits, isolation=level, pool=shared_pool())


def comparable(result):
    """The result without what legitimately differs between two runs (timing, paths)."""
    return dataclasses.replace(result, execution_time=0.0, notebook="", learner="")


_BASELINES: dict[tuple[Path, str], object] = {}


def honest_result(wb: Workbook, level: str, folder: Path):
    """The honest submission's result at ``level`` (graded once, first of all)."""
    key = (wb.root, level)
    if key not in _BASELINES:
        _BASELINES[key] = comparable(grade(wb, submission(wb), level, folder, name="honest-first"))
    return _BASELINES[key]


def rendered(wb: Workbook, results, out: Path) -> str:
    """Write results.json, the gradebooks and the feedback into ``out``; return all their text."""
    for result in results:
        write_result(out, result)
    write_reports(out, wb.root)
    return "\n".join(p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file())


def assert_no_leaks(*texts: str) -> None:
    """No marker of the hidden tests, the hidden data or the solution in any of ``texts``."""
    for text in texts:
        for marker in LEAK_MARKERS:
            assert marker not in text, f"{marker.rsplit('-', 1)[0]} leaked: ...{text[max(0, text.find(marker) - 200):][:400]}..."


def _as_hidden(fragment: str) -> str:
    """The fragment as a hidden test words it: what differs, with no value ("got -1" is
    "got (not shown)", "is a numpy.int8 6; expected an int" is "is a numpy.int8; expected an int")."""
    from grader.testing import NOT_SHOWN

    if fragment.startswith("got "):
        items = re.match(r"got (\d+ items) ", fragment)
        return f"got {items.group(1)} {NOT_SHOWN}" if items else f"got {NOT_SHOWN}"
    return re.sub(r"^(is an? [\w.]+) .*?; (expected an? \w+)$", r"\1; \2", fragment)


def check_outcome(
    wb: Workbook,
    result,
    level: str,
    tmp_path: Path,
    *,
    status: Status | None,
    message: str = "",
    cells: dict[int, tuple[Status, str]] | None = None,
    honest_points: float = HONEST_POINTS,
) -> None:
    """The whole expectation for one hostile submission.

    - the grade: ``double`` earns its points, every test of ``total`` has ``status`` (None:
      any status but passed), scores 0 and has ``message`` in its message;
    - the cells that did not run cleanly are exactly ``cells`` ({index: (status, fragment)});
    - survival: an honest submission graded now gets exactly the result it got first;
    - no leaks: nothing of the hidden tests, data or solution in the rendered outputs.
    """
    assert (result.invalid, result.ungradable) == (False, ""), result.ungradable
    assert result.problems == honest_result(wb, level, tmp_path / "first").problems == ()
    assert result.isolation == level
    by_question: dict[str, list] = {}
    for t in result.tests:
        by_question.setdefault(t.question, []).append(t)
    assert sorted(by_question) == ["double", "total"], [t.test for t in result.tests]
    assert len(by_question["double"]) == 3 and len(by_question["total"]) == 2
    honest = {t.test: (t.status, t.message) for t in by_question["double"]}
    if honest_points == HONEST_POINTS:
        assert all(s is Status.PASSED for s, _ in honest.values()), honest
    assert sum(t.score for t in by_question["double"]) == honest_points
    for t in by_question["total"]:
        assert t.score == 0, (t.test, t.status, t.message)
        if status is None:
            assert t.status is not Status.PASSED, (t.test, t.message)
        else:
            assert t.status is status, (t.test, t.status, t.message)
        assert (_as_hidden(message) if t.hidden else message) in t.message, (t.test, t.message)
    assert result.score == honest_points and result.max_score == HONEST_POINTS + CHEAT_POINTS
    got_cells = {c.index: (c.status, c.message) for c in result.cells}
    want_cells = cells or {}
    assert set(got_cells) == set(want_cells), got_cells
    for index, (want_status, fragment) in want_cells.items():
        assert got_cells[index][0] is want_status, got_cells[index]
        assert fragment in got_cells[index][1], got_cells[index]
    assert len(result.output.encode()) <= FAST.output_bytes + 4  # replacement characters
    again = grade(wb, submission(wb), level, tmp_path / "after", name="honest-after")
    assert comparable(again) == honest_result(wb, level, tmp_path / "first")
    assert_no_leaks(rendered(wb, [result], tmp_path / "out"), result.output)


# -- the real exercise 01 ---------------------------------------------------------------------

REAL = "01_morning_review"
REAL_SOURCE = REPO / "solutions" / f"{REAL}.ipynb"
REAL_RELEASED = REPO / "exercises" / f"{REAL}.ipynb"
REAL_HIDDEN_TESTS = REPO / "solutions" / "tests" / f"test_{REAL}_hidden.py"
HAS_REAL = all(p.is_file() for p in (REAL_SOURCE, REAL_RELEASED, REAL_HIDDEN_TESTS))
#: Real exercises' tests call learner code with whole frames: give their calls room.
REAL_LIMITS = FAST.replace(cell_seconds=30, call_seconds=20, submission_seconds=120, value_bytes=64 << 20)


def real_submission(**answers: str):
    """The released notebook of exercise 01 with every question answered by the reference
    solution, but those in ``answers`` (name -> source); its exploration cells are left out."""
    source = {nbgrader(c)["grade_id"]: c.source for c in read_notebook(REAL_SOURCE).cells if nbgrader(c).get("solution")}
    nb = read_notebook(REAL_RELEASED)
    nb.cells = [c for c in nb.cells if nbgrader(c)]  # a learner may delete unlocked cells
    for cell in nb.cells:
        name = nbgrader(cell).get("grade_id")
        if nbgrader(cell).get("solution") and name in source:
            cell.source = textwrap.dedent(answers.get(name, source[name])).strip()
    return nb


def grade_real(nb, level: str, folder: Path, questions):
    """Grade a submission of exercise 01 against the tests of ``questions`` only."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{REAL}.ipynb"
    nbformat.write(nb, path)
    return grade_notebook(path, REPO, learner="hostile-real", limits=REAL_LIMITS, isolation=level, questions=questions)


def check_real_outcome(wb: Workbook, result, level: str, tmp_path: Path, *, cheat: str, status: Status, message: str) -> None:
    """Like :func:`check_outcome`, for exercise 01: every question but ``cheat`` earns all its
    points; every test of ``cheat`` has ``status``, ``message`` and 0 points; the rendered
    outputs hold no line of the hidden tests or of the solution; the grader survives."""
    assert (result.invalid, result.ungradable, result.problems, result.cells) == (False, "", (), ())
    cheats = [t for t in result.tests if t.question == cheat]
    honest = [t for t in result.tests if t.question != cheat]
    assert cheats and honest
    assert all(t.status is Status.PASSED for t in honest), [(t.test, t.message) for t in honest if t.status is not Status.PASSED]
    for t in cheats:
        assert (t.status, t.score) == (status, 0), (t.test, t.status, t.message)
        assert (_as_hidden(message) if t.hidden else message) in t.message, (t.test, t.message)
    assert result.score == sum(t.max_score for t in honest)
    out = tmp_path / "out"
    write_result(out, result)
    write_reports(out, REPO)
    text = "\n".join(p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file()) + result.output
    for line in real_leak_markers():
        assert line not in text, f"leaked: {line}"
    real_root, os.environ["MLDAY_ROOT"] = os.environ.get("MLDAY_ROOT"), str(wb.root)  # the toy's reference
    try:
        again = grade(wb, submission(wb), level, tmp_path / "after", name="honest-after")
    finally:
        os.environ["MLDAY_ROOT"] = real_root or ""
    assert comparable(again) == honest_result(wb, level, tmp_path / "first")


def real_leak_markers() -> list[str]:
    """Lines that only the hidden tests or the reference solution of exercise 01 hold."""
    public = {line.strip() for cell in read_notebook(REAL_RELEASED).cells for line in cell.source.splitlines()}
    public |= {line.strip() for line in (REPO / "exercises" / "tests" / f"test_{REAL}.py").read_text().splitlines()}
    solution = [line.strip() for c in read_notebook(REAL_SOURCE).cells if nbgrader(c).get("solution") for line in c.source.splitlines()]
    hidden = [line.strip() for line in REAL_HIDDEN_TESTS.read_text().splitlines()]
    secret = lambda lines: [line for line in lines if len(line) > 40 and line not in public][:20]
    return secret(solution) + secret(hidden)


# -- processes and files outside the grader ------------------------------------------------


def processes_with(marker: str) -> list[int]:
    """Pids of the live (non-zombie) processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(marker: str, seconds: float) -> list[int]:
    """Wait up to ``seconds`` for every process with ``marker`` to end; return those left."""
    deadline = time.monotonic() + seconds
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def new_marker(kind: str) -> str:
    """A fresh marker string for one attack."""
    return f"mlday-hostile-{kind}-{uuid.uuid4().hex[:10]}"


# -- grading in a separate process, for attacks that could hang or kill the grader ------------

_GRADE_SCRIPT = """
import json, resource, sys
from pathlib import Path
from grader._grading import grade_notebook
from grader._limits import Limits
from grader._store import write_result
nb, root, level, out, limits = sys.argv[1:6]
result = grade_notebook(Path(nb), Path(root), learner="isolated", limits=Limits(**json.loads(limits)), isolation=level)
write_result(Path(out), result)
print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass(frozen=True)
class Isolated:
    """How a grading in a separate process ended."""

    returncode: int | None  # None: it hung, and was killed
    log: str
    result: object  # the ExerciseResult read back, or None
    maxrss_mb: float  # the grading process's peak resident memory


def grade_in_subprocess(wb: Workbook, nb, level: str, folder: Path, *, timeout: float, limits: Limits = FAST) -> Isolated:
    """Grade ``nb`` in a fresh grading process, killed after ``timeout`` seconds."""
    from grader._store import read_result

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "isolated.ipynb"
    nbformat.write(nb, path)
    out = folder / "out"
    (folder / "tmp").mkdir(exist_ok=True)  # the scratch folders of a killed grader stay in here
    env = dict(os.environ, MLDAY_ROOT=str(wb.root), TMPDIR=str(folder / "tmp"))
    argv = [sys.executable, "-c", _GRADE_SCRIPT, str(path), str(wb.root), level, str(out), json.dumps(dataclasses.asdict(limits))]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        return Isolated(None, "", None, 0.0)
    log = stdout.decode() + stderr.decode()
    found = list(out.glob("*/*/results.json"))
    rss = [float(line.split()[1]) / 1024 for line in stdout.decode().splitlines() if line.startswith("maxrss_kb ")]
    return Isolated(proc.returncode, log, read_result(found[0]) if found else None, rss[0] if rss else 0.0)
