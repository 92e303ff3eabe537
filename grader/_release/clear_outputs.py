"""Clear outputs and execution counts."""


def clear_outputs(nb):
    """Every code cell starts unexecuted."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb
