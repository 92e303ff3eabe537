"""Hidden tests of exercise 02: another day of the hidden data, broken in other ways.

The hidden batch is 2024-06-10 of the hidden seed (after its drift on 2024-06-01):
other columns renamed (channel, terminal_id), the amount as text with decimal commas
and thousands separators, the customer average in cents, timestamps as text, missing
customer ids, an unseen merchant category, ids sent twice with corrected values, and a
replay of the previous evening, once with the original ids and once with new ones.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from grader.data import load_prediction_log, load_transactions
from grader.testing import assert_equal, expect_keys, expect_type, fail, public_tests

_public = public_tests(__file__)
SCHEMA, assert_problems = _public.SCHEMA, _public.assert_problems
raised, expect_raised, assert_parsed = _public.raised, _public.expect_raised, _public.assert_parsed

DAY = pd.Timestamp("2024-06-10")
COLUMNS = [
    "transaction_id", "timestamp", "customer_id", "terminal_id",
    "channel", "merchant_category", "amount", "customer_avg_amount_30d",
]


def customer_avg_amount_30d(tx: pd.DataFrame) -> pd.Series:
    """The customer's mean amount over the 30 days before each payment (as in the notebook)."""
    ordered = tx.sort_values(["customer_id", "timestamp", "transaction_id"])
    means = ordered.set_index("timestamp").groupby("customer_id")["amount"].rolling("30D", closed="left").mean()
    return pd.Series(means.to_numpy(), index=ordered.index).reindex(tx.index).round(2)


@functools.cache
def _hidden_transactions() -> pd.DataFrame:
    tx = load_transactions(hidden=True)
    tx["customer_avg_amount_30d"] = customer_avg_amount_30d(tx)
    return tx


def hidden_transactions() -> pd.DataFrame:
    return _hidden_transactions().copy()


def hidden_training() -> pd.DataFrame:
    tx = hidden_transactions()
    return tx.loc[tx["timestamp"] < DAY, COLUMNS].reset_index(drop=True)


def comma_text(values: pd.Series) -> pd.Series:
    """12.5 -> '12,50', 1234.5 -> '1.234,50'; NaN stays missing."""
    return values.map(lambda v: None if pd.isna(v) else f"{v:,.2f}".translate(str.maketrans(",.", ".,")))


def day_rows(tx: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    return tx.loc[(tx["timestamp"] >= day) & (tx["timestamp"] < day + pd.Timedelta(days=1)), COLUMNS]


def hidden_batch() -> pd.DataFrame:
    """2024-06-10 of the hidden data, broken in the hidden ways (see the module docstring)."""
    rng = np.random.default_rng(610)
    tx = hidden_transactions()
    day = day_rows(tx, DAY)
    replay = tx.loc[(tx["timestamp"] >= DAY - pd.Timedelta(hours=6)) & (tx["timestamp"] < DAY), COLUMNS]
    resent = day.iloc[np.sort(rng.choice(len(day), size=12, replace=False))].copy()
    resent["amount"] = (resent["amount"] * 0.9).round(2)  # a corrected re-send: same id, other values
    resent["timestamp"] += pd.Timedelta(seconds=40)
    batch = pd.concat([replay, day, resent]).sort_values(["timestamp", "transaction_id"], kind="stable")
    batch = batch.reset_index(drop=True)
    rows = rng.permutation(len(batch))
    batch.loc[rows[:5], "merchant_category"] = "gaming"
    batch.loc[rows[5:8], "merchant_category"] = np.nan
    batch["customer_id"] = batch["customer_id"].astype("float64")
    batch.loc[rows[8:10], "customer_id"] = np.nan
    batch["amount"] = comma_text(batch["amount"]).astype("str")
    batch["customer_avg_amount_30d"] = (batch["customer_avg_amount_30d"] * 100).round()
    batch["timestamp"] = batch["timestamp"].dt.strftime("%d/%m/%Y %H:%M:%S").astype("str")
    batch = batch.rename(columns={"channel": "channel_type", "terminal_id": "terminal"})
    return batch[batch.columns[::-1]]


def overlap_batch(new_ids: bool) -> pd.DataFrame:
    """2024-06-10 plus the previous evening sent again (amounts in cents), some rows twice."""
    rng = np.random.default_rng(1610)
    tx = hidden_transactions()
    day = day_rows(tx, DAY)
    replay = tx.loc[(tx["timestamp"] >= DAY - pd.Timedelta(hours=5)) & (tx["timestamp"] < DAY), COLUMNS]
    if new_ids:
        replay = replay.assign(transaction_id=replay["transaction_id"] + 10_000_000)
    twice = pd.concat([replay.iloc[rng.choice(len(replay), size=9, replace=False)], day.iloc[:7]])
    batch = pd.concat([replay, day, twice]).sort_values(["timestamp", "transaction_id"], kind="stable")
    batch["amount"] = (batch["amount"] * 100).round()
    return batch.reset_index(drop=True)


# --- validate_batch -----------------------------------------------------------------


@pytest.mark.question("validate_batch", points=1)
def test_hidden_batch_problems(learner):
    """Finds the eleven problems of another night's batch (hidden data)."""
    expected = [
        ("channel", "missing"),
        ("channel_type", "unexpected"),
        ("terminal_id", "missing"),
        ("terminal", "unexpected"),
        ("amount", "dtype"),  # text with decimal commas
        ("timestamp", "dtype"),  # text
        ("customer_id", "dtype"),  # float: two ids are missing
        ("customer_avg_amount_30d", "range"),  # cents
        ("merchant_category", "allowed"),  # "gaming"
        ("merchant_category", "null"),
        ("transaction_id", "unique"),  # re-sent with corrected values
    ]
    assert_problems(
        learner.validate_batch(hidden_batch(), SCHEMA),
        expected,
        "validate_batch(another night's batch, SCHEMA)",
        hint="check every column of the schema and every column of the batch; an int column with "
        "missing values arrives as float, and that is a 'dtype' problem",
    )


@pytest.mark.question("validate_batch", points=1)
def test_one_line_per_column_and_check(learner):
    """Gives one line per failing check, however many rows fail it (hidden data)."""
    rng = np.random.default_rng(7)
    df = day_rows(hidden_transactions(), DAY).drop(columns="customer_avg_amount_30d").reset_index(drop=True)
    df = pd.concat([df, df.iloc[rng.choice(len(df), size=40, replace=False)]], ignore_index=True)
    rows = rng.permutation(len(df))
    df.loc[rows[:300], "amount"] = df.loc[rows[:300], "amount"] * 1000
    df.loc[rows[300:330], "channel"] = "contactless"
    df.loc[rows[330:345], "channel"] = "wallet"
    df.loc[rows[345:350], "channel"] = "POS"
    schema = {name: spec for name, spec in SCHEMA.items() if name != "customer_avg_amount_30d"}
    assert_problems(
        learner.validate_batch(df, schema),
        [("amount", "range"), ("channel", "allowed"), ("transaction_id", "unique")],
        "validate_batch(a batch with 300 amounts out of range, 40 repeated ids, 3 unseen channels)",
        hint="one line per (column, check): put the count and a few examples in the details",
    )


@pytest.mark.question("validate_batch", points=1)
def test_text_numbers_are_a_dtype_problem(learner):
    """Reports numbers stored as text as a 'dtype' problem, without converting them (hidden data)."""
    rows = day_rows(hidden_transactions(), DAY).dropna().iloc[:300]
    df = pd.DataFrame(
        {
            "transaction_id": rows["transaction_id"].astype(str).to_numpy(),  # "41234": would convert cleanly
            "amount": comma_text(rows["amount"]).astype("str").to_numpy(),  # "12,50": would become NaN
            "customer_avg_amount_30d": rows["customer_avg_amount_30d"].map(lambda v: f"{v:.2f}").to_numpy(),
            "terminal_id": rows["terminal_id"].to_numpy(),
        }
    )
    schema = {
        "transaction_id": {"dtype": "int", "min": 0, "unique": True},
        "amount": {"dtype": "float", "min": 0.5, "max": 5000.0},
        "customer_avg_amount_30d": {"dtype": "float", "min": 0.5, "max": 5000.0},
        "terminal_id": {"dtype": "int", "min": 0},
    }
    assert_problems(
        learner.validate_batch(df, schema),
        [("transaction_id", "dtype"), ("amount", "dtype"), ("customer_avg_amount_30d", "dtype")],
        "validate_batch(ids, amounts and averages stored as text)",
        hint="never convert: pd.to_numeric(errors='coerce') turns '12,50' into NaN and '41234' into a "
        "number, and the problem disappears from the report",
    )


@pytest.mark.question("validate_batch", points=1)
def test_missing_values_follow_nullable(learner):
    """Reports missing values only where the schema forbids them, and only as 'null' (hidden data)."""
    rng = np.random.default_rng(11)
    log = load_prediction_log(hidden=True)
    df = log[log["timestamp"] >= "2024-06-14"].reset_index(drop=True)
    rows = rng.permutation(len(df))
    df.loc[rows[:20], "channel"] = np.nan
    df.loc[rows[20:26], "merchant_category"] = np.nan
    schema = {name: spec for name, spec in SCHEMA.items() if name != "customer_avg_amount_30d"}
    schema["channel"] = dict(schema["channel"], nullable=True)
    schema["score"] = {"dtype": "float", "min": 0.0, "max": 1.0}
    schema["label"] = {"dtype": "int", "allowed": [0, 1], "nullable": True}
    assert_problems(
        learner.validate_batch(df, schema),
        [("merchant_category", "null")],
        "validate_batch(a log with missing channels (nullable), categories (not nullable) and labels (nullable))",
        hint="a missing value is a 'null' problem only when the column is not nullable, and never an 'allowed' one",
    )


# --- detect_unit_change -------------------------------------------------------------


@pytest.mark.question("detect_unit_change", points=1)
def test_hidden_unit_changes(learner):
    """Flags cents, /100 and x1000 (with missing values), not the drift (hidden data)."""
    tx = hidden_transactions()
    before, after = tx[tx["timestamp"] < "2024-06-01"], tx[tx["timestamp"] >= "2024-06-01"].reset_index(drop=True)
    gaps = np.random.default_rng(3).random(len(after)) < 0.05
    columns = ["amount", "customer_avg_amount_30d"]
    variants = [  # (what the batch is, the batch, the expected flags)
        ("after the drift", after, {"amount": False, "customer_avg_amount_30d": False}),
        (
            "amount in cents with 5% missing, average /100",
            after.assign(
                amount=(after["amount"] * 100).round().mask(gaps),
                customer_avg_amount_30d=after["customer_avg_amount_30d"] / 100,
            ),
            {"amount": True, "customer_avg_amount_30d": True},
        ),
        ("amount x1000", after.assign(amount=after["amount"] * 1000), {"amount": True, "customer_avg_amount_30d": False}),
    ]
    hint = "flag a column when the ratio of the medians is >= 10 or <= 0.1; the 1.8x drift of the amounts is not a unit change"
    for label, batch, expected in variants:
        what = f"detect_unit_change(before the drift, {label}, {columns})"
        got = learner.detect_unit_change(before, batch, columns)
        expect_keys(got, columns, what, hint)
        for column in columns:
            expect_type(got[column], (bool, np.bool_), f"{what}[{column!r}]", hint)
            assert_equal(bool(got[column]), expected[column], f"{what}[{column!r}]", hint)


@pytest.mark.question("detect_unit_change", points=1)
def test_a_few_extreme_rows_are_not_a_unit_change(learner):
    """Is not fooled by a few extreme rows in the same units (hidden data)."""
    tx = hidden_transactions()
    training = tx[tx["timestamp"] < DAY]
    batch = day_rows(tx, DAY).reset_index(drop=True)
    rows = np.random.default_rng(5).permutation(len(batch))[: len(batch) // 25]
    batch.loc[rows, "amount"] = batch.loc[rows, "amount"] * 1000  # 4% of the rows, corrupted
    what = "detect_unit_change(training, a batch with 4% of its amounts x1000, ['amount'])"
    hint = "a mean follows a few extreme rows; the median of the batch is still in euros"
    got = learner.detect_unit_change(training, batch, ["amount"])
    expect_keys(got, ["amount"], what, hint)
    expect_type(got["amount"], (bool, np.bool_), f"{what}['amount']", hint)
    assert_equal(bool(got["amount"]), False, f"{what}['amount']", hint)


# --- parse_decimal_commas -----------------------------------------------------------


@pytest.mark.question("parse_decimal_commas", points=1)
def test_reads_the_hidden_amounts(learner):
    """Reads back hidden amounts written with decimal commas and thousands separators."""
    tx = hidden_transactions()
    rng = np.random.default_rng(17)
    chosen = np.union1d(np.flatnonzero(tx["amount"].to_numpy() >= 500), rng.choice(len(tx), size=3000, replace=False))
    amounts = tx["amount"].iloc[rng.permutation(chosen)].rename("amount_text")
    amounts = amounts.mask(rng.random(len(amounts)) < 0.03)
    text = comma_text(amounts).astype("str")
    expected = amounts.astype("float64")
    what = "parse_decimal_commas(3,000 hidden amounts such as '1.234,50')"
    hint = "remove the '.' thousands separators, then read ',' as the decimal point; keep NaN, the index and the name"
    assert_parsed(learner.parse_decimal_commas(text), text, expected, what, hint, show=False)


@pytest.mark.question("parse_decimal_commas", points=1)
def test_rejects_ambiguous_numbers(learner):
    """Raises ValueError naming every value that does not follow the format."""
    values = pd.Series(["7,5", "1.23,45", "1.234", "12.5", "3,00 EUR", "-0,5", "1.2.3"], index=range(100, 107))
    bad = ["1.23,45", "12.5", "3,00 EUR", "1.2.3"]
    what = f"parse_decimal_commas({list(values)})"
    hint = "thousands groups have exactly three digits; a value that does not match the format is an error, not a guess"
    message = raised(lambda: learner.parse_decimal_commas(values), what, hint)
    expect_raised(message, "ValueError", bad, what, hint)


# --- align_features -----------------------------------------------------------------


@pytest.mark.question("align_features", points=1)
def test_predictions_do_not_depend_on_column_order(learner):
    """A model's predictions on the aligned frame do not depend on the column order (hidden data)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    tx = hidden_transactions().iloc[::10].reset_index(drop=True)
    X = pd.DataFrame(
        {
            "transaction_id": tx["transaction_id"],
            "amount": tx["amount"],
            "customer_avg_amount_30d": tx["customer_avg_amount_30d"].fillna(tx["amount"]),
            "hour": tx["timestamp"].dt.hour,
            "is_online": (tx["channel"] == "online").astype("int64"),
            "is_night": (tx["timestamp"].dt.hour < 6).astype("int64"),
        }
    )
    names = ["amount", "customer_avg_amount_30d", "hour", "is_online"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X[names].to_numpy(), tx["is_fraud"])
    expected = model.predict_proba(X[names].to_numpy())[:, 1]
    shuffled = X[["hour", "transaction_id", "is_online", "customer_avg_amount_30d", "is_night", "amount"]]
    what = "align_features(the hidden features in another order, names)"
    hint = "select by name (X[feature_names]), never by position"
    got = learner.align_features(shuffled, names)
    expect_type(got, pd.DataFrame, what, hint)
    if list(got.columns) != names:
        fail(f"{what} has the columns {list(got.columns)}; expected {names}", hint)
    if len(got) != len(X):
        fail(f"{what} has {len(got)} rows; expected {len(X)}", hint)
    scores = model.predict_proba(got.to_numpy(dtype=float))[:, 1]
    diff = float(np.max(np.abs(scores - expected)))
    if diff > 1e-9:
        fail(f"{what}: the model's predictions change when the columns are permuted (max abs difference {diff:.3g})", hint)


@pytest.mark.question("align_features", points=1)
def test_names_every_missing_feature_of_the_hidden_batch(learner):
    """Raises KeyError naming the three features that another night's batch renamed or lacks (hidden data)."""
    X = hidden_batch().drop(columns=["customer_avg_amount_30d"])
    names = ["amount", "terminal_id", "customer_avg_amount_30d", "customer_id", "hour_of_day"]
    what = f"align_features(another night's batch, {names})"
    hint = "name every missing feature in one KeyError, not only the first"
    message = raised(lambda: learner.align_features(X, names), what, hint)
    expect_raised(message, "KeyError", ["terminal_id", "customer_avg_amount_30d", "hour_of_day"], what, hint)


# --- train_test_overlap -------------------------------------------------------------


def overlap_count(train: pd.DataFrame, test: pd.DataFrame, keys: list) -> int:
    """The expected answer, counted the slow, obvious way."""
    seen = set(train[keys].itertuples(index=False, name=None))
    return sum(key in seen for key in test[keys].itertuples(index=False, name=None))


@pytest.mark.question("train_test_overlap", points=1)
def test_replayed_rows_by_id(learner):
    """Counts the replayed rows of another night's batch by transaction_id (hidden data)."""
    train, test = hidden_training(), overlap_batch(new_ids=False)
    what = "train_test_overlap(training, another night's batch, ['transaction_id'])"
    hint = "count the rows of test whose transaction_id is in train; the replayed rows have their amounts in cents"
    got = learner.train_test_overlap(train, test, ["transaction_id"])
    expect_type(got, (int, np.integer), what, hint)
    assert_equal(int(got), overlap_count(train, test, ["transaction_id"]), what, hint)


@pytest.mark.question("train_test_overlap", points=1)
def test_replayed_rows_by_natural_key(learner):
    """Counts replayed rows that got new ids, by a three-column key, with repeated keys in train (hidden data)."""
    train, test = hidden_training(), overlap_batch(new_ids=True)
    train = pd.concat([train, train[train["timestamp"] >= DAY - pd.Timedelta(hours=3)]], ignore_index=True)
    keys = ["customer_id", "terminal_id", "timestamp"]
    what = f"train_test_overlap(training with its last 3 hours twice, a batch whose replay has new ids, {keys})"
    hint = "match on the three key columns together; count test rows, however often train has their key"
    got = learner.train_test_overlap(train, test, keys)
    expect_type(got, (int, np.integer), what, hint)
    assert_equal(int(got), overlap_count(train, test, keys), what, hint)
