"""The hints of an exercise: ``HINTS`` in its public test file."""

from __future__ import annotations

import functools
import importlib.util


@functools.cache
def load_hints(public_tests) -> dict[str, list[str]]:
    """question -> hints, from the public test file at ``public_tests`` (empty if none)."""
    if not public_tests.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"mlday_hints_{public_tests.stem}", public_tests)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    hints = getattr(module, "HINTS", {})
    return {str(k): [str(h) for h in v] for k, v in hints.items()} if isinstance(hints, dict) else {}
