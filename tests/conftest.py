"""Shared fixtures of the grader's own tests: a throw-away workbook with one tiny exercise."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader import _authoring as A

TOY = "99_toy"

SETUP = f'from grader import bind\ncheck, hint = bind("{TOY}", globals())'

SOLUTION = '''
def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
'''

PUBLIC_TESTS = '''
import pytest

from grader.testing import assert_equal

HINTS = {"double": ["Multiply x by two."]}


@pytest.mark.question("double", points=1)
def test_doubles_two(learner):
    """Doubles 2."""
    assert_equal(learner.double(2), 4, "double(2)", hint="multiply by two")
'''

HIDDEN_TESTS = '''
import pytest

from grader.testing import assert_equal


@pytest.mark.question("double", points=1)
def test_doubles_negative(learner):
    """Doubles a negative number."""
    assert_equal(learner.double(-7), -14, "double(-7)", hint="multiply by two")


@pytest.mark.question("double", points=1)
def test_matches_reference(learner, reference):
    """Matches the reference solution."""
    for x in (0, 5, 11):
        assert_equal(learner.double(x), reference.double(x), f"double({x})", hint="multiply by two")
'''

#: Points of all the toy's tests: one public, two hidden, one point each.
TOTAL_POINTS = 3.0


def toy_notebook(solution_source: str = SOLUTION, *, scratch: tuple[str, ...] = (), with_solution_cell: bool = True):
    """The toy exercise's notebook: story, setup, [scratch cells], the solution cell, its test cell."""
    cells = [A.markdown("# A toy exercise\n\nWrite `double`.", grade_id="intro"), A.code(SETUP, grade_id="setup")]
    cells += [A.code(textwrap.dedent(src)) for src in scratch]
    if with_solution_cell:
        cells.append(A.solution("double", textwrap.dedent(solution_source)))
    cells.append(A.test("double", TOTAL_POINTS))
    return A.notebook(cells, TOY, "A toy exercise")


@dataclass(frozen=True)
class ToyWorkbook:
    """A workbook folder holding exercise 99_toy, and helpers to write submissions."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "solutions" / f"{TOY}.ipynb"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "solutions" / "tests" / f"test_{TOY}_hidden.py"

    def write(self, folder: Path, name: str, nb_or_text) -> Path:
        """Write a notebook (or raw text/bytes) to ``folder/name``; return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if isinstance(nb_or_text, bytes):
            path.write_bytes(nb_or_text)
        elif isinstance(nb_or_text, str):
            path.write_text(nb_or_text)
        else:
            nbformat.write(nb_or_text, path)
        return path


@pytest.fixture(scope="session")
def toy_workbook(tmp_path_factory) -> ToyWorkbook:
    """A fresh workbook with exercise 99_toy: source notebook, released stub, public and hidden tests."""
    from grader._release import release_notebook

    root = tmp_path_factory.mktemp("workbook")
    for folder in ("exercises/tests", "solutions/tests", "datasets"):
        (root / folder).mkdir(parents=True)
    source = toy_notebook()
    nbformat.write(source, root / "solutions" / f"{TOY}.ipynb")
    nbformat.write(release_notebook(source), root / "exercises" / f"{TOY}.ipynb")
    (root / "exercises" / "tests" / f"test_{TOY}.py").write_text(PUBLIC_TESTS.lstrip())
    (root / "solutions" / "tests" / f"test_{TOY}_hidden.py").write_text(HIDDEN_TESTS.lstrip())
    return ToyWorkbook(root)
