"""Load an exercise's public test file as a module, once per process.

Hints come from it, and hidden tests reuse its helpers instead of copies.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


@functools.cache
def load_public_module(path: Path):
    """The module of the public test file at ``path``."""
    spec = importlib.util.spec_from_file_location(f"mlday_public_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
