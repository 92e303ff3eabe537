"""The reference solution, run in the trusted process, its answers computed once per run.

The solution cells of a source notebook are executed here (they are trusted code),
and every call is memoised on its arguments, so grading a class computes each
reference value once, not once per submission.
"""

from __future__ import annotations

import copy
import hashlib
import functools
import re
import types
from pathlib import Path

from ._outcomes import Ungradable

_TEST_FILE = re.compile(r"^test_(\d\d_[a-z0-9_]+?)(?:_hidden)?$")


def exercise_of_test_file(path: Path) -> str:
    """The exercise a test file belongs to, from its name."""
    match = _TEST_FILE.match(Path(path).stem)
    if not match:
        raise Ungradable(f"cannot tell the exercise of the test file {Path(path).name}")
    return match.group(1)


def reference_for_test_file(path: Path) -> "Reference":
    """The reference of the exercise that the test file ``path`` belongs to."""
    from ._exercises import Exercise
    from ._paths import project_root

    root = project_root(Path(path).parent)
    return load_reference(Exercise(exercise_of_test_file(path), root).source)


@functools.cache
def load_reference(source: Path) -> "Reference":
    """Execute the solution cells of ``source`` once per process."""
    from ._notebook import is_solution, read_notebook
    from ._worker._cells import strip_magics

    if not source.is_file():
        raise Ungradable(f"the reference solution {source.name} is not available here")
    nb = read_notebook(source)
    module = types.ModuleType(f"mlday_reference_{source.stem}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and is_solution(cell):
            code = compile(strip_magics(cell.source), f"<reference {source.stem} cell {index}>", "exec")
            exec(code, module.__dict__)  # noqa: S102 - the instructor's own solution
    return Reference(module.__dict__)


class Reference:
    """The reference namespace; calls are memoised on their arguments and return copies."""

    def __init__(self, namespace: dict):
        self._namespace = namespace
        self._memo: dict = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            value = self._namespace[name]
        except KeyError:
            raise Ungradable(f"the reference solution does not define {name}") from None
        if isinstance(value, type) or not callable(value):
            return value
        return functools.partial(self._call, name, value)

    def _call(self, name, fn, *args, **kwargs):
        key = (name, tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        try:
            hit = key in self._memo
        except TypeError:  # an unhashable key part: just compute
            return fn(*args, **kwargs)
        if not hit:
            # keep the arguments alive: keys hold their ids
            self._memo[key] = (fn(*args, **kwargs), args, kwargs)
        return copy.deepcopy(self._memo[key][0])


def _key(value):
    # Data is keyed by content, so that a fresh copy of the same data hits the memo.
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((_key(k), _key(v)) for k, v in value.items()))
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and hasattr(value, "dtypes"):
        import pandas as pd

        digest = int(pd.util.hash_pandas_object(value, index=True).sum())
        columns = tuple(map(str, value.columns if hasattr(value, "columns") else [value.name]))
        return ("pandas", type(value).__name__, value.shape, columns, str(value.dtypes), digest)
    if module == "numpy" and hasattr(value, "tobytes"):
        return ("numpy", value.dtype.str, value.shape, hashlib.sha1(value.tobytes()).hexdigest())
    return ("id", id(value))
