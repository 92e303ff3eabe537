"""Remove the hidden sections of test cells."""

from .._notebook import is_grade, nbgrader
from ._regions import replace_regions


def clear_hidden_tests(nb):
    """Drop every ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` section."""
    for index, cell in enumerate(nb.cells):
        if is_grade(cell):
            where = f"cell {index} ({nbgrader(cell).get('grade_id', '?')})"
            cell.source = replace_regions(
                cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS", lambda indent: [], where
            ).rstrip()
    return nb
