"""The reference solution, run in the trusted process, its answers computed once per run.

The solution cells of a source notebook are executed here (they are trusted code),
and every call is memoised on its arguments' content, so grading a class computes
each reference value once, not once per submission; the run's grading processes share
what they computed (:mod:`grader._shared_memo`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import types
from collections import OrderedDict
from pathlib import Path

from ._outcomes import Ungradable
from ._shared_memo import get_or_compute

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
    return Reference(module.__dict__, label=source.stem)


class Reference:
    """The reference namespace; calls are memoised on their arguments' content and return copies.

    A value is computed once per process, and once per run when the run shares values
    (:mod:`grader._shared_memo`). The memo here keeps the ``memo_size`` latest values:
    arguments that differ per submission (a learner's model) must not make it grow.
    """

    def __init__(self, namespace: dict, label: str = "reference", memo_size: int = 256):
        self._namespace = namespace
        self._label = label
        self._memo: OrderedDict[str, object] = OrderedDict()
        self._memo_size = memo_size

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
        try:
            key = (self._label, name, tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        except _Unkeyable:
            return fn(*args, **kwargs)
        digest = hashlib.sha256(repr(key).encode()).hexdigest()
        if digest in self._memo:
            self._memo.move_to_end(digest)
        else:
            self._memo[digest] = get_or_compute(digest, lambda: fn(*args, **kwargs))
            if len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
        return copy.deepcopy(self._memo[digest])


class _Unkeyable(Exception):
    """An argument whose content cannot be digested: the call is not memoised."""


def _key(value):
    # Data is keyed by content, so that a fresh copy of the same data hits the memo.
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((_key(k), _key(v)) for k, v in value.items()))
    try:
        module = type(value).__module__.split(".")[0]
        if module == "pandas" and hasattr(value, "dtypes"):
            import pandas as pd

            digest = int(pd.util.hash_pandas_object(value, index=True).sum())
            columns = tuple(map(str, value.columns if hasattr(value, "columns") else [value.name]))
            return ("pandas", type(value).__name__, value.shape, columns, str(value.dtypes), tuple(map(str, value.index.names)), digest)
        if module == "numpy" and hasattr(value, "tobytes"):
            return ("numpy", value.dtype.str, value.shape, hashlib.sha1(value.tobytes()).hexdigest())
        # Anything else (a fitted estimator, a random generator) by its pickled state.
        import joblib

        return (type(value).__qualname__, joblib.hash(value))
    except Exception as exc:  # noqa: BLE001 - unhashable content, an object that will not pickle
        raise _Unkeyable(type(value).__name__) from exc
