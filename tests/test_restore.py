"""grader/_restore: locked cells come back as the source has them."""

import copy

from grader import _authoring as A
from grader._notebook import nbgrader
from grader._restore import restore_locked_cells


def _source():
    return A.notebook(
        [
            A.markdown("# Story", "story"),
            A.code("from grader import bind\ncheck, hint = bind('99_toy', globals())", "setup"),
            A.solution("double", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
            A.test("double", 1),
        ],
        "99_toy",
        "Toy",
    )


def _ids(nb):
    return [nbgrader(c).get("grade_id") for c in nb.cells]


def test_untouched_submission_is_unchanged():
    source = _source()
    submission = copy.deepcopy(source)
    assert restore_locked_cells(submission, source) == []
    assert submission == source


def test_edited_locked_cell_is_restored():
    source = _source()
    submission = copy.deepcopy(source)
    submission.cells[1].source = "import grader.testing\ngrader.testing.assert_close = lambda *a, **k: None"
    notes = restore_locked_cells(submission, source)
    assert submission.cells[1].source == source.cells[1].source
    assert notes == ["the read-only cell 'setup' was changed; it was restored"]


def test_unlocking_metadata_does_not_escape_restoring():
    source = _source()
    submission = copy.deepcopy(source)
    submission.cells[1].metadata["nbgrader"]["locked"] = False
    submission.cells[1].source = "print('mine')"
    restore_locked_cells(submission, source)
    assert submission.cells[1].source == source.cells[1].source
    assert nbgrader(submission.cells[1])["locked"] is True


def test_deleted_locked_cells_come_back_in_place():
    source = _source()
    submission = copy.deepcopy(source)
    del submission.cells[3]
    del submission.cells[1]
    notes = restore_locked_cells(submission, source)
    assert _ids(submission) == _ids(source)
    assert sorted(notes) == [
        "the read-only cell 'setup' was deleted; it was restored",
        "the read-only cell 'test_double' was deleted; it was restored",
    ]


def test_solution_cells_and_scratch_cells_are_the_learners():
    source = _source()
    submission = copy.deepcopy(source)
    submission.cells[2].source = "def double(x):\n    return x + x"
    submission.cells.insert(3, A.code("print(double(2))"))
    assert restore_locked_cells(submission, source) == []
    assert submission.cells[2].source == "def double(x):\n    return x + x"
    assert submission.cells[3].source == "print(double(2))"


def test_duplicated_ids_are_reported():
    source = _source()
    submission = copy.deepcopy(source)
    submission.cells.append(copy.deepcopy(submission.cells[2]))
    assert "the cell id 'double' appears 2 times" in restore_locked_cells(submission, source)


def test_an_edited_test_cell_is_restored_without_a_note():
    """Test cells never run in the worker; restoring them is enough."""
    source = _source()
    submission = copy.deepcopy(source)
    submission.cells[3].source = "print('no tests here')"
    assert restore_locked_cells(submission, source) == []
    assert submission.cells[3].source == source.cells[3].source
