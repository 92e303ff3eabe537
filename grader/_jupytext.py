"""Notebooks as jupytext percent scripts (``# %%`` cells), for learners who work in an editor.

jupytext is in the "jupyter" extra; without it a ``.py`` notebook gets one clear error.
The nbgrader metadata of each cell rides in its ``# %%`` line, so grade_ids, locks and
checksums survive the round trip.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._errors import MldayError

__all__ = ["SUFFIX", "from_percent", "is_percent_script", "to_percent"]

#: The suffix of a percent script.
SUFFIX = ".py"

_CELL_MARKER = re.compile(r"^# %%", re.MULTILINE)

# All the notebook's metadata goes in the script's header (mlday's exercise name
# included), but not jupytext's version: the same notebook always makes the same text.
_WRITE_FORMAT = {
    "extension": SUFFIX,
    "format_name": "percent",
    "notebook_metadata_filter": "all,-jupytext.text_representation.jupytext_version",
}


def _jupytext(path):
    try:
        import jupytext
    except ImportError:
        raise MldayError(
            f"{path}: a .py notebook needs jupytext, which is not installed; "
            "install it with: pip install 'mlday[jupyter]'"
        ) from None
    return jupytext


def has_cell_markers(text: str) -> bool:
    """True when ``text`` has at least one percent cell marker (a line starting ``# %%``)."""
    return bool(_CELL_MARKER.search(text))


def is_percent_script(path: Path) -> bool:
    """True for a readable ``.py`` file with percent cell markers."""
    path = Path(path)
    if path.suffix != SUFFIX or not path.is_file():
        return False
    try:
        return has_cell_markers(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False


def from_percent(text: str, path="<text>"):
    """The notebook a percent script holds (not yet validated); MldayError if it holds none."""
    if not has_cell_markers(text):
        raise MldayError(f"{path}: not a jupytext percent notebook (no '# %%' cell markers)")
    jupytext = _jupytext(path)
    try:
        return jupytext.reads(text, fmt="py:percent")
    except Exception as exc:  # noqa: BLE001 - jupytext raises several types for bad headers
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MldayError(f"{path}: not a valid jupytext notebook ({first})") from None


def to_percent(nb, path="<notebook>") -> str:
    """The percent script of notebook ``nb``, with its cell and notebook metadata."""
    return _jupytext(path).writes(nb, fmt=dict(_WRITE_FORMAT))
