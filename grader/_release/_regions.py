"""Find ``### BEGIN X`` / ``### END X`` regions in a cell's source."""

from __future__ import annotations

from .._errors import MldayError


def replace_regions(source: str, begin: str, end: str, replace, where: str) -> str:
    """Replace every begin/end region of ``source`` (marker lines included) by
    ``replace(indent)``, a list of lines or an empty list.

    A marker line may carry a prefix, such as SQL's ``--`` inside a query string.
    """
    out: list[str] = []
    inside, indent = False, ""
    for line in source.splitlines():
        marker = line.strip()
        if marker.endswith(begin):
            if inside:
                raise MldayError(f"{where}: '{begin}' inside another region")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.extend(replace(indent))
        elif marker.endswith(end):
            if not inside:
                raise MldayError(f"{where}: '{end}' without '{begin}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MldayError(f"{where}: '{begin}' is never closed by '{end}'")
    return "\n".join(out)
