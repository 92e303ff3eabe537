"""The hints of an exercise: ``HINTS`` in its public test file."""

from __future__ import annotations

from pathlib import Path

from ._public import load_public_module


def load_hints(public_tests: Path) -> dict[str, list[str]]:
    """question -> hints, from the public test file at ``public_tests`` (empty if none)."""
    if not public_tests.is_file():
        return {}
    hints = getattr(load_public_module(public_tests), "HINTS", {})
    return {str(k): [str(h) for h in v] for k, v in hints.items()} if isinstance(hints, dict) else {}
