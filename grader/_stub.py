"""The stub that replaces a solution region, and how to recognise it in a value."""

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)


def is_stub_text(value) -> bool:
    """True for a string that still holds the code stub: a region inside a string
    literal (a SQL query, say) released as the stub, so that the cell still runs."""
    return isinstance(value, str) and all(line in value for line in CODE_STUB)
