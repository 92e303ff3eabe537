"""Tests of grader._release: each transform that makes a learner's notebook, and the chain."""

from __future__ import annotations

import copy
import hashlib

import nbformat
import nbformat.v4 as v4
import pytest

from grader import _authoring as A
from grader._errors import MldayError
from grader._release import RELEASE, release_notebook
from grader._release.clear_hidden_tests import clear_hidden_tests
from grader._release.clear_outputs import clear_outputs
from grader._release.clear_solutions import clear_solutions
from grader._release.compute_checksums import checksum, compute_checksums
from grader._release.lock_cells import lock_cells

SOLUTION = '''import numpy as np


def daily_metrics(log, day):
    """Precision and recall of one day."""
    ### BEGIN SOLUTION
    rows = log[log.day == day]
    return {"precision": 1.0}
    ### END SOLUTION


class Binner:
    def fit(self, x):
        ### BEGIN SOLUTION
        self.edges_ = np.quantile(x, [0.5])
        ### END SOLUTION
        return self'''

STUBBED = '''import numpy as np


def daily_metrics(log, day):
    """Precision and recall of one day."""
    # YOUR CODE HERE
    raise NotImplementedError()


class Binner:
    def fit(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()
        return self'''


def markdown_solution(name: str, text: str):
    """A markdown answer cell (nbgrader's manually graded answer)."""
    cell = v4.new_markdown_cell(text)
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": name,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    return cell


def source_notebook():
    cells = [
        A.markdown("# Morning review", grade_id="intro"),
        A.code("from grader import bind\ncheck, hint = bind('01_x', globals())", grade_id="setup"),
        A.code("log.head()"),
        A.solution("daily_metrics", SOLUTION),
        A.test("daily_metrics", 3),
        markdown_solution("why", "Explain.\n\n### BEGIN SOLUTION\nBecause fraud is rare.\n### END SOLUTION"),
    ]
    nb = A.notebook(cells, "01_x", "Morning review")
    nb.cells[2].outputs = [v4.new_output("stream", name="stdout", text="a table")]
    nb.cells[2].execution_count = 4
    nb.cells[3].outputs = [v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=5)]
    nb.cells[3].execution_count = 5
    return nb


# -- clear_solutions ---------------------------------------------------------------------


def test_solution_regions_become_the_stub_at_their_indentation():
    nb = clear_solutions(source_notebook())
    assert nb.cells[3].source == STUBBED


def test_top_level_solution_region_gets_an_unindented_stub():
    nb = A.notebook([A.solution("THRESHOLD", "### BEGIN SOLUTION\nTHRESHOLD = 0.5\n### END SOLUTION")], "01_x", "t")
    assert clear_solutions(nb).cells[0].source == "# YOUR CODE HERE\nraise NotImplementedError()"


def test_markdown_solution_region_becomes_your_answer_here():
    nb = clear_solutions(source_notebook())
    assert nb.cells[5].source == "Explain.\n\nYOUR ANSWER HERE"


def test_cells_that_are_not_solutions_are_untouched():
    nb = source_notebook()
    nb.cells.append(A.code("# a scratch cell that mentions\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    before = copy.deepcopy(nb)
    after = clear_solutions(nb)
    for index in (0, 1, 2, 4, 6):
        assert after.cells[index].source == before.cells[index].source


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", r"^cell 0 \(f\): '### BEGIN SOLUTION' is never closed by '### END SOLUTION'$"),
        (
            "### BEGIN SOLUTION\nx = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION",
            r"^cell 0 \(f\): '### BEGIN SOLUTION' inside another region$",
        ),
        ("x = 1\n### END SOLUTION", r"^cell 0 \(f\): '### END SOLUTION' without '### BEGIN SOLUTION'$"),
    ],
    ids=["unclosed", "nested", "stray end"],
)
def test_malformed_solution_regions_raise_naming_the_cell(source, message):
    nb = A.notebook([A.solution("f", source)], "01_x", "t")
    with pytest.raises(MldayError, match=message):
        clear_solutions(nb)


def test_error_names_the_cell_by_its_position():
    nb = source_notebook()
    nb.cells.insert(2, A.solution("late", "def late():\n    ### BEGIN SOLUTION\n    return 1"))
    with pytest.raises(MldayError, match=r"^cell 2 \(late\): .*never closed"):
        release_notebook(nb)


@pytest.mark.parametrize("cell_type", ["code", "markdown"])
def test_solution_cell_without_a_region_is_replaced_whole(cell_type):
    if cell_type == "code":
        cell, stub = A.solution("f", "def f():\n    return 42"), "# YOUR CODE HERE\nraise NotImplementedError()"
    else:
        cell, stub = markdown_solution("why", "Because fraud is rare."), "YOUR ANSWER HERE"
    nb = clear_solutions(A.notebook([cell], "01_x", "t"))
    assert nb.cells[0].source == stub


# -- clear_hidden_tests -------------------------------------------------------------------


def test_hidden_tests_are_removed_from_test_cells():
    nb = clear_hidden_tests(source_notebook())
    assert nb.cells[4].source == 'check("daily_metrics")'


def test_hidden_section_in_the_middle_keeps_both_ends():
    cell = A.test("f", 1, source='check("f")\n### BEGIN HIDDEN TESTS\ncheck("f", hidden=True)\n### END HIDDEN TESTS\nprint("done")')
    nb = clear_hidden_tests(A.notebook([cell], "01_x", "t"))
    assert nb.cells[0].source == 'check("f")\nprint("done")'


def test_hidden_markers_outside_test_cells_are_left_alone():
    text = "x = 1\n### BEGIN HIDDEN TESTS\ny = 2\n### END HIDDEN TESTS"
    nb = clear_hidden_tests(A.notebook([A.code(text)], "01_x", "t"))
    assert nb.cells[0].source == text


def test_unclosed_hidden_section_raises_naming_the_cell():
    cell = A.test("f", 1, source='check("f")\n### BEGIN HIDDEN TESTS\ncheck("f", hidden=True)')
    nb = A.notebook([A.markdown("intro"), cell], "01_x", "t")
    with pytest.raises(MldayError, match=r"^cell 1 \(test_f\): '### BEGIN HIDDEN TESTS' is never closed"):
        clear_hidden_tests(nb)


# -- clear_outputs, lock_cells ---------------------------------------------------------------


def test_outputs_and_execution_counts_are_cleared():
    nb = clear_outputs(source_notebook())
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_lock_flags_follow_nbgrader():
    nb = lock_cells(source_notebook())
    flags = [(c.metadata.get("editable"), c.metadata.get("deletable")) for c in nb.cells]
    assert flags == [
        (False, False),  # locked story
        (False, False),  # locked setup
        (None, None),  # scratch: free
        (None, False),  # code solution: editable, not deletable
        (False, False),  # test cell
        (None, False),  # markdown solution
    ]


# -- checksums -----------------------------------------------------------------------------


def nbgrader_checksum(source, cell_type, *, grade, solution, locked, grade_id, points=None) -> str:
    """nbgrader's published compute_checksum, followed step by step."""
    m = hashlib.md5()
    m.update(source.encode("utf-8"))
    m.update(cell_type.encode("utf-8"))
    m.update(str(grade).encode("utf-8"))
    m.update(str(solution).encode("utf-8"))
    # nbgrader's is_locked: False for solutions, True for grade cells, else the 'locked' flag
    m.update(str(False if solution else True if grade else locked).encode("utf-8"))
    m.update(grade_id.encode("utf-8"))
    if grade:
        m.update(str(float(points)).encode("utf-8"))
    return m.hexdigest()


def hand_cell(cell_type, source, **nbgrader):
    cell = v4.new_code_cell(source) if cell_type == "code" else v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


@pytest.mark.parametrize(
    "cell_type, source, meta",
    [
        ("code", 'check("daily_metrics")', dict(grade=True, solution=False, locked=True, grade_id="test_daily_metrics", points=3)),
        ("code", "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()", dict(grade=False, solution=True, locked=False, grade_id="f")),
        ("markdown", "# Morning review — précision", dict(grade=False, solution=False, locked=True, grade_id="intro")),
        ("code", "x = 1", dict(grade=True, solution=False, locked=False, grade_id="test_x", points=0.5)),
    ],
    ids=["grade", "solution", "locked markdown", "grade not flagged locked"],
)
def test_checksum_matches_nbgrader(cell_type, source, meta):
    cell = hand_cell(cell_type, source, **meta)
    assert checksum(cell) == nbgrader_checksum(source, cell_type, **meta)


def test_checksum_of_one_hand_built_cell_is_md5_of_its_parts():
    cell = hand_cell("code", "assert f(2) == 4", grade=True, solution=False, locked=True, grade_id="test_f", points=2)
    expected = hashlib.md5(b"assert f(2) == 4" + b"code" + b"True" + b"False" + b"True" + b"test_f" + b"2.0").hexdigest()
    assert checksum(cell) == expected


def test_checksums_are_set_on_nbgrader_cells_only():
    nb = compute_checksums(source_notebook())
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if index == 2:
            assert meta is None
        else:
            assert meta["checksum"] == checksum(cell)
            assert meta["cell_type"] == cell.cell_type


# -- the chain ---------------------------------------------------------------------------------


def test_release_chains_the_transforms_in_nbgrader_order():
    assert RELEASE == [lock_cells, clear_solutions, clear_outputs, clear_hidden_tests, compute_checksums]


def test_release_makes_the_learners_notebook_and_leaves_the_source_alone():
    source = source_notebook()
    before = nbformat.writes(source)
    released = release_notebook(source)
    assert nbformat.writes(source) == before
    assert [c.source for c in released.cells] == [
        source.cells[0].source,
        source.cells[1].source,
        source.cells[2].source,
        STUBBED,
        'check("daily_metrics")',
        "Explain.\n\nYOUR ANSWER HERE",
    ]
    assert "BEGIN" not in nbformat.writes(released)
    assert "Because fraud is rare" not in nbformat.writes(released)
    # checksums are of the released sources, so nbgrader sees an unanswered stub
    for cell in released.cells:
        if "nbgrader" in cell.metadata:
            assert cell.metadata["nbgrader"]["checksum"] == checksum(cell)
    nbformat.validate(released)


def test_release_is_deterministic_and_leaves_the_source_alone():
    source = source_notebook()
    before = nbformat.writes(source)
    assert nbformat.writes(release_notebook(source)) == nbformat.writes(release_notebook(source))
    assert nbformat.writes(source) == before
