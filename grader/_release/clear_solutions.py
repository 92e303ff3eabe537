"""Replace each solution region with the stub the learner starts from."""

from .._notebook import is_solution, nbgrader
from .._stub import CODE_STUB, TEXT_STUB
from ._regions import replace_regions



def clear_solutions(nb):
    """Solution regions become the stub: code at the region's indentation, text as is.

    A solution cell without a region is replaced whole, as nbgrader does.
    """
    for index, cell in enumerate(nb.cells):
        if not is_solution(cell):
            continue
        where = f"cell {index} ({nbgrader(cell).get('grade_id', '?')})"
        if cell.cell_type == "code":
            stub = lambda indent: [indent + line for line in CODE_STUB]  # noqa: E731
        else:
            stub = lambda indent: list(TEXT_STUB)  # noqa: E731
        if "### BEGIN SOLUTION" not in cell.source and "### END SOLUTION" not in cell.source:
            cell.source = "\n".join(stub(""))
        else:
            cell.source = replace_regions(cell.source, "### BEGIN SOLUTION", "### END SOLUTION", stub, where)
    return nb
