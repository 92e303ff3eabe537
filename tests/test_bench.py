"""benchmarks/: the class generator deals the mix it claims, and run.py works end to end.

Timings are never asserted: the benchmark runs here only to prove that it works. The
end-to-end run benchmarks a toy workbook, so that it takes seconds, not minutes; the
class generator is checked on the real workbook, without grading.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import HIDDEN_TESTS, PUBLIC_TESTS, SOLUTION

from grader import _authoring as A
from grader._exercises import find_exercises
from grader._notebook import nbgrader, read_notebook
from grader._outcomes import Status
from grader._store import read_all
from grader.catalogue import load_mistakes

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import classgen  # noqa: E402

TOY_EXERCISES = ("01_twice", "02_again")
MISTAKES = '''
from grader.catalogue import Mistake

MISTAKES = [
    Mistake(
        name="double",
        title="adds two",
        test="test_doubles_negative",
        message="double(-7)",
        code="def double(x):\\n    return x + 2\\n",
    ),
]
'''


def _toy_exercise(root: Path, name: str) -> None:
    from grader._release import release_notebook

    setup = f'from grader import bind\ncheck, hint = bind("{name}", globals())'
    cells = [
        A.markdown(f"# {name}\n\nWrite `double`.", grade_id="intro"),
        A.code(setup, grade_id="setup"),
        A.solution("double", textwrap.dedent(SOLUTION)),
        A.test("double", 3),
    ]
    source = A.notebook(cells, name, name)
    nbformat.write(source, root / "solutions" / f"{name}.ipynb")
    nbformat.write(release_notebook(source), root / "exercises" / f"{name}.ipynb")
    (root / "exercises" / "tests" / f"test_{name}.py").write_text(PUBLIC_TESTS.lstrip())
    (root / "solutions" / "tests" / f"test_{name}_hidden.py").write_text(HIDDEN_TESTS.lstrip())
    (root / "solutions" / "mistakes" / f"{name}.py").write_text(MISTAKES.lstrip())


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory) -> Path:
    """A workbook of two tiny exercises, each with a catalogued mistake."""
    root = tmp_path_factory.mktemp("bench-workbook")
    for folder in ("exercises/tests", "solutions/tests", "solutions/mistakes", "datasets"):
        (root / folder).mkdir(parents=True)
    for name in TOY_EXERCISES:
        _toy_exercise(root, name)
    return root


def bench(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN), *map(str, argv)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def bench_run(toy_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-out")
    # Five notebooks, the fewest that hold every kind; one exercise of two, by number.
    done = bench("--workbook", toy_root, "--learners", 5, "--exercises", "01", "--no-peer", "--out", out,
                 "--cell-timeout", 3, "--repeat", 3)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done


# -- the class ------------------------------------------------------------------


def test_the_deal_holds_every_kind_in_its_first_five():
    for seed in range(5):
        assert set(classgen.deal(5, seed)) == set(classgen.KINDS)
    assert classgen.deal(30, seed=1) == classgen.deal(30, seed=1)


def test_each_kind_changes_what_it_claims_on_the_real_workbook(tmp_path):
    exercises = find_exercises(ROOT)[:3]
    subs = classgen.make_class(tmp_path / "class", exercises, learners=2, seed=3)
    assert {s.kind for s in subs} == set(classgen.KINDS)
    assert len(subs) == 6 and all(s.path.is_file() for s in subs)
    assert json.loads((tmp_path / "class.json").read_text())[0]["kind"] == subs[0].kind
    by_name = {ex.name: ex for ex in exercises}
    for sub in subs:
        ex = by_name[sub.exercise]
        got = read_notebook(sub.path)
        base = read_notebook(ex.released if sub.kind == "blank" else ex.source)
        assert len(got.cells) == len(base.cells)
        changed = {nbgrader(a).get("grade_id"): a.source for a, b in zip(got.cells, base.cells) if a.source != b.source}
        assert set(changed) == set(sub.changed)
        if sub.kind in ("perfect", "blank"):
            assert not changed
        elif sub.kind == "partly":
            catalogue = {m.code for m in load_mistakes(ex.mistakes)}
            assert changed and all(code in catalogue for code in changed.values())
        else:
            expected = classgen.RAISES if sub.kind == "raises" else classgen.LOOPS
            assert list(changed.values()) == [expected]


def test_the_class_is_the_same_for_the_same_seed(tmp_path):
    exercises = find_exercises(ROOT)[:2]
    first = classgen.make_class(tmp_path / "a", exercises, learners=3, seed=7)
    again = classgen.make_class(tmp_path / "b", exercises, learners=3, seed=7)
    assert [(s.kind, s.changed) for s in first] == [(s.kind, s.changed) for s in again]
    assert all(a.path.read_bytes() == b.path.read_bytes() for a, b in zip(first, again))


def test_an_unknown_kind_is_named(toy_root):
    import random

    ex = find_exercises(toy_root)[0]
    with pytest.raises(ValueError, match="Got 'sloppy' instead"):
        classgen.make_notebook(ex, "sloppy", random.Random(0))


# -- run.py end to end --------------------------------------------------------------


def _table(markdown: str, heading: str) -> list[list[str]]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_report_has_every_measure_and_its_numbers_parse(bench_run):
    out, done = bench_run
    report = (out / "results.md").read_text()
    assert report in done.stdout  # printed, and written
    measures = {row[0]: row for row in _table(report, "Measures")}
    for label in ("wall per notebook, one at a time (s)", "submissions per minute, -j 1", "submissions per minute, -j 2",
                  "peak memory, grader, largest process, -j 1 (MiB)", "peak memory, grader, largest process, -j 2 (MiB)",
                  "peak memory, one worker or kernel, -j 1 (MiB)", "peak memory, whole process tree, -j 2 (MiB)"):
        assert float(measures[label][2]) > 0, label  # the mlday column
    float(measures["overhead per notebook (s)"][2])  # may be negative on a toy
    percent = 100 * float(measures["overhead per notebook (s)"][2]) / float(measures["wall per notebook, one at a time (s)"][1])
    assert float(measures["overhead, % of plain python"][2].rstrip("%")) == pytest.approx(percent, rel=0.05, abs=1)
    assert float(measures["wall per notebook, one at a time (s)"][1]) > 0  # plain python
    assert re.fullmatch(r"\d+ / \d+", measures['check("double"), later calls: median / max (ms)'][2])
    targets = _table(report, "Targets")
    assert len(targets) == 4
    assert [t[2] for t in targets][1] == "not measured"  # --no-peer
    assert all(t[2] in ("yes", "**no**") for i, t in enumerate(targets) if i != 1)
    data = json.loads((out / "results.json").read_text())
    assert data["config"]["notebooks"] == 5 and data["config"]["exercises"] == ["01_twice"]
    assert data["nbgrader"] is None
    assert data["machine"]["cores"] >= 1


def test_the_graded_class_is_the_mix_it_claims(bench_run):
    out, _ = bench_run
    kinds = {(s["learner"], s["exercise"]): s["kind"] for s in json.loads((out / "class.json").read_text())}
    for run in ("mlday-j1", "mlday-j2"):
        results = {(r.learner, r.exercise): r for r in read_all(out / run)}
        assert set(results) == set(kinds)
        by_kind: dict[str, list] = {}
        for key, kind in kinds.items():
            by_kind.setdefault(kind, []).append(results[key])
        assert set(by_kind) == set(classgen.KINDS)
        for r in by_kind["perfect"]:
            assert r.max_score > 0 and r.score == r.max_score
        for r in by_kind["blank"]:
            assert r.score == 0 and {t.status for t in r.tests} == {Status.NOT_ATTEMPTED}
        for r in by_kind["partly"]:
            assert 0 < r.score < r.max_score
        for r in by_kind["raises"]:
            assert Status.ERROR in {c.status for c in r.cells}
        for r in by_kind["timeout"]:
            assert Status.TIMEOUT in {c.status for c in r.cells}


def test_plain_python_runs_past_a_raising_and_a_looping_cell(bench_run):
    out, _ = bench_run
    subs = json.loads((out / "results.json").read_text())["submissions"]
    failed = {s["kind"]: set(s["plain_failed_cells"].values()) for s in subs}
    assert failed["perfect"] == set() and failed["blank"] == set()
    assert failed["raises"] == {"RuntimeError"}
    assert failed["timeout"] == {"timeout"}


def test_an_unknown_exercise_is_a_one_line_error(toy_root, tmp_path):
    done = bench("--workbook", toy_root, "--exercises", "77", "--no-peer", "--out", tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("bench: error: no exercise '77'") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_a_folder_that_is_no_workbook_is_named(tmp_path):
    done = bench("--workbook", tmp_path, "--no-peer", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert f"Got {str(tmp_path)!r} instead" in done.stderr and done.stderr.count("\n") == 1
