"""Public tests of exercise 02, "09:30, last night's batch broke the pipeline".

They run in your kernel when you call check("name"), and again at grading, where hidden
tests also run on another day's batch, broken in other ways.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from grader import LearnerError
from grader.data import data_path, load_prediction_log, load_transactions
from grader.testing import assert_equal, assert_frame_close, expect_keys, expect_type, fail

HINTS = {
    "validate_batch": [
        "Loop over the schema's columns first (missing? wrong dtype? then the value checks), "
        "then over the batch's columns that the schema does not know (unexpected).",
        "Test the dtype with pandas.api.types (is_integer_dtype, is_numeric_dtype, is_string_dtype, "
        "is_datetime64_any_dtype) and never convert the column: a text column of numbers is one "
        "'dtype' problem, and nothing else is checked on that column.",
        "Run the value checks on s.dropna(): missing values are the 'null' check's business only, "
        "and each failing check gives one line however many rows fail it.",
    ],
    "detect_unit_change": [
        "Compare a typical value, not the whole distribution: real drift moves amounts by less than "
        "a factor of 2, a change of units by a power of ten.",
        "Use Series.median(), which skips missing values (numpy's median of an array with a NaN is NaN), "
        "and which a few extreme rows cannot move.",
        "Flag the ratio in both directions: ratio >= 10 or ratio <= 0.1.",
    ],
    "parse_decimal_commas": [
        "Check every non-missing value against the format first (re.fullmatch, or Series.str.fullmatch), "
        "and only then convert.",
        "The format is the regular expression r'-?(\\d{1,3}(\\.\\d{3})+|\\d+)(,\\d+)?'. Once a value matches it, "
        "remove the '.' thousands separators, then turn the ',' into '.'; never replace ',' by '' "
        "(that turns 12,50 into 1250: the cents bug again).",
        "Collect every value that fails the format and raise ValueError(f\"... {bad}\") once, "
        "naming them all; keep the missing values as NaN and keep the index.",
    ],
    "align_features": [
        "Select by name: X[feature_names] puts the columns in the order of feature_names, whatever "
        "order X has them in. Never use positions (iloc).",
        "Before selecting, list the names that are not in X.columns, and raise KeyError naming all of "
        "them. reindex() would fill them with NaN without a word.",
    ],
    "train_test_overlap": [
        "Count rows of test, not distinct keys: a test row that appears twice counts twice.",
        "Compare the key columns only (other columns may differ between the copies). Beware of a plain "
        "merge: it multiplies the rows when train has a key several times.",
        "pd.MultiIndex.from_frame(test[keys]).isin(pd.MultiIndex.from_frame(train[keys])) is one boolean per test row.",
    ],
}

CHECKS = ("missing", "unexpected", "dtype", "null", "allowed", "range", "unique")

#: The schema of the incident notebook (a copy: the tests never read the notebook's own).
SCHEMA = {
    "transaction_id": {"dtype": "int", "min": 0, "unique": True},
    "timestamp": {"dtype": "datetime"},
    "customer_id": {"dtype": "int", "min": 0},
    "terminal_id": {"dtype": "int", "min": 0},
    "channel": {"dtype": "str", "allowed": ["pos", "online", "atm"]},
    "merchant_category": {
        "dtype": "str",
        "allowed": ["grocery", "restaurants", "fuel", "fashion", "electronics", "travel"],
    },
    "amount": {"dtype": "float", "min": 0.5, "max": 5000.0},
    "customer_avg_amount_30d": {"dtype": "float", "min": 0.5, "max": 5000.0, "nullable": True},
}


def problems_of(lines, what: str, hint: str = "") -> Counter:
    """The (column, check) pairs that validate_batch's lines name, counted."""
    expect_type(lines, list, what, hint)
    pairs = Counter()
    for line in lines:
        expect_type(line, str, f"a line of {what}", hint)
        column, sep, rest = line.partition(":")
        match = re.match(r"\s*([A-Za-z]+)", rest)
        if not sep or not column.strip() or not match:
            fail(f"{what}: the line {line!r} does not start with '<column>: <check>'", hint)
        check = match.group(1).lower()
        if check not in CHECKS:
            fail(f"{what}: the line {line!r} names the check {check!r}; the checks are {', '.join(CHECKS)}", hint)
        pairs[(column.strip(), check)] += 1
    return pairs


def assert_problems(lines, expected, what: str, hint: str = ""):
    """Fail unless the lines name exactly the expected (column, check) pairs, one line each."""
    got = problems_of(lines, what, hint)
    repeated = sorted(pair for pair, n in got.items() if n > 1)
    if repeated:
        fail(f"{what} has more than one line for {repeated}; expected one line per (column, check)", hint)
    expected = set(expected)
    missing, extra = sorted(expected - set(got)), sorted(set(got) - expected)
    if missing or extra:
        parts = [f"missing: {missing}" if missing else "", f"not expected: {extra}" if extra else ""]
        fail(
            f"{what} named the problems {sorted(got)}; expected exactly {sorted(expected)} "
            f"({'; '.join(p for p in parts if p)})",
            hint,
        )


def raised(call, what: str, hint: str = "") -> str:
    """The message of the exception that the learner's ``call()`` raised; fail if it returned."""
    try:
        value = call()
    except LearnerError as exc:
        return exc.message
    fail(f"{what} returned {describe(value)}; expected it to raise", hint)


def describe(value) -> str:
    """What a value is, without its data."""
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of shape {value.shape} with the columns {list(value.columns)}"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value)} values"
    return f"a {type(value).__name__}"


def expect_raised(message: str, exception: str, names, what: str, hint: str = ""):
    """Fail unless ``message`` says ``exception`` was raised and names each of ``names``."""
    if f"raised {exception}" not in message:
        fail(f"{what} should raise {exception}; it failed with: {message[:300]}", hint)
    unnamed = [n for n in names if n not in message]
    if unnamed:
        fail(f"{what} raised {exception}, but its message does not name {unnamed}: {message[:300]}", hint)


# --- validate_batch -----------------------------------------------------------------


@pytest.mark.question("validate_batch", points=1)
def test_finds_each_kind_of_problem(learner):
    """Finds one problem of each kind in a small hand-made batch."""
    schema = {
        "id": {"dtype": "int", "unique": True},
        "ts": {"dtype": "datetime"},
        "amount": {"dtype": "float", "min": 0.5, "max": 5000.0},
        "avg": {"dtype": "float", "min": 0.5, "nullable": True},
        "channel": {"dtype": "str", "allowed": ["pos", "online", "atm"]},
        "category": {"dtype": "str", "allowed": ["grocery", "fuel"]},
    }
    df = pd.DataFrame(
        {
            "id": [1, 2, 2, 3],
            "ts": pd.to_datetime(["2024-05-03 08:00", "2024-05-03 09:00", "2024-05-03 09:00", "2024-05-03 10:00"]),
            "amount": [12.5, 7000.0, 7000.0, 3.0],
            "avg": ["12,50", "3,00", None, "1,00"],
            "channel": ["pos", "contactless", "contactless", None],
            "cat": ["grocery", "fuel", "fuel", "grocery"],
        }
    )
    expected = [
        ("id", "unique"),
        ("amount", "range"),
        ("avg", "dtype"),
        ("channel", "allowed"),
        ("channel", "null"),
        ("category", "missing"),
        ("cat", "unexpected"),
    ]
    assert_problems(
        learner.validate_batch(df, schema),
        expected,
        "validate_batch(df, schema) on a 4-row batch",
        hint="one line per failing (column, check); a column of the wrong dtype gets its 'dtype' line "
        "and no other check; a column the schema does not list is 'unexpected'",
    )


@pytest.mark.question("validate_batch", points=1)
def test_clean_data_has_no_problems(learner):
    """Reports nothing for clean data: nullable columns, Int64 labels, pandas strings."""
    log = load_prediction_log()
    clean = log[log["timestamp"] >= "2024-05-20"]
    schema = {name: spec for name, spec in SCHEMA.items() if name != "customer_avg_amount_30d"}
    schema["score"] = {"dtype": "float", "min": 0.0, "max": 1.0}
    schema["label"] = {"dtype": "int", "allowed": [0, 1], "nullable": True}
    assert_problems(
        learner.validate_batch(clean, schema),
        [],
        "validate_batch(the prediction log from 2024-05-20, schema)",
        hint="pandas 3 reads text as the 'str' dtype, not object: use pd.api.types.is_string_dtype; "
        "'label' is nullable, so its missing values are no problem, and 'allowed' ignores missing values",
    )


@pytest.mark.question("validate_batch", points=1)
def test_finds_last_nights_problems(learner):
    """Finds the six problems of last night's batch."""
    batch = pd.read_csv(data_path("batch_2024-05-03.csv"), parse_dates=["timestamp"])
    expected = [
        ("merchant_category", "missing"),
        ("merchant_cat", "unexpected"),
        ("customer_avg_amount_30d", "dtype"),
        ("amount", "range"),
        ("channel", "allowed"),
        ("transaction_id", "unique"),
    ]
    assert_problems(
        learner.validate_batch(batch, SCHEMA),
        expected,
        "validate_batch(batch, SCHEMA) on last night's batch",
        hint="a 'float' column accepts integers (a CSV of whole numbers reads as int64): the amounts in "
        "cents are a 'range' problem, not a 'dtype' one",
    )


# --- detect_unit_change -------------------------------------------------------------


@pytest.mark.question("detect_unit_change", points=1)
def test_flags_powers_of_ten_both_ways(learner):
    """Flags x100 and /100 (with missing values), not x1.8 or no change."""
    reference = pd.DataFrame(
        {
            "up": [10.0, 20.0, 30.0, 40.0, 1000.0],
            "down": [100.0, 200.0, 300.0, np.nan, 500.0],
            "drift": [10.0, 20.0, 30.0, 40.0, 50.0],
            "same": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    batch = pd.DataFrame(
        {
            "up": [2000.0, np.nan, 3000.0, 4000.0],  # median 3000 vs 30: x100
            "down": [2.0, 3.0, 4.0, np.nan],  # median 3 vs 250: /83
            "drift": [36.0, 54.0, 72.0, np.nan],  # median 54 vs 30: x1.8
            "same": [2.0, 3.0, 4.0, 1000.0],  # median 3.5 vs 3
        }
    )
    got = learner.detect_unit_change(reference, batch, ["up", "down", "drift", "same"])
    what = "detect_unit_change(reference, batch, ['up', 'down', 'drift', 'same'])"
    hint = "ratio = batch[col].median() / reference[col].median() (missing values skipped); flag ratio >= 10 or <= 0.1"
    expect_keys(got, ["up", "down", "drift", "same"], what, hint)
    expected = {"up": True, "down": True, "drift": False, "same": False}
    for column, flag in expected.items():
        expect_type(got[column], (bool, np.bool_), f"{what}[{column!r}]", hint)
        assert_equal(bool(got[column]), flag, f"{what}[{column!r}]", hint)


@pytest.mark.question("detect_unit_change", points=1)
def test_real_drift_is_not_a_unit_change(learner):
    """Does not flag the real 1.8x drift of 2024-05-11; flags the same amounts in cents."""
    tx = load_transactions()
    before = tx[tx["timestamp"] < "2024-05-11"]
    after = tx[tx["timestamp"] >= "2024-05-11"]
    what = "detect_unit_change(before the drift, after the drift, ['amount'])"
    hint = "amounts grew 1.8x on 2024-05-11: that is drift, not a change of units; only a factor of 10 or more is"
    got = learner.detect_unit_change(before, after, ["amount"])
    expect_keys(got, ["amount"], what, hint)
    assert_equal(bool(got["amount"]), False, f"{what}['amount']", hint)
    cents = after.assign(amount=(after["amount"] * 100).round())
    what = "detect_unit_change(before the drift, after the drift in cents, ['amount'])"
    got = learner.detect_unit_change(before, cents, ["amount"])
    expect_keys(got, ["amount"], what, hint)
    assert_equal(bool(got["amount"]), True, f"{what}['amount']", "a factor of 180 is a change of units")


# --- parse_decimal_commas -----------------------------------------------------------


def _count(n, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def assert_parsed(got, values: pd.Series, expected: pd.Series, what: str, hint: str, show: bool = True):
    """Fail unless ``got`` is the float Series ``expected`` that the text ``values`` stands for.

    With ``show=False`` (hidden data) the message counts the wrong values without showing them.
    """
    expect_type(got, pd.Series, what, hint)
    if not pd.api.types.is_float_dtype(got):
        fail(f"{what} has dtype {got.dtype}; expected a float dtype", hint)
    if len(got) == len(expected) and list(got.index) == list(expected.index):
        lost = (got.isna() & expected.notna()).to_numpy()
        wrong = ~np.isclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-9, equal_nan=True)
        if lost.any():
            shown = f" {values[lost].tolist()[:5]}; expected {expected[lost].tolist()[:5]}" if show else ""
            fail(f"{what} gave NaN for {_count(lost.sum(), 'valid value')}{shown}", hint)
        if not show and wrong.any():
            fail(f"{what} is wrong for {wrong.sum()} of {_count(len(expected), 'value')}", hint)
    assert_frame_close(got.to_frame("value"), expected.to_frame("value"), what, hint=hint)
    assert_equal(got.name, expected.name, f"{what}.name", hint)


@pytest.mark.question("parse_decimal_commas", points=1)
def test_parses_decimal_commas(learner):
    """Reads 12,50 as 12.5 and 1.234,50 as 1234.5; keeps NaN, the index and the name."""
    values = pd.Series(
        ["12,50", "7", "1.234,50", "-3,5", None, "0,05", "1.000", " 8,25 "],
        index=[15, 11, 12, 13, 14, 10, 16, 17],
        name="customer_avg_amount_30d",
    )
    expected = pd.Series(
        [12.5, 7.0, 1234.5, -3.5, np.nan, 0.05, 1000.0, 8.25], index=values.index, name=values.name
    )
    assert_parsed(
        learner.parse_decimal_commas(values),
        values,
        expected,
        "parse_decimal_commas(values)",
        "'.' separates thousands and ',' separates decimals; missing values stay NaN, the index and name stay",
    )


@pytest.mark.question("parse_decimal_commas", points=1)
def test_rejects_what_it_cannot_read(learner):
    """Raises ValueError naming every value it cannot read, instead of guessing."""
    values = pd.Series(["12,50", "n/a", "12.50", "3,00", "1,2,3"], name="avg")
    what = "parse_decimal_commas(['12,50', 'n/a', '12.50', '3,00', '1,2,3'])"
    hint = "check every value against the format before converting any; '12.50' is not 12,50 written another way, it is invalid"
    message = raised(lambda: learner.parse_decimal_commas(values), what, hint)
    expect_raised(message, "ValueError", ["n/a", "12.50", "1,2,3"], what, hint)


# --- align_features -----------------------------------------------------------------


@pytest.mark.question("align_features", points=1)
def test_selects_and_orders_by_name(learner):
    """Returns the named columns, in the given order, by name, index kept."""
    X = pd.DataFrame(
        {
            "amount": [12.5, 7.0, 300.0],
            "transaction_id": [7, 8, 9],
            "customer_avg_amount_30d": [10.0, 8.0, 40.0],
            "merchant_risk": [0.1, 0.2, 0.3],
        },
        index=[30, 10, 20],
    )
    names = ["merchant_risk", "amount", "customer_avg_amount_30d"]
    assert_frame_close(
        learner.align_features(X, names),
        X[names],
        "align_features(X, ['merchant_risk', 'amount', 'customer_avg_amount_30d'])",
        hint="select the columns by name, in the order of feature_names; keep X's index and values",
    )


@pytest.mark.question("align_features", points=1)
def test_names_every_missing_column(learner):
    """Raises KeyError naming every missing feature."""
    X = pd.DataFrame({"amount": [12.5, 7.0], "channel_type": ["pos", "atm"], "merchant_risk": [0.1, 0.2]})
    names = ["amount", "customer_avg_amount_30d", "merchant_risk", "hour_of_day"]
    what = "align_features(X, names) with customer_avg_amount_30d and hour_of_day missing from X"
    hint = "collect every name of feature_names that is not in X.columns, then raise KeyError naming them all"
    message = raised(lambda: learner.align_features(X, names), what, hint)
    expect_raised(message, "KeyError", ["customer_avg_amount_30d", "hour_of_day"], what, hint)


# --- train_test_overlap -------------------------------------------------------------


@pytest.mark.question("train_test_overlap", points=1)
def test_counts_test_rows(learner):
    """Counts rows of test, repeated keys included, each once."""
    train = pd.DataFrame({"transaction_id": [1, 2, 2, 3, 7], "amount": [1.0, 2.0, 2.0, 3.0, 7.0]})
    test = pd.DataFrame({"transaction_id": [2, 2, 2, 3, 4, 5], "amount": [2.0, 2.0, 2.0, 3.0, 4.0, 5.0]})
    got = learner.train_test_overlap(train, test, ["transaction_id"])
    what = "train_test_overlap(train ids [1, 2, 2, 3, 7], test ids [2, 2, 2, 3, 4, 5], ['transaction_id'])"
    hint = "one count per row of test whose key is anywhere in train: 2, 2, 2 and 3; a merge would count 2 twice per copy"
    expect_type(got, (int, np.integer), what, hint)
    assert_equal(int(got), 4, what, hint)


@pytest.mark.question("train_test_overlap", points=1)
def test_compares_only_the_keys(learner):
    """Matches on all the key columns together, and on nothing else."""
    train = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "timestamp": pd.to_datetime(["2024-05-02 22:00", "2024-05-02 23:00", "2024-05-02 22:30"]),
            "amount": [12.5, 40.0, 8.0],
        }
    )
    test = pd.DataFrame(
        {
            "customer_id": [1, 2, 1, 3],
            "timestamp": pd.to_datetime(["2024-05-02 22:00", "2024-05-02 23:00", "2024-05-03 09:00", "2024-05-02 22:30"]),
            "amount": [1250.0, 40.0, 5.0, 8.0],  # the first row is train's first row, in cents
        }
    )
    got = learner.train_test_overlap(train, test, ["customer_id", "timestamp"])
    what = "train_test_overlap(train, test, ['customer_id', 'timestamp'])"
    hint = "a row matches when all its key columns together equal those of a train row; the amount is not a key (the copy is in cents)"
    expect_type(got, (int, np.integer), what, hint)
    assert_equal(int(got), 1, what, hint)
