"""Hidden tests of exercise 01, the morning review: run only at grading.

Each question has at least one test on the hidden prediction log (another seed, another
period), compared with the reference solution, so answers fitted to the public data fail.
"""

from __future__ import annotations

import datetime
import functools
import math

import numpy as np
import pandas as pd
import pytest

from grader._outcomes import Ungradable
from grader.testing import (
    assert_dict_close,
    assert_equal,
    assert_frame_close,
    expect_type,
    fail,
    public_tests,
)

public = public_tests(__file__)


@pytest.fixture
def hidden_log():
    """The hidden prediction log. Its last day's labels are blanked (they mostly are anyway), so that
    a day without any label exists whatever the seed."""
    from grader.data import load_prediction_log

    log = load_prediction_log(hidden=True)
    last_day = log["timestamp"].dt.normalize() == log["timestamp"].max().normalize()
    log.loc[last_day, "label"] = pd.NA
    return log


def _days(log) -> dict:
    """Days of the log, by kind, as 'YYYY-MM-DD' strings."""
    day = log["timestamp"].dt.normalize()
    per_day = log.assign(day=day).groupby("day")["label"].agg(n="size", labelled="count")
    share = per_day["labelled"] / per_day["n"]
    text = lambda index: [d.strftime("%Y-%m-%d") for d in index]  # noqa: E731
    return {
        "all": text(per_day.index),
        "full": text(per_day.index[share == 1]),
        "partial": text(per_day.index[(share > 0.1) & (share < 0.9)]),
        "none": text(per_day.index[per_day["labelled"] == 0]),
        "after": (per_day.index.max() + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
    }


def _day_rows(log, day):
    return log[log["timestamp"].dt.normalize() == pd.Timestamp(day)]


def _score_of_a_fraud(log) -> float:
    """A threshold equal to a labelled fraud's score, so that `>` and `>=` differ."""
    scores = np.sort(log.loc[log["label"].eq(1).fillna(False).astype(bool), "score"].to_numpy())
    if not len(scores):
        raise Ungradable("no labelled fraud to take a threshold from")
    return float(scores[len(scores) // 2])


def expect_empty_frame(got, columns, what, hint):
    """An empty DataFrame with exactly ``columns``, in order (any dtypes)."""
    expect_type(got, pd.DataFrame, what, hint)
    if list(got.columns) != columns:
        fail(f"{what}: expected the columns {columns}, got {list(got.columns)}", hint)
    if len(got):
        fail(f"{what}: expected no rows, got {len(got)}", hint)


def _no_fraud(log):
    """The log without its labelled frauds: every day has no fraud."""
    return log[~log["label"].eq(1).fillna(False).astype(bool)].reset_index(drop=True)


# -- daily_metrics ------------------------------------------------------------------

@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_hidden_days(learner, reference, hidden_log):
    """The hidden log's days, fully and partly labelled, at several thresholds."""
    days = _days(hidden_log)
    picks = [days["full"][0], days["full"][len(days["full"]) // 2], days["partial"][-1], days["all"][-2]]
    for day in picks:
        rows = _day_rows(hidden_log, day)
        thresholds = [0.5, 0.2] + ([_score_of_a_fraud(rows)] if rows["label"].eq(1).any() else [])
        for threshold in thresholds:
            what = f"daily_metrics(hidden log, '{day}', threshold={threshold:.6g})"
            got = learner.daily_metrics(hidden_log, day, threshold=threshold)
            expected = reference.daily_metrics(hidden_log, day, threshold=threshold)
            assert_dict_close(got, expected, what, rtol=1e-9, exact_types=True,
                              hint=public.DAILY_HINT + " Counts are plain ints, the rest plain floats.")


@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_unlabelled_rows(learner, reference, hidden_log):
    """On days whose labels have partly arrived, unlabelled alerts count neither way."""
    days = _days(hidden_log)
    checked = 0
    for day in days["partial"]:
        rows = _day_rows(hidden_log, day)
        for threshold in (0.5, 0.1):
            if not ((rows["score"] >= threshold) & rows["label"].isna()).any():
                continue
            what = f"daily_metrics(hidden log, '{day}', threshold={threshold})"
            got = learner.daily_metrics(hidden_log, day, threshold=threshold)
            expected = reference.daily_metrics(hidden_log, day, threshold=threshold)
            assert_dict_close(
                got, expected, what, rtol=1e-9,
                hint="Rows whose label is <NA> are not genuine: leave them out of precision, recall and "
                "average precision (they still count in n_scored and alert_rate).",
            )
            checked += 1
    if checked < 2:
        raise Ungradable("the hidden log has too few partly labelled days with unlabelled alerts")


@pytest.mark.question("daily_metrics", points=1)
def test_daily_metrics_edge_days_hidden(learner, reference, hidden_log):
    """Hidden days without fraud, without labels and without rows: NaN, and no warnings."""
    days = _days(hidden_log)
    no_fraud = _no_fraud(hidden_log)
    hint = (
        "Return math.nan when there is nothing to divide by (no rows, no labelled alert, no labelled fraud), and "
        "do not call sklearn then."
    )
    cases = [
        (no_fraud, "hidden log without its frauds", days["full"][3]),
        (no_fraud, "hidden log without its frauds", days["partial"][0]),
        (hidden_log, "hidden log", days["none"][-1]),
        (hidden_log, "hidden log", days["after"]),
        (hidden_log, "hidden log", datetime.date.fromisoformat(days["full"][5])),
    ]
    for log, name, day in cases:
        what = f"daily_metrics({name}, {day!r})"
        got = public.quietly(learner.daily_metrics, log, day, what=what, hint=hint)
        expected = reference.daily_metrics(log, day)
        assert_dict_close(got, expected, what, rtol=1e-9, exact_types=True, hint=hint)


# -- metrics_by_slice ---------------------------------------------------------------

@pytest.mark.question("metrics_by_slice", points=1)
def test_metrics_by_slice_hidden_data(learner, reference, hidden_log):
    """Pooled metrics per channel and per merchant category of the hidden log."""
    for by, threshold, min_labelled in (("channel", 0.5, 50), ("merchant_category", 0.5, 50),
                                        ("merchant_category", 0.2, 5000), ("channel", 0.8, 3000)):
        what = f"metrics_by_slice(hidden log, {by!r}, threshold={threshold}, min_labelled={min_labelled})"
        got = learner.metrics_by_slice(hidden_log, by, threshold=threshold, min_labelled=min_labelled)
        expected = reference.metrics_by_slice(hidden_log, by, threshold=threshold, min_labelled=min_labelled)
        assert_frame_close(got, expected, what, rtol=1e-9, hint=public.SLICE_HINT)


@pytest.mark.question("metrics_by_slice", points=1)
def test_metrics_by_slice_ties_hidden(learner, reference, hidden_log):
    """Many slices with equal or NaN recall, rows shuffled: the order is the contract's."""
    # Every fourth terminal still gives well over a hundred slices, dozens of them tied on a recall of 0 or
    # 1: plenty for an unstable or a wrong tie-break to show, at a quarter of the cost of all of them.
    some = hidden_log[hidden_log["terminal_id"] % 4 == 0]
    shuffled = some.sample(frac=1.0, random_state=11).reset_index(drop=True)
    for by, min_labelled in (("terminal_id", 45),):
        what = f"metrics_by_slice(shuffled hidden log of every fourth terminal, {by!r}, min_labelled={min_labelled})"
        got = learner.metrics_by_slice(shuffled, by, min_labelled=min_labelled)
        expected = reference.metrics_by_slice(shuffled, by, min_labelled=min_labelled)
        recall = expected["recall"]
        if recall.isna().sum() < 2 or recall.duplicated().sum() < 2:
            raise Ungradable(f"the hidden log gives too few ties in recall by {by}")
        assert_frame_close(got, expected, what, rtol=1e-9, hint=public.SLICE_HINT)


@pytest.mark.question("metrics_by_slice", points=1)
def test_metrics_by_slice_no_labels(learner, reference, hidden_log):
    """No label has arrived: every slice is left out, and the frame keeps its columns and index name."""
    unlabelled = hidden_log.tail(3000).assign(label=pd.array([pd.NA] * 3000, dtype="Int64")).reset_index(drop=True)
    hint = (
        "When every slice is left out, return an empty frame that still has the columns n_labelled, precision, "
        "recall, average_precision and the index named `by`."
    )
    for by in ("channel", "merchant_category"):
        what = f"metrics_by_slice(hidden log with no label, {by!r})"
        got = learner.metrics_by_slice(unlabelled, by)
        if len(reference.metrics_by_slice(unlabelled, by)):
            raise Ungradable(f"{what}: the reference kept slices without labels")
        expect_empty_frame(got, ["n_labelled", "precision", "recall", "average_precision"], what, hint)
        if got.index.name != by:
            fail(f"{what}: expected the index named {by!r}, got {got.index.name!r}", hint)


# -- regressions ---------------------------------------------------------------------

def _m(precision, recall, average_precision):
    return public.metrics(precision, recall, average_precision)


@pytest.mark.question("regressions", points=1)
def test_regressions_nan_handling(learner):
    """A NaN today is a regression when the baseline is known; a NaN baseline never regresses."""
    nan = math.nan
    hint = (
        "Compare with math.isnan: if the baseline is NaN, skip the metric; if today's value is NaN and the "
        "baseline is not, the metric has regressed (`nan < x` is False, so a plain comparison misses it)."
    )
    cases = [
        (_m(nan, nan, nan), _m(0.6, 0.5, 0.4), ["average_precision", "precision", "recall"], "today's values are all NaN"),
        (_m(0.6, nan, 0.4), _m(0.6, 0.5, 0.4), ["recall"], "today's recall is NaN"),
        (_m(0.1, 0.1, 0.1), _m(nan, nan, nan), [], "the baseline is all NaN"),
        (_m(nan, nan, 0.2), _m(nan, 0.5, nan), ["recall"], "NaN on both sides for precision, NaN today for recall"),
    ]
    for today, baseline, expected, what in cases:
        got = learner.regressions(today, baseline)
        assert_equal(got, expected, f"regressions(...) when {what}", hint)


@pytest.mark.question("regressions", points=1)
def test_regressions_tolerance(learner):
    """The tolerance is relative and a drop exactly at the bar is not a regression."""
    hint = "The bar is baseline * (1 - tolerance), and a metric regressed only when today's value is strictly below it."
    cases = [
        (_m(0.375, 0.37, 0.5), _m(0.5, 0.5, 0.5), 0.25, ["recall"], "tolerance 0.25: 0.5 -> 0.375 (at the bar), 0.5 -> 0.37"),
        (_m(0.5, 0.4999, 0.6), _m(0.5, 0.5, 0.5), 0.0, ["recall"], "tolerance 0: 0.5 -> 0.5, 0.5 -> 0.4999, 0.5 -> 0.6"),
        (_m(0.0, 0.0, 0.45), _m(0.0, 0.1, 0.5), 0.1, ["recall"], "baseline precision 0.0, recall 0.1 -> 0.0, AP 0.5 -> 0.45"),
        (_m(0.95, 0.5, 0.1), _m(1.0, 0.9, 0.9), 0.5, ["average_precision"], "tolerance 0.5: 1.0 -> 0.95, 0.9 -> 0.5, 0.9 -> 0.1"),
    ]
    for today, baseline, tolerance, expected, what in cases:
        got = learner.regressions(today, baseline, tolerance=tolerance)
        assert_equal(got, expected, f"regressions(..., tolerance={tolerance}) when {what}", hint)


@pytest.mark.question("regressions", points=1)
def test_regressions_hidden_data(learner, reference, hidden_log):
    """Hidden days compared with a fully labelled baseline day."""
    days = _days(hidden_log)
    # Each day's reference metrics are needed several times: compute them once.
    daily = functools.cache(lambda day: reference.daily_metrics(hidden_log, day))
    known = [d for d in days["full"][:12] if not any(math.isnan(daily(d)[k]) for k in public.METRICS)]
    if not known:
        raise Ungradable("the hidden log has no fully labelled day with all three metrics defined")
    pairs = [(day, base) for base in (known[len(known) // 2], days["full"][7])
             for day in (days["full"][-1], days["partial"][0], days["partial"][-1], days["none"][-1])]
    for day, base in pairs:
        baseline, today = daily(base), daily(day)
        for tolerance in (0.1, 0.3):
            got = learner.regressions(today, baseline, tolerance=tolerance)
            expected = reference.regressions(today, baseline, tolerance=tolerance)
            shown = {k: round(today[k], 4) for k in public.METRICS}
            base = {k: round(baseline[k], 4) for k in public.METRICS}
            assert_equal(got, expected, f"regressions(today={shown}, baseline={base}, tolerance={tolerance})",
                         public.REGRESSION_HINT)


# -- missed_fraud --------------------------------------------------------------------

@pytest.mark.question("missed_fraud", points=1)
def test_missed_fraud_hidden_data(learner, reference, hidden_log):
    """The largest missed frauds of the hidden log, at several thresholds and k."""
    exact = _score_of_a_fraud(hidden_log)
    for threshold, k in ((0.5, 10), (0.3, 25), (exact, 40)):
        what = f"missed_fraud(hidden log, threshold={threshold:.6g}, k={k})"
        got = learner.missed_fraud(hidden_log, threshold=threshold, k=k)
        expected = reference.missed_fraud(hidden_log, threshold=threshold, k=k)
        assert_frame_close(got, expected, what, rtol=1e-12, hint=public.MISSED_HINT)


@pytest.mark.question("missed_fraud", points=1)
def test_missed_fraud_ties_hidden(learner, reference, hidden_log):
    """Equal amounts, rows shuffled: ties go by transaction_id ascending."""
    tied = hidden_log.assign(amount=(hidden_log["amount"] / 50).round() * 50.0)
    tied = tied.sample(frac=1.0, random_state=5).reset_index(drop=True)
    missed = tied[tied["label"].eq(1).fillna(False).astype(bool) & (tied["score"] < 0.5)]
    if missed["amount"].duplicated().sum() < 10:
        raise Ungradable("the hidden log gives too few missed frauds of equal amount")
    for k in (7, 30, 10_000):
        what = f"missed_fraud(hidden log with amounts rounded to 50 and rows shuffled, k={k})"
        got = learner.missed_fraud(tied, k=k)
        expected = reference.missed_fraud(tied, k=k)
        assert_frame_close(got, expected, what, rtol=1e-12, hint=public.MISSED_HINT)


@pytest.mark.question("missed_fraud", points=1)
def test_missed_fraud_none_missed(learner, reference, hidden_log):
    """Nothing missed (threshold 0, or no label yet): an empty frame with the log's columns."""
    days = _days(hidden_log)
    unlabelled = hidden_log[hidden_log["timestamp"].dt.normalize().isin(pd.to_datetime(days["none"]))].reset_index(drop=True)
    hint = "When no fraud was missed, return an empty frame with the log's columns, in the log's order."
    for log, name, threshold in ((hidden_log, "hidden log", 0.0), (unlabelled, "hidden log's unlabelled days", 0.5)):
        what = f"missed_fraud({name}, threshold={threshold})"
        got = learner.missed_fraud(log, threshold=threshold)
        expected = reference.missed_fraud(log, threshold=threshold)
        if len(expected):
            raise Ungradable(f"{what}: expected no rows, the reference found {len(expected)}")
        expect_empty_frame(got, list(log.columns), what, hint)


# -- ALERTS_BY_DAY_SQL ---------------------------------------------------------------

@pytest.mark.question("ALERTS_BY_DAY_SQL", points=1)
def test_alerts_by_day_sql_hidden_data(learner, reference, hidden_log):
    """The hidden log's alerts per day: as the reference query, and as pandas counts them."""
    sql = public._learner_sql(learner)
    with public.AlertsDatabase(hidden_log) as db:
        for threshold in (0.5, _score_of_a_fraud(hidden_log)):
            what = f"ALERTS_BY_DAY_SQL on the hidden log, :threshold = {threshold:.6g}"
            got = db.run(sql, threshold)
            expected = db.run(reference.ALERTS_BY_DAY_SQL, threshold)
            try:
                public.check_sql_result(expected, public.alerts_by_day_pandas(hidden_log, threshold), what)
            except AssertionError as exc:
                raise Ungradable(f"the reference query and pandas disagree: {exc}") from None
            public.check_sql_result(got, expected, what)


@pytest.mark.question("ALERTS_BY_DAY_SQL", points=1)
def test_alerts_by_day_sql_edges(learner, reference, hidden_log):
    """Gaps between days, days with no label, thresholds that alert everything or nothing, an empty table."""
    sql = public._learner_sql(learner)
    days = _days(hidden_log)
    day = hidden_log["timestamp"].dt.strftime("%Y-%m-%d")
    gappy = hidden_log[~day.isin(days["all"][1::3])].reset_index(drop=True)
    late = hidden_log[day.isin(days["none"] + days["partial"][-2:])].reset_index(drop=True)
    cases = [
        (gappy, "the hidden log with every third day removed", 0.5),
        (late, "the hidden log's last days", 0.0),
        (late, "the hidden log's last days", 1.01),
        (hidden_log.iloc[:0], "an empty table", 0.5),
    ]
    for log, name, threshold in cases:
        what = f"ALERTS_BY_DAY_SQL on {name}, :threshold = {threshold}"
        got = public.run_alerts_sql(sql, log, threshold)
        expected = public.alerts_by_day_pandas(log, threshold)
        public.check_sql_result(got, expected, what)
