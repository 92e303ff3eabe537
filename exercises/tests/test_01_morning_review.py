"""Public tests of exercise 01, the morning review.

They run in your notebook when you call ``check("name")``, and again at grading. They
use small logs built by hand below, whose expected values were worked out on paper,
and the public prediction log. More tests run at grading, on data you have not seen.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from grader.testing import assert_dict_close, assert_equal, assert_frame_close, expect_type, fail

HINTS = {
    "daily_metrics": [
        "Take the day's rows with `log['timestamp'].dt.normalize() == pd.Timestamp(day)`, then the labelled "
        "ones with `label.notna()`. `n_scored` and `alert_rate` use all the day's rows; precision, recall and "
        "average precision use the labelled rows only.",
        "precision = alerted labelled frauds / alerted labelled rows; recall = alerted labelled frauds / "
        "labelled frauds. When a denominator is 0, return `math.nan`. Call `average_precision_score` only "
        "when there is at least one labelled fraud: otherwise sklearn warns.",
        "Convert the values: `len(...)` is a plain int, and `float(...)` turns a numpy float into a plain one. "
        "`np.float64` and `np.int64` are not plain Python numbers.",
    ],
    "metrics_by_slice": [
        "Pool: for each value of `by`, take all of that slice's labelled rows over the whole log and compute "
        "each metric once. Averaging daily values is a different (and worse) number.",
        "Build a frame with the columns n_labelled, precision, recall, average_precision, in that order; name "
        "the index `by`; drop the slices with fewer than `min_labelled` labelled rows.",
        "Sort by the index first, then `sort_values('recall', na_position='last', kind='stable')`: a stable "
        "sort keeps the index order among equal recalls.",
    ],
    "regressions": [
        "Look only at precision, recall and average_precision. A metric whose baseline is NaN cannot regress.",
        "The bar is `baseline * (1 - tolerance)`: strictly below it is a regression, and so is a NaN today when "
        "the baseline is known. `nan < x` is False, so test for NaN with `math.isnan`.",
        "Return `sorted(names)`: a list of strings in alphabetical order.",
    ],
    "missed_fraud": [
        "Labelled frauds are `log['label'].eq(1).fillna(False)` (an unknown label is not a fraud); a fraud was "
        "missed when `score < threshold`, because an alert is `score >= threshold`.",
        "`sort_values(['amount', 'transaction_id'], ascending=[False, True])`, then `head(k)`. `nlargest` keeps "
        "equal amounts in row order, not by transaction_id.",
        "Keep all of the log's columns in their order, and finish with `reset_index(drop=True)`.",
    ],
    "ALERTS_BY_DAY_SQL": [
        "Group by the date part of the text timestamp, `substr(timestamp, 1, 10)` (or `date(timestamp)`), and "
        "order by it.",
        "Count with `SUM(CASE WHEN ... THEN 1 ELSE 0 END)`, compare with `score >= :threshold`, and use the "
        "parameter, not a number.",
        "A NULL label is unknown, not fraud: `label = 1` is NULL for it, and a CASE sends it to ELSE 0. "
        "`SUM` over NULLs alone is NULL, not 0.",
    ],
}

COLUMNS = ["transaction_id", "timestamp", "customer_id", "terminal_id", "amount", "channel", "merchant_category", "score", "label"]
NA = None
METRICS = ("precision", "recall", "average_precision")


def make_log(rows, *, transaction_id=None):
    """A prediction log with the real schema from ``(timestamp, score, label[, amount[, merchant_category]])`` rows."""
    rows = [tuple(r) + (None,) * (5 - len(r)) for r in rows]
    n = len(rows)
    return pd.DataFrame(
        {
            "transaction_id": np.asarray(transaction_id if transaction_id is not None else range(n), dtype="int64"),
            "timestamp": pd.to_datetime([r[0] for r in rows]).astype("datetime64[ns]"),
            "customer_id": np.arange(n, dtype="int64") % 7,
            "terminal_id": np.arange(n, dtype="int64") % 5,
            "amount": np.asarray([r[3] if r[3] is not None else 10.0 + i for i, r in enumerate(rows)], dtype="float64"),
            "channel": pd.Series(["online" if i % 3 == 0 else "pos" for i in range(n)], dtype="str"),
            "merchant_category": pd.Series([r[4] or "grocery" for r in rows], dtype="str"),
            "score": np.asarray([r[1] for r in rows], dtype="float64"),
            "label": pd.array([r[2] for r in rows], dtype="Int64"),
        },
        columns=COLUMNS,
    )


def quietly(fn, *args, what: str, hint: str = "", **kwargs):
    """Call the learner's ``fn``; fail if it emitted a warning."""
    from grader._outcomes import LearnerWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    theirs = [w for w in caught if issubclass(w.category, LearnerWarning)]
    if theirs:
        fail(f"{what} emitted {len(theirs)} warning(s); expected none. The first: {theirs[0].message}", hint)
    return result


# -- daily_metrics ------------------------------------------------------------------

@pytest.fixture
def day_log():
    """Eleven rows: nine on 2024-05-02 (threshold 0.5), one just before, one just after."""
    return make_log(
        [
            ("2024-05-01 23:59:59", 0.95, 1),   # the day before
            ("2024-05-02 00:00:00", 0.90, 1),   # alert, fraud: caught
            ("2024-05-02 03:10:00", 0.50, 0),   # alert (score == threshold), genuine
            ("2024-05-02 08:00:00", 0.70, NA),  # alert, label not arrived
            ("2024-05-02 12:00:00", 0.20, 1),   # fraud missed
            ("2024-05-02 15:00:00", 0.10, 0),
            ("2024-05-02 18:00:00", 0.30, 0),
            ("2024-05-02 20:00:00", 0.05, NA),
            ("2024-05-02 21:00:00", 0.45, 1),   # fraud missed
            ("2024-05-02 23:59:59", 0.60, 1),   # alert, fraud: caught
            ("2024-05-03 00:00:00", 0.80, 0),   # the day after
        ]
    )


@pytest.fixture
def edge_log():
    """Days that are awkward on purpose (threshold 0.5)."""
    return make_log(
        [
            ("2024-05-04 09:00:00", 0.70, 0),  # 05-04: labelled, no fraud
            ("2024-05-04 10:00:00", 0.20, 0),
            ("2024-05-04 11:00:00", 0.10, 0),
            # 05-05: no rows at all
            ("2024-05-06 09:00:00", 0.80, NA),  # 05-06: no label has arrived
            ("2024-05-06 10:00:00", 0.30, NA),
            ("2024-05-07 09:00:00", 0.20, 1),  # 05-07: a fraud, but no alert
            ("2024-05-07 10:00:00", 0.10, 0),
        ]
    )


DAILY_HINT = (
    "precision and recall count labelled rows only: an alert whose label has not arrived is neither right nor "
    "wrong yet. precision = caught / labelled alerts, recall = caught / labelled frauds."
)


@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_example_day(learner, day_log):
    """Metrics of a small day worked out by hand."""
    expected = {
        "n_scored": 9,
        "n_labelled": 7,
        "alert_rate": 4 / 9,
        "precision": 2 / 3,
        "recall": 2 / 4,
        "average_precision": (1 / 1 + 2 / 2 + 3 / 4 + 4 / 6) / 4,
    }
    got = learner.daily_metrics(day_log, "2024-05-02")
    assert_dict_close(got, expected, "daily_metrics(example, '2024-05-02')", rtol=1e-9, hint=DAILY_HINT)
    got = learner.daily_metrics(day_log, "2024-05-02", threshold=0.55)
    expected.update(alert_rate=3 / 9, precision=2 / 2)
    assert_dict_close(got, expected, "daily_metrics(example, '2024-05-02', threshold=0.55)", rtol=1e-9, hint=DAILY_HINT)


@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_edge_days(learner, edge_log):
    """A day without fraud, a day without rows, a day without labels: NaN, and no warnings."""
    nan = math.nan
    cases = {
        "2024-05-04": (3, 3, 1 / 3, 0.0, nan, nan),  # no fraud: recall and AP undefined
        "2024-05-05": (0, 0, nan, nan, nan, nan),  # no rows
        "2024-05-06": (2, 0, 1 / 2, nan, nan, nan),  # no labels yet
        "2024-05-07": (2, 2, 0.0, nan, 0.0, 1.0),  # no alert: precision undefined
    }
    keys = ("n_scored", "n_labelled", "alert_rate", "precision", "recall", "average_precision")
    hint = (
        "Return math.nan when a metric has nothing to divide by (no rows, no labelled alert, no labelled fraud), "
        "and do not call sklearn in that case: it would warn."
    )
    for day, values in cases.items():
        what = f"daily_metrics(edge_log, '{day}')"
        got = quietly(learner.daily_metrics, edge_log, day, what=what, hint=hint)
        assert_dict_close(got, dict(zip(keys, values)), what, rtol=1e-9, hint=hint)


@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_plain_types(learner, day_log):
    """Plain Python int and float values; the day may be a string or a date."""
    import datetime

    hint = "Wrap counts in int(...) and rates in float(...): numpy scalars are not plain Python numbers."
    for day in ("2024-05-02", datetime.date(2024, 5, 2), "2024-05-06"):
        what = f"daily_metrics(example, {day!r})"
        got = learner.daily_metrics(day_log, day)
        expect_type(got, dict, what, hint)
        for key in got:
            want = int if key in ("n_scored", "n_labelled") else float
            if type(got[key]) is not want:
                fail(f"{what}[{key!r}] is {_a(type(got[key]))}; expected a plain Python {want.__name__}", hint)
    as_text = learner.daily_metrics(day_log, "2024-05-02")
    as_date = learner.daily_metrics(day_log, datetime.date(2024, 5, 2))
    assert_dict_close(as_date, as_text, "daily_metrics(example, datetime.date(2024, 5, 2))", rtol=1e-12,
                      hint="A date and its 'YYYY-MM-DD' string name the same day.")


def _a(cls) -> str:
    name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__.split('.')[0]}.{cls.__name__}"
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


# -- metrics_by_slice ---------------------------------------------------------------

@pytest.fixture
def slice_log():
    """Two days of rows in six merchant categories (threshold 0.5, min_labelled=3)."""
    return make_log(
        [
            ("2024-05-01 08:00", 0.70, 1, None, "grocery"),
            ("2024-05-01 08:10", 0.60, 0, None, "fashion"),
            ("2024-05-01 08:20", 0.30, 1, None, "grocery"),
            ("2024-05-01 08:30", 0.30, 0, None, "fashion"),
            ("2024-05-01 08:40", 0.20, 0, None, "grocery"),
            ("2024-05-01 08:50", 0.10, 0, None, "grocery"),
            ("2024-05-01 09:00", 0.20, 0, None, "fashion"),
            ("2024-05-01 09:10", 0.90, 1, None, "restaurants"),
            ("2024-05-01 09:20", 0.10, 0, None, "restaurants"),
            ("2024-05-01 09:30", 0.80, NA, None, "restaurants"),
            ("2024-05-01 09:40", 0.10, 0, None, "electronics"),
            ("2024-05-01 10:00", 0.90, 1, None, "travel"),
            ("2024-05-01 10:10", 0.60, 0, None, "travel"),
            ("2024-05-01 10:20", 0.20, 0, None, "travel"),
            ("2024-05-01 11:00", 0.55, 1, None, "fuel"),
            ("2024-05-01 11:10", 0.40, 1, None, "fuel"),
            ("2024-05-01 11:20", 0.10, 0, None, "fuel"),
            ("2024-05-02 08:00", 0.80, 1, None, "travel"),
            ("2024-05-02 08:10", 0.30, 1, None, "travel"),
            ("2024-05-02 08:20", 0.10, 0, None, "travel"),
            ("2024-05-02 08:30", 0.70, NA, None, "travel"),
            ("2024-05-02 09:00", 0.05, 0, None, "fuel"),
            ("2024-05-02 09:10", 0.20, 0, None, "fuel"),
            ("2024-05-02 09:20", 0.65, 0, None, "fuel"),
            ("2024-05-02 10:00", 0.20, 0, None, "electronics"),
            ("2024-05-02 10:10", 0.30, 0, None, "electronics"),
            ("2024-05-02 11:00", 0.70, NA, None, "restaurants"),
            ("2024-05-02 11:10", 0.60, NA, None, "restaurants"),
        ]
    )


SLICE_HINT = (
    "Pool each slice's labelled rows over the whole log (no daily averages), leave out the slices with fewer than "
    "min_labelled labelled rows, and sort by recall ascending (NaN last), equal recalls by the index ascending."
)


@pytest.mark.question("metrics_by_slice", points=1)
def test_metrics_by_slice_example(learner, slice_log):
    """Pooled metrics per merchant category, worked out by hand, in the contract's order."""
    nan = math.nan
    expected = pd.DataFrame(
        {
            "n_labelled": [6, 4, 6, 3, 3],
            "precision": [1 / 2, 1.0, 2 / 3, nan, 0.0],
            "recall": [1 / 2, 1 / 2, 2 / 3, nan, nan],
            "average_precision": [(1 / 2 + 2 / 3) / 2, 1.0, (1 + 1 + 3 / 4) / 3, nan, nan],
        },
        index=pd.Index(["fuel", "grocery", "travel", "electronics", "fashion"], name="merchant_category"),
    )
    got = learner.metrics_by_slice(slice_log, "merchant_category", min_labelled=3)
    assert_frame_close(got, expected, "metrics_by_slice(example, 'merchant_category', min_labelled=3)", rtol=1e-9,
                       hint=SLICE_HINT)


@pytest.fixture
def public_log():
    from grader.data import load_prediction_log

    return load_prediction_log()


@pytest.mark.question("metrics_by_slice", points=1)
def test_metrics_by_slice_public_data(learner, public_log):
    """On the public log: the right slices, labelled counts, value ranges and order."""
    for by, min_labelled in (("channel", 50), ("merchant_category", 50), ("merchant_category", 8000)):
        what = f"metrics_by_slice(log, {by!r}, min_labelled={min_labelled})"
        got = learner.metrics_by_slice(public_log, by, min_labelled=min_labelled)
        expect_type(got, pd.DataFrame, what, SLICE_HINT)
        columns = ["n_labelled", "precision", "recall", "average_precision"]
        if list(got.columns) != columns:
            fail(f"{what}: expected the columns {columns}, got {list(got.columns)}", SLICE_HINT)
        if got.index.name != by:
            fail(f"{what}: expected the index named {by!r}, got {got.index.name!r}", SLICE_HINT)
        for col in columns:
            if not pd.api.types.is_numeric_dtype(got[col]) or pd.api.types.is_bool_dtype(got[col]):
                fail(f"{what}: column {col!r} should be numeric, got dtype {got[col].dtype}", SLICE_HINT)
        counts = public_log.groupby(by)["label"].count()
        counts = counts[counts >= min_labelled]
        if sorted(got.index) != sorted(counts.index):
            missing = sorted(set(counts.index) - set(got.index))[:5]
            extra = sorted(set(got.index) - set(counts.index))[:5]
            fail(f"{what}: expected one row per slice with at least {min_labelled} labelled rows "
                 f"({len(counts)} slices), got {len(got)} (missing e.g. {missing}, unexpected e.g. {extra})", SLICE_HINT)
        n_got = got["n_labelled"].astype("float64").to_numpy()
        n_exp = counts.reindex(got.index).astype("float64").to_numpy()
        if not np.array_equal(n_got, n_exp):
            i = int(np.argmax(n_got != n_exp))
            fail(f"{what}: column 'n_labelled' at {got.index[i]!r}: expected {n_exp[i]:g}, got {n_got[i]:g}", SLICE_HINT)
        for col in ("precision", "recall", "average_precision"):
            values = got[col].astype("float64")
            if ((values < 0) | (values > 1)).any():
                fail(f"{what}: column {col!r} has values outside [0, 1]", SLICE_HINT)
        expected_order = _slice_order(got)
        if list(got.index) != expected_order:
            diff = next(i for i, (a, b) in enumerate(zip(got.index, expected_order)) if a != b)
            fail(f"{what}: rows out of order at position {diff}: expected {expected_order[diff]!r}, got "
                 f"{got.index[diff]!r} (recall ascending, NaN last, equal recalls by {by} ascending)", SLICE_HINT)


def _slice_order(frame) -> list:
    recall = frame["recall"].astype("float64")
    keys = [(math.isnan(r), 0.0 if math.isnan(r) else r, i) for r, i in zip(recall, frame.index)]
    return [k[2] for k in sorted(keys)]


# -- regressions ---------------------------------------------------------------------

REGRESSION_HINT = (
    "A metric regressed when its baseline is not NaN and today's value is NaN or below baseline * (1 - tolerance). "
    "Return the names sorted."
)


def metrics(precision, recall, average_precision, **extra):
    return {"n_scored": 1000, "n_labelled": 900, "alert_rate": 0.01, "precision": precision, "recall": recall,
            "average_precision": average_precision, **extra}


@pytest.mark.question("regressions", points=1)
def test_regressions_example(learner):
    """Drops beyond the tolerance, NaN on either side, sorted names."""
    nan = math.nan
    base = metrics(0.8, 0.6, 0.5)
    cases = [
        # (today, baseline, tolerance, expected, what)
        (metrics(0.7, 0.59, 0.56), base, 0.1, ["precision"], "precision 0.8 -> 0.7, recall 0.6 -> 0.59, AP 0.5 -> 0.56"),
        (metrics(0.1, 0.1, 0.1), base, 0.1, ["average_precision", "precision", "recall"], "everything falls to 0.1"),
        (metrics(0.7, 0.2, 0.5), base, 0.5, ["recall"], "tolerance 0.5: recall 0.6 -> 0.2, precision 0.8 -> 0.7"),
        (metrics(nan, 0.55, 0.5), metrics(0.5, 0.6, 0.5), 0.1, ["precision"], "today's precision is NaN"),
        (metrics(0.1, nan, 0.0), metrics(nan, 0.5, nan), 0.1, ["recall"], "baseline precision and AP are NaN"),
    ]
    for today, baseline, tolerance, expected, what in cases:
        got = learner.regressions(today, baseline, tolerance=tolerance)
        assert_equal(got, expected, f"regressions(...) when {what}", REGRESSION_HINT)


# -- missed_fraud --------------------------------------------------------------------

@pytest.fixture
def fraud_log():
    """Nine rows; transaction ids deliberately out of row order (threshold 0.5)."""
    return make_log(
        [
            ("2024-05-02 09:00", 0.10, 1, 120.0),  # id 7: missed
            ("2024-05-02 09:10", 0.30, 1, 120.0),  # id 3: missed
            ("2024-05-02 09:20", 0.50, 1, 300.0),  # id 9: alerted (score == threshold), so not missed
            ("2024-05-02 09:30", 0.05, NA, 500.0),  # id 2: label not arrived: not a known fraud
            ("2024-05-02 09:40", 0.10, 0, 250.0),  # id 4: genuine
            ("2024-05-02 09:50", 0.49, 1, 120.0),  # id 1: missed
            ("2024-05-02 10:00", 0.20, 1, 80.5),  # id 5: missed
            ("2024-05-02 10:10", 0.90, 1, 95.0),  # id 6: caught
            ("2024-05-02 10:20", 0.00, 1, 40.0),  # id 8: missed
        ],
        transaction_id=[7, 3, 9, 2, 4, 1, 5, 6, 8],
    )


MISSED_HINT = (
    "Keep the labelled frauds (label == 1) with score < threshold, sort by amount descending and then "
    "transaction_id ascending, take the first k, keep the log's columns and reset the index."
)


def _rows_by_id(log, ids):
    return log.set_index("transaction_id", drop=False).loc[ids].reset_index(drop=True)[list(log.columns)]


@pytest.mark.question("missed_fraud", points=1)
def test_missed_fraud_example(learner, fraud_log):
    """The largest missed frauds of a small log, equal amounts by transaction_id."""
    for kwargs, ids in (({"k": 3}, [1, 3, 7]), ({}, [1, 3, 7, 5, 8]), ({"threshold": 0.4, "k": 2}, [3, 7])):
        shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        what = f"missed_fraud(example{', ' + shown if shown else ''})"
        got = learner.missed_fraud(fraud_log, **kwargs)
        assert_frame_close(got, _rows_by_id(fraud_log, ids), what, rtol=1e-12, hint=MISSED_HINT)


@pytest.mark.question("missed_fraud", points=1)
def test_missed_fraud_public_data(learner, public_log):
    """On the public log: only missed labelled frauds, the log's columns, largest amounts first."""
    for threshold, k in ((0.5, 10), (0.2, 25)):
        what = f"missed_fraud(log, threshold={threshold}, k={k})"
        got = learner.missed_fraud(public_log, threshold=threshold, k=k)
        expect_type(got, pd.DataFrame, what, MISSED_HINT)
        if list(got.columns) != list(public_log.columns):
            fail(f"{what}: expected the log's columns {list(public_log.columns)}, got {list(got.columns)}", MISSED_HINT)
        for col in ("transaction_id", "amount"):
            if not pd.api.types.is_numeric_dtype(got[col]):
                fail(f"{what}: column {col!r} should be numeric like the log's, got dtype {got[col].dtype}", MISSED_HINT)
        missed = public_log[public_log["label"].eq(1).fillna(False).astype(bool) & (public_log["score"] < threshold)]
        assert_equal(len(got), min(k, len(missed)), f"len({what})", MISSED_HINT)
        if list(got.index) != list(range(len(got))):
            fail(f"{what}: expected the index 0..{len(got) - 1}, got {list(got.index)[:5]}...", MISSED_HINT)
        ids = set(got["transaction_id"].tolist())
        not_missed = sorted(ids - set(missed["transaction_id"]))
        if not_missed:
            fail(f"{what}: transaction(s) {not_missed[:5]} are not labelled frauds scored below {threshold}", MISSED_HINT)
        amounts = got["amount"].astype("float64").to_numpy()
        if (np.diff(amounts) > 0).any():
            fail(f"{what}: amounts are not in descending order: {amounts.tolist()}", MISSED_HINT)
        smallest_kept = amounts.min() if len(amounts) else math.inf
        bigger_left_out = missed[(missed["amount"] > smallest_kept) & ~missed["transaction_id"].isin(ids)]
        if len(bigger_left_out):
            fail(f"{what}: left out the missed fraud {int(bigger_left_out['transaction_id'].iloc[0])} of amount "
                 f"{bigger_left_out['amount'].iloc[0]:.2f}, larger than ones it kept", MISSED_HINT)


# -- ALERTS_BY_DAY_SQL ---------------------------------------------------------------

SQL_COLUMNS = ["day", "n_scored", "n_alerts", "n_frauds_caught"]
SQL_HINT = (
    "One row per day that has rows, ordered by day: day = substr(timestamp, 1, 10), n_scored = COUNT(*), "
    "n_alerts = alerts (score >= :threshold), n_frauds_caught = alerts whose label is 1. A NULL label is unknown."
)
_CREATE = (
    "CREATE TABLE predictions (transaction_id INTEGER, timestamp TEXT, customer_id INTEGER, terminal_id INTEGER, "
    "amount REAL, channel TEXT, merchant_category TEXT, score REAL, label INTEGER)"
)


def sql_rows(log):
    """The log's rows as SQLite values: text timestamps, NULL for an unknown label."""
    stamps = log["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist()
    labels = [None if v != v else int(v) for v in log["label"].astype("float64").tolist()]
    return list(zip(
        log["transaction_id"].astype("int64").tolist(), stamps, log["customer_id"].astype("int64").tolist(),
        log["terminal_id"].astype("int64").tolist(), log["amount"].astype("float64").tolist(),
        log["channel"].astype(str).tolist(), log["merchant_category"].astype(str).tolist(),
        log["score"].astype("float64").tolist(), labels,
    ))


class AlertsDatabase:
    """The table ``predictions`` made from a log, in a read-only in-memory SQLite database, as grading uses it.

    A query may only read the table, and runs under a time limit; strings are capped at 16 MB.
    """

    def __init__(self, log):
        import sqlite3

        self.con = con = sqlite3.connect(":memory:")
        con.execute(_CREATE)
        con.executemany("INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", sql_rows(log))
        con.commit()
        con.execute("PRAGMA query_only = ON")
        con.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1 << 24)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.con.close()

    def run(self, sql, threshold, *, seconds: float = 10.0, max_rows: int = 100_000) -> pd.DataFrame:
        """The rows of ``sql`` run with ``{"threshold": threshold}``, as a DataFrame."""
        import sqlite3
        import time

        from grader._outcomes import LearnerError, OutOfMemory, Timeout

        name = "ALERTS_BY_DAY_SQL"
        con = self.con
        deadline = time.monotonic() + seconds
        con.set_authorizer(_authorize)
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            cursor = con.execute(sql, {"threshold": threshold})
            rows = cursor.fetchmany(max_rows + 1)
            columns = [d[0] for d in cursor.description or ()]
        except MemoryError:
            raise OutOfMemory(f"{name} ran out of memory in SQLite") from None
        except (sqlite3.Error, sqlite3.Warning) as exc:
            if time.monotonic() > deadline:
                raise Timeout(f"{name} ran past its limit of {seconds:g} s in SQLite") from None
            extra = " (the query may only read the table predictions)" if "authoriz" in str(exc) else ""
            raise LearnerError(f"{name} failed in SQLite: {type(exc).__name__}: {exc}{extra}") from None
        finally:
            con.set_progress_handler(None, 0)
            con.set_authorizer(None)
        if len(rows) > max_rows:
            fail(f"{name} returned more than {max_rows} rows; expected one row per day", SQL_HINT)
        if not columns:
            fail(f"{name} returned no columns; expected {SQL_COLUMNS}", SQL_HINT)
        if len(set(columns)) != len(columns):
            fail(f"{name} returned duplicate column names: {columns}", SQL_HINT)
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def run_alerts_sql(sql, log, threshold) -> pd.DataFrame:
    """Run ``sql`` once on ``log``, as grading does (see AlertsDatabase)."""
    with AlertsDatabase(log) as db:
        return db.run(sql, threshold)


def _authorize(action, arg1, arg2, db, trigger):
    import sqlite3

    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    allowed = (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE)
    return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY


def alerts_by_day_pandas(log, threshold) -> pd.DataFrame:
    """What ALERTS_BY_DAY_SQL must return, computed with pandas."""
    alert = log["score"] >= threshold
    caught = alert & log["label"].eq(1).fillna(False).astype(bool)
    frame = pd.DataFrame({
        "day": log["timestamp"].dt.strftime("%Y-%m-%d"),
        "n_scored": 1,
        "n_alerts": alert.astype("int64"),
        "n_frauds_caught": caught.astype("int64"),
    })
    return frame.groupby("day", as_index=False, sort=True).sum()


def check_sql_result(got: pd.DataFrame, expected: pd.DataFrame, what: str, hint: str = SQL_HINT):
    """Compare a query's result with the expected rows: the same days in order, the same counts (any column order)."""
    if sorted(map(str, got.columns)) != sorted(SQL_COLUMNS):
        fail(f"{what}: expected the columns {SQL_COLUMNS}, got {list(got.columns)}", hint)
    got_days, want_days = got["day"].tolist(), expected["day"].tolist()
    if got_days != want_days:
        if len(got_days) != len(want_days):
            fail(f"{what}: expected {len(want_days)} rows, one per day with rows, in order ({_short(want_days)}); "
                 f"got {len(got_days)} rows ({_short(got_days)})", hint)
        i = next(i for i, (a, b) in enumerate(zip(got_days, want_days)) if a != b)
        fail(f"{what}: row {i}: expected the day {want_days[i]!r}, got {got_days[i]!r} "
             "(one row per day with rows, as 'YYYY-MM-DD', ordered by day)", hint)
    for col in SQL_COLUMNS[1:]:
        for day, value, want in zip(want_days, got[col].tolist(), expected[col].tolist()):
            if value is None or (isinstance(value, float) and math.isnan(value)):  # SQLite has no NaN: it was NULL
                fail(f"{what}: {col} is NULL (None) on {day!r}; a count must be a number, 0 when nothing counts", hint)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                fail(f"{what}: {col} on {day!r} is {value!r}, not a number", hint)
            if value != want:
                fail(f"{what}: {col} on {day!r}: expected {want}, got {value:g}", hint)


def _short(items, limit: int = 6) -> str:
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


@pytest.fixture
def sql_log():
    """Three days with rows (none on 2024-05-02), threshold 0.5."""
    return make_log(
        [
            ("2024-05-01 00:00:00", 0.90, 1),  # alert, fraud: caught
            ("2024-05-01 10:00:00", 0.50, 0),  # alert (score == threshold), genuine
            ("2024-05-01 12:00:00", 0.70, NA),  # alert, label unknown: not a caught fraud
            ("2024-05-01 23:59:59", 0.20, 1),  # fraud missed
            ("2024-05-03 08:00:00", 0.60, 1),  # alert, fraud: caught
            ("2024-05-03 09:00:00", 0.10, NA),
            ("2024-05-04 00:00:00", 0.95, NA),  # 05-04: only alerts, no label yet
            ("2024-05-04 01:00:00", 0.80, NA),
        ]
    )


def _learner_sql(learner) -> str:
    sql = learner.ALERTS_BY_DAY_SQL
    expect_type(sql, str, "ALERTS_BY_DAY_SQL", "Assign the query, as a string, to ALERTS_BY_DAY_SQL.")
    return sql


@pytest.mark.question("ALERTS_BY_DAY_SQL", points=1)
def test_alerts_by_day_sql_example(learner, sql_log):
    """Alerts and caught frauds per day on a small table, worked out by hand."""
    sql = _learner_sql(learner)
    expected = pd.DataFrame(
        [("2024-05-01", 4, 3, 1), ("2024-05-03", 2, 1, 1), ("2024-05-04", 2, 2, 0)], columns=SQL_COLUMNS
    )
    with AlertsDatabase(sql_log) as db:
        got = db.run(sql, 0.5)
    check_sql_result(got, expected, "ALERTS_BY_DAY_SQL on the example table, :threshold = 0.5")
    expected = pd.DataFrame(
        [("2024-05-01", 4, 1, 1), ("2024-05-03", 2, 0, 0), ("2024-05-04", 2, 2, 0)], columns=SQL_COLUMNS
    )
    got = run_alerts_sql(sql, sql_log, 0.8)
    check_sql_result(got, expected, "ALERTS_BY_DAY_SQL on the example table, :threshold = 0.8")


@pytest.mark.question("ALERTS_BY_DAY_SQL", points=1)
def test_alerts_by_day_sql_public_data(learner, public_log):
    """On the public log: the same counts as pandas."""
    sql = _learner_sql(learner)
    with AlertsDatabase(public_log) as db:
        for threshold in (0.5, 0.9):
            check_sql_result(db.run(sql, threshold), alerts_by_day_pandas(public_log, threshold),
                             f"ALERTS_BY_DAY_SQL on the public log, :threshold = {threshold}")
