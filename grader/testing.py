"""Assertions for exercise tests: each failure says what was expected and what was received.

Every helper takes ``what`` (how the message names the value, e.g.
``"daily_metrics(log, '2024-05-02')['precision']"``) and an optional ``hint`` that is
appended to the message. They raise AssertionError, which grading reports as
"failed" with exactly that message.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterable, Mapping

# Set by the pytest plugin while a hidden test runs. A hidden test's values come from
# the hidden data, and the learner's code can echo its inputs back in what it returns:
# its messages name what differs, never the values.
HIDDEN_VALUES = contextvars.ContextVar("mlday_hidden_values", default=False)
NOT_SHOWN = "(not shown)"
NOT_SHOWN_NOTE = "values are not shown for hidden tests"

__all__ = [
    "expect_type",
    "expect_keys",
    "assert_close",
    "assert_dict_close",
    "assert_equal",
    "assert_frame_close",
    "fail",
    "public_tests",
]


def public_tests(hidden_test_file):
    """The public test module of the exercise that ``hidden_test_file`` belongs to, so
    that hidden tests reuse its helpers and HINTS (call it with ``__file__``)."""
    from pathlib import Path

    from ._public import load_public_module
    from ._reference import exercise_of_test_file

    path = Path(hidden_test_file).resolve()
    exercise = exercise_of_test_file(path)
    return load_public_module(path.parents[2] / "exercises" / "tests" / f"test_{exercise}.py")


def fail(message: str, hint: str = ""):
    """Fail the test with ``message`` (and the hint)."""
    if NOT_SHOWN in message:
        message += f" ({NOT_SHOWN_NOTE})"
    raise AssertionError(message + (f"\nHint: {hint}" if hint else ""))


def _sp(value) -> str:
    """" value" after a type's name, or nothing in a hidden test (the type says enough)."""
    return "" if HIDDEN_VALUES.get() else f" {_short(value)}"


def _v(value, spec: str = "") -> str:
    """A value as a message shows it: formatted with ``spec`` (else a short repr), or
    not at all in a hidden test."""
    if HIDDEN_VALUES.get():
        return NOT_SHOWN
    return format(value, spec) if spec else _short(value)


def _tname(value) -> str:
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def _plain(value):
    # numpy 2 reprs scalars as np.float64(1.5): show learners the plain value.
    # Only numpy's own scalars: never ask a learner's object (a handle) for attributes.
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        return value.item()
    return value


def _short(value, limit: int = 120) -> str:
    text = repr(_plain(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expect_type(value, types, what: str, hint: str = ""):
    """Fail unless ``value`` is an instance of ``types`` (a type or a tuple of types)."""
    types = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types):
        names = " or ".join(t.__name__ for t in types)
        fail(f"{what} is {_a(_tname(value))}; expected {_a(names)}", hint)
    return value


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeio" or noun.startswith("nd") else f"a {noun}"


def expect_keys(mapping: Mapping, keys: Iterable, what: str, hint: str = ""):
    """Fail unless ``mapping`` has exactly ``keys``; name the missing and the extra ones."""
    expect_type(mapping, dict, what, hint)
    want, got = list(keys), list(mapping)
    missing = [k for k in want if k not in mapping]
    extra = [k for k in got if k not in set(want)]
    if missing or extra:
        parts = [f"missing {_v(missing)}" if missing else "", f"unexpected {_v(extra)}" if extra else ""]
        fail(f"{what} has keys {_v(sorted(map(str, got)))}; expected exactly {_v(sorted(map(str, want)))} ({', '.join(p for p in parts if p)})", hint)
    return mapping


def _is_nan(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or bool(x != x)
    except (TypeError, ValueError):
        return False


def assert_close(got, expected, what: str, *, rtol: float = 1e-6, atol: float = 1e-9, hint: str = ""):
    """Fail unless the number ``got`` is within tolerance of ``expected``; NaN equals NaN."""
    if isinstance(got, bool) or not isinstance(got, (int, float)) and not hasattr(got, "__float__"):
        fail(f"{what} is {_v(got)} ({_tname(got)}); expected a number close to {_v(expected)}", hint)
    got_f, exp_f = float(got), float(expected)
    if math.isnan(exp_f) or math.isnan(got_f):
        if math.isnan(exp_f) and math.isnan(got_f):
            return
        fail(f"{what}: expected {_v(exp_f)}, got {_v(got_f)}", hint)
    tol = atol + rtol * abs(exp_f)
    if not abs(got_f - exp_f) <= tol:
        fail(f"{what}: expected {_v(exp_f, '.6g')}, got {_v(got_f, '.6g')} (abs error {_v(abs(got_f - exp_f), '.3g')} > tolerance {tol:.3g})", hint)


def assert_dict_close(
    got, expected: Mapping, what: str, *, rtol: float = 1e-6, atol: float = 1e-9, exact_types: bool = False, hint: str = ""
):
    """Fail unless ``got`` has ``expected``'s keys and close values.

    With ``exact_types``, each value must also be of the same plain Python type as expected
    (a numpy float where a float is expected fails).
    """
    expect_keys(got, expected.keys(), what, hint)
    for key, exp in expected.items():
        value = got[key]
        item = f"{what}[{key!r}]"
        if exact_types and type(value) is not type(exp):
            fail(f"{item} is {_a(_tname(value))}; expected a plain Python {type(exp).__name__}", hint)
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            assert_close(value, exp, item, rtol=rtol, atol=atol, hint=hint)
        else:
            assert_equal(value, exp, item, hint=hint)


def assert_equal(got, expected, what: str, hint: str = ""):
    """Fail unless ``got == expected`` (compared here, on decoded plain data)."""
    if type(got) is not type(expected) and not (isinstance(got, (int, float)) and isinstance(expected, (int, float))):
        fail(f"{what} is {_a(_tname(got))}{_sp(got)}; expected {_a(_tname(expected))}{_sp(expected)}", hint)
    if not _equal(got, expected):
        if isinstance(expected, (list, tuple)) and len(got) != len(expected):
            fail(f"{what}: expected {len(expected)} items {_v(expected)}, got {len(got)} items {_v(got)}", hint)
        fail(f"{what}: expected {_v(expected)}, got {_v(got)}", hint)


def _equal(got, expected) -> bool:
    # Learner data can make == raise (a list holding an array): that is a wrong answer,
    # not a fault of the grader.
    try:
        return bool(got == expected)
    except Exception:  # noqa: BLE001
        return False


def assert_frame_close(
    got,
    expected,
    what: str,
    *,
    check_index: bool = True,
    check_column_order: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str = "",
):
    """Fail unless the DataFrame ``got`` matches ``expected``: shape, columns, index, values.

    Numbers are compared within tolerance (NaN equals NaN); dtypes need only be
    compatible (an int64 column may be Int64 or float with whole values).
    """
    import numpy as np
    import pandas as pd

    expect_type(got, pd.DataFrame, what, hint)
    if got.shape[1] != expected.shape[1] or set(map(str, got.columns)) != set(map(str, expected.columns)):
        fail(f"{what}: expected columns {_v(list(expected.columns))}, got {_v(list(got.columns))}", hint)
    if check_column_order and list(got.columns) != list(expected.columns):
        fail(f"{what}: expected the columns in the order {_v(list(expected.columns))}, got {_v(list(got.columns))}", hint)
    if got.shape[0] != expected.shape[0]:
        fail(f"{what}: expected {expected.shape[0]} rows, got shape {got.shape}", hint)
    if check_index:
        if list(got.index.names) != list(expected.index.names):
            fail(f"{what}: expected the index named {_v(list(expected.index.names))}, got {_v(list(got.index.names))}", hint)
        if list(got.index) != list(expected.index):
            diff = next(i for i, (a, b) in enumerate(zip(got.index, expected.index)) if a != b)
            fail(
                f"{what}: expected the rows in the order {_v(list(expected.index))}, got {_v(list(got.index))} "
                f"(first difference at position {diff}: expected {_v(expected.index[diff])}, got {_v(got.index[diff])})",
                hint,
            )
    for col in expected.columns:
        exp, act = expected[col].reset_index(drop=True), got[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(exp) and not pd.api.types.is_bool_dtype(exp):
            if not pd.api.types.is_numeric_dtype(act) or pd.api.types.is_bool_dtype(act):
                fail(f"{what}: column {col!r} should be numeric, got dtype {act.dtype}", hint)
            e = exp.astype("float64").to_numpy(na_value=np.nan)
            a = act.astype("float64").to_numpy(na_value=np.nan)
            nan_mismatch = np.isnan(e) != np.isnan(a)
            if nan_mismatch.any():
                i = int(np.argmax(nan_mismatch))
                fail(f"{what}: column {col!r} at row {_v(got.index[i])}: expected {_v(e[i])}, got {_v(a[i])}", hint)
            both = ~np.isnan(e)
            err = np.abs(a[both] - e[both])
            tol = atol + rtol * np.abs(e[both])
            if (err > tol).any():
                i = int(np.flatnonzero(both)[np.argmax(err - tol)])
                fail(
                    f"{what}: column {col!r}: max abs error {_v(err.max(), '.3g')} > tolerance {tol.max():.3g} "
                    f"(at row {_v(got.index[i])}: expected {_v(e[i], '.6g')}, got {_v(a[i], '.6g')})",
                    hint,
                )
        else:
            mismatch = ~((exp == act) | (exp.isna() & act.isna())).fillna(False).to_numpy(dtype=bool)
            if mismatch.any():
                i = int(np.argmax(mismatch))
                fail(f"{what}: column {col!r} at row {_v(got.index[i])}: expected {_v(exp[i])}, got {_v(act[i])}", hint)
