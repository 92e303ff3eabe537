"""Hidden tests of exercise 08, drift and retraining: run only at grading.

Every question has tests on the hidden seed's transactions (another period, drift on another
day), compared with the reference solution within tolerances, or checked by invariance
(retrain). Windows are placed relative to the hidden period's own drift day, so answers fitted
to the public data fail.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from grader._outcomes import Ungradable
from grader.testing import (
    assert_close,
    assert_equal,
    assert_frame_close,
    fail,
    public_tests,
)

public = public_tests(__file__)
FEATURES = public.FEATURES
DAY = pd.Timedelta(days=1)
# The generator starts the drift 40 days into every period (datasets/generate.py, DRIFT_OFFSET_DAYS).
DRIFT_OFFSET = 40 * DAY
# The floor the notebook states for retrain, relative to the reference's challenger.
AP_FLOOR = 0.8


@pytest.fixture(scope="module")
def hidden_tx():
    from grader.data import load_transactions

    tx = load_transactions(hidden=True)
    tx["hour"] = tx["timestamp"].dt.hour
    return tx


def _drift_day(tx) -> pd.Timestamp:
    return tx["timestamp"].min().normalize() + DRIFT_OFFSET


def _window(tx, start, end, column=None):
    rows = tx[(tx["timestamp"] >= start) & (tx["timestamp"] < end)]
    return rows if column is None else rows[column]


def _coprime(values, bins=20):
    """The first n values, n the largest size with gcd(n - 1, bins) == 1: no quantile edge then sits exactly on a
    data point, so every correct way of writing the quantile levels gives the same edges."""
    values = np.asarray(values)
    n = len(values)
    while n > 2 and math.gcd(n - 1, bins) != 1:
        n -= 1
    return values[:n]


def _reference_window(tx):
    """The first 28 days of the hidden period: the reference of the weekly monitors."""
    start = tx["timestamp"].min().normalize()
    return _window(tx, start, start + 28 * DAY)


def _around_drift(tx, days=14):
    """(before, after): the ``days`` days on either side of the hidden drift. Two weeks hold thousands of payments
    of every category and pair, as the whole period does, at half the size of the samples that cross to the learner."""
    drift = _drift_day(tx)
    return _window(tx, drift - days * DAY, drift), _window(tx, drift, drift + days * DAY)


def _weeks(tx):
    """(name, rows) of the weeks after the reference window, before and after the drift."""
    start = tx["timestamp"].min().normalize()
    return [(f"days {d}-{d + 6} of the hidden period", _window(tx, start + d * DAY, start + (d + 7) * DAY))
            for d in (28, 35, 42, 49)]


# -- psi ----------------------------------------------------------------------------------------

@pytest.mark.question("psi", points=1)
def test_psi_hidden_weeks(learner, reference, hidden_tx):
    """Weekly PSI of the hidden amounts against the first four weeks, for 5, 10 and 20 bins."""
    base = _coprime(_reference_window(hidden_tx)["amount"].to_numpy())
    for name, rows in _weeks(hidden_tx):
        current = rows["amount"].to_numpy()
        for bins in (10, 5, 20):
            what = f"psi(hidden amounts of the first 28 days, {name}, bins={bins})"
            expected = reference.psi(base, current, bins=bins)
            assert_close(learner.psi(base, current, bins=bins), expected, what, rtol=1e-9, atol=1e-12, hint=public.PSI_HINT)


@pytest.mark.question("psi", points=1)
def test_psi_hidden_ties(learner, reference, hidden_tx):
    """Features full of equal values (the hour, cash withdrawals in tens): edges fall on values that occur."""
    ref_rows = _reference_window(hidden_tx)
    atm = lambda rows: rows.loc[rows["channel"] == "atm", "amount"].to_numpy()  # noqa: E731
    hint = "A value equal to an edge goes to the bin above: np.searchsorted(edges, x, side='right')."
    for name, rows in _weeks(hidden_tx)[1:3]:
        for feature, base, current in (("hour", ref_rows["hour"].to_numpy(), rows["hour"].to_numpy()),
                                       ("ATM amount", atm(ref_rows), atm(rows))):
            base = _coprime(base)
            for bins in (10, 4):
                what = f"psi(hidden {feature} of the first 28 days, {feature} of {name}, bins={bins})"
                edges = np.quantile(base, np.linspace(0, 1, bins + 1)[1:-1])
                if not np.isin(edges, current).any():
                    raise Ungradable(f"{what}: no value of the current sample sits on an edge")
                expected = reference.psi(base, current, bins=bins)
                assert_close(learner.psi(base, current, bins=bins), expected, what, rtol=1e-9, atol=1e-12, hint=hint)


@pytest.mark.question("psi", points=1)
def test_psi_hidden_beyond_the_reference(learner, reference, hidden_tx):
    """Current values beyond the reference's range, and bins the current sample leaves empty, for several eps."""
    base = _coprime(_reference_window(hidden_tx)["amount"].to_numpy())
    after = _window(hidden_tx, _drift_day(hidden_tx), hidden_tx["timestamp"].max(), "amount").to_numpy()
    top = after[after > np.quantile(base, 0.85)]
    cases = [
        (after * 3, 1e-4, "post-drift amounts x 3"),
        (top, 1e-4, "post-drift amounts above the reference's 85th percentile"),
        (top, 1e-6, "post-drift amounts above the reference's 85th percentile, eps=1e-6"),
        (top, 0.01, "post-drift amounts above the reference's 85th percentile, eps=0.01"),
        (np.concatenate([top, base[:50] - 1000]), 1e-4, "the top amounts and 50 amounts below -900"),
    ]
    for current, eps, name in cases:
        what = f"psi(hidden amounts of the first 28 days, {name})"
        expected = reference.psi(base, current, eps=eps)
        got = learner.psi(base, current, eps=eps)
        assert_close(got, expected, what, rtol=1e-9, atol=1e-12,
                     hint="Open outer bins (-inf and +inf), and proportions clipped below at eps (np.maximum), not "
                          "shifted by it.")


# -- psi_categorical -------------------------------------------------------------------------------

@pytest.mark.question("psi_categorical", points=1)
def test_psi_categorical_hidden(learner, reference, hidden_tx):
    """Channel, merchant category, the channel of electronics and their pairs, before and after the hidden drift."""
    before, after = _around_drift(hidden_tx)
    pair = lambda rows: (rows["merchant_category"] + "/" + rows["channel"]).to_numpy()  # noqa: E731
    elec = lambda rows: rows.loc[rows["merchant_category"] == "electronics", "channel"].to_numpy()  # noqa: E731
    cases = [
        ("channel", before["channel"].to_numpy(), after["channel"].to_numpy()),
        ("merchant_category", before["merchant_category"].to_numpy(), after["merchant_category"].to_numpy()),
        ("channel of electronics", elec(before), elec(after)),
        ("category/channel pairs", pair(before), pair(after)),
    ]
    for name, ref, cur in cases:
        for eps in (1e-4, 1e-6):
            what = f"psi_categorical(hidden {name} of the two weeks before the drift, of the two after it, eps={eps})"
            expected = reference.psi_categorical(ref, cur, eps=eps)
            assert_close(learner.psi_categorical(ref, cur, eps=eps), expected, what, rtol=1e-9, atol=1e-12,
                         hint=public.CATEGORICAL_HINT)


@pytest.mark.question("psi_categorical", points=1)
def test_psi_categorical_hidden_new_and_gone(learner, reference, hidden_tx):
    """Categories that appear or disappear between the samples."""
    before, after = _around_drift(hidden_tx)
    ref = before["channel"].to_numpy()
    cur = after["channel"].to_numpy()
    renamed = np.where(cur == "atm", "contactless", cur)  # atm gone, contactless new
    cats = after["merchant_category"].to_numpy()
    cases = [
        ("channel, atm renamed contactless in the current sample", ref, renamed),
        ("channel, no atm in the current sample", ref, cur[cur != "atm"]),
        ("channel, atm only in the current sample", ref[ref != "atm"], cur),
        ("merchant category, travel gone", before["merchant_category"].to_numpy(), cats[cats != "travel"]),
    ]
    for name, r, c in cases:
        what = f"psi_categorical(hidden {name}, two weeks either side of the drift)"
        expected = reference.psi_categorical(r, c)
        assert_close(learner.psi_categorical(r, c), expected, what, rtol=1e-9, atol=1e-12,
                     hint="Use every category seen in either sample; a missing one has proportion 0, clipped to eps.")


@pytest.mark.question("psi_categorical", points=1)
def test_psi_categorical_hidden_many_categories(learner, reference, hidden_tx):
    """Terminal ids as categories: hundreds of categories, many seen in only one of two weeks."""
    weeks = _weeks(hidden_tx)
    for (name_a, a), (name_b, b) in ((weeks[0], weeks[1]), (weeks[0], weeks[3])):
        ref, cur = a["terminal_id"].to_numpy(), b["terminal_id"].to_numpy()
        if not (set(cur) - set(ref)) or not (set(ref) - set(cur)):
            raise Ungradable("the hidden weeks share all their terminals")
        what = f"psi_categorical(hidden terminal ids of {name_a}, of {name_b})"
        expected = reference.psi_categorical(ref, cur)
        assert_close(learner.psi_categorical(ref, cur), expected, what, rtol=1e-9, atol=1e-12,
                     hint=public.CATEGORICAL_HINT + " Categories may be numbers as well as strings.")


# -- drift_test ---------------------------------------------------------------------------------------

def _expected_result(reference, ref, cur, kind, **kwargs):
    result = reference.drift_test(ref, cur, kind, **kwargs)
    return {**result, "drift": bool(result["drift"])}


def _check_against_reference(learner, reference, ref, cur, kind, what, **kwargs):
    expected = _expected_result(reference, ref, cur, kind, **kwargs)
    got = learner.drift_test(ref, cur, kind, **kwargs)
    public.check_result(got, expected, what, rtol=1e-7)


@pytest.mark.question("drift_test", points=1)
def test_drift_test_hidden_small_samples(learner, reference, hidden_tx):
    """Samples of 150 to 1000 hidden payments: KS and chi-square, against the reference."""
    drift = _drift_day(hidden_tx)
    before = _window(hidden_tx, drift - 14 * DAY, drift)
    after = _window(hidden_tx, drift + 3 * DAY, drift + 17 * DAY)
    for n_ref, n_cur, seed in ((1000, 1000, 1), (600, 150, 2), (400, 900, 3)):
        ref, cur = before.sample(n_ref, random_state=seed), after.sample(n_cur, random_state=seed)
        for column, kind in (("amount", "numeric"), ("hour", "numeric"), ("channel", "categorical"),
                             ("merchant_category", "categorical")):
            for alpha in (0.05, 0.001):
                what = (f"drift_test(hidden {column}: {n_ref} payments before the drift, {n_cur} after, "
                        f"'{kind}', alpha={alpha})")
                _check_against_reference(learner, reference, ref[column].to_numpy(), cur[column].to_numpy(), kind,
                                         what, alpha=alpha)


@pytest.mark.question("drift_test", points=1)
def test_drift_test_hidden_large_samples(learner, reference, hidden_tx):
    """Whole hidden weeks: Wasserstein and Jensen-Shannon, and small inflations that are not drift."""
    base = _reference_window(hidden_tx)
    for name, rows in _weeks(hidden_tx):
        for column, kind in (("amount", "numeric"), ("hour", "numeric"), ("channel", "categorical"),
                             ("merchant_category", "categorical")):
            what = f"drift_test(hidden {column} of the first 28 days, of {name}, '{kind}')"
            _check_against_reference(learner, reference, base[column].to_numpy(), rows[column].to_numpy(), kind, what)
    amounts = base["amount"].to_numpy()
    for factor in (1.03, 1.08, 1.2):
        what = f"drift_test(hidden amounts of the first 28 days, the same x {factor}, 'numeric')"
        _check_against_reference(learner, reference, amounts, amounts * factor, "numeric", what)


@pytest.mark.question("drift_test", points=1)
def test_drift_test_hidden_categories(learner, reference, hidden_tx):
    """Categories new or gone, and a single category, in small and large hidden samples."""
    drift = _drift_day(hidden_tx)
    channel = hidden_tx["channel"].to_numpy()
    before = channel[(hidden_tx["timestamp"] < drift).to_numpy()]
    after = channel[(hidden_tx["timestamp"] >= drift).to_numpy()]
    renamed = np.where(after == "atm", "contactless", after)
    pos = before[before == "pos"]
    online = after[after == "online"]
    cases = [
        (before[:800], renamed[:700], "channel, atm renamed contactless"),
        (before, renamed, "channel, atm renamed contactless"),
        (before[:500], after[:500][after[:500] != "atm"], "channel, atm gone"),
        (pos[:300], pos[300:700], "pos only in both"),
        (pos[:300], online[:200], "pos only, online only"),
        (pos[:3000], online[:2000], "pos only, online only"),
    ]
    for ref, cur, name in cases:
        what = f"drift_test(hidden {name}: {len(ref)} and {len(cur)} payments, 'categorical')"
        _check_against_reference(learner, reference, ref, cur, "categorical", what)


# -- drift_report ---------------------------------------------------------------------------------------

def _frame(rows):
    """FEATURES plus a bool and an integer column."""
    return rows[FEATURES].assign(is_online=(rows["channel"] == "online").to_numpy(),
                                 weekday=rows["timestamp"].dt.dayofweek.to_numpy().astype("int64"))


def _compare_reports(learner, reference, ref_df, cur_df, what, **kwargs):
    expected, expected_flag = reference.drift_report(ref_df, cur_df, **kwargs)
    report, flag = public.unpack_report(learner.drift_report(ref_df, cur_df, **kwargs), what)
    expected = expected.astype({"drift": bool})
    assert_frame_close(report.astype({"drift": bool}), expected, what, rtol=1e-7, atol=1e-12, hint=public.REPORT_HINT)
    assert_equal(flag, bool(expected_flag), f"{what}: dataset_drift", public.REPORT_HINT)
    return expected


@pytest.mark.question("drift_report", points=1)
def test_drift_report_hidden_weeks(learner, reference, hidden_tx):
    """Whole hidden weeks against the first four: distance tests on six columns, one of them bool."""
    base = _frame(_reference_window(hidden_tx))
    for name, rows in _weeks(hidden_tx):
        _compare_reports(learner, reference, base, _frame(rows), f"drift_report(hidden first 28 days, {name})")
    cols = ["channel", "weekday", "amount"]
    name, rows = _weeks(hidden_tx)[-1]
    _compare_reports(learner, reference, base[cols], _frame(rows), f"drift_report(hidden {cols}, {name})")


@pytest.mark.question("drift_report", points=1)
def test_drift_report_hidden_samples(learner, reference, hidden_tx):
    """Samples of 800 hidden payments: p-value tests with the Bonferroni correction, at two alphas."""
    base = _frame(_reference_window(hidden_tx)).sample(800, random_state=5)
    for name, rows in _weeks(hidden_tx):
        current = _frame(rows).sample(800, random_state=6)
        for alpha in (0.05, 0.2):
            _compare_reports(learner, reference, base, current,
                             f"drift_report(800 hidden payments of the first 28 days, 800 of {name}, alpha={alpha})",
                             alpha=alpha)


@pytest.mark.question("drift_report", points=1)
def test_drift_report_hidden_bonferroni(learner, reference, hidden_tx):
    """Hidden days whose reports hold a raw p-value between alpha / m and alpha: corrected, it is not drift."""
    base = _frame(_reference_window(hidden_tx)).sample(600, random_state=8)
    start = hidden_tx["timestamp"].min().normalize()
    found = 0
    for day in range(28, 60):
        rows = _window(hidden_tx, start + day * DAY, start + (day + 1) * DAY)
        current = _frame(rows).sample(600, random_state=day)
        expected, _ = reference.drift_report(base, current)
        m = int(expected["p_value"].notna().sum())
        between = expected.index[(expected["p_value"] < 0.05) & (expected["p_value"] >= 0.05 / m)]
        if not len(between):
            continue
        what = f"drift_report(600 hidden payments of the first 28 days, 600 of day {day}, where {list(between)} has " \
               f"0.05 / {m} <= p < 0.05)"
        _compare_reports(learner, reference, base, current, what)
        found += 1
        if found == 3:
            return
    if not found:
        raise Ungradable("no hidden day gives a p-value between alpha / m and alpha")


# -- should_retrain -----------------------------------------------------------------------------------------

POLICIES = [
    {"drift_share": 0.5, "max_relative_drop": 0.1, "min_labelled": 500},
    {"drift_share": 0.25, "max_relative_drop": 0.3, "min_labelled": 5000},
    {"drift_share": 0.2, "max_relative_drop": 0.0, "min_labelled": 100},
    {"drift_share": 0.75, "max_relative_drop": 0.5, "min_labelled": 10_000},
]


@pytest.fixture(scope="module")
def hidden_log():
    from grader.data import load_prediction_log

    return load_prediction_log(hidden=True)


def _labelled_ap(rows):
    from sklearn.metrics import average_precision_score

    labelled = rows[rows["label"].notna()]
    y = labelled["label"].astype("int64").to_numpy()
    if not y.sum():
        return math.nan, len(labelled)
    return float(average_precision_score(y, labelled["score"].to_numpy())), len(labelled)


@pytest.fixture(scope="module")
def week_cache():
    """Where _week_inputs keeps its answer: the three should_retrain tests read the same weeks, and never change them."""
    return {}


def _week_inputs(reference, hidden_tx, hidden_log, cache):
    """(name, report, performance) for each hidden week and the last days: drift on whole weeks, AP from the log.
    Computed by the first should_retrain test and kept in ``cache`` for the other two."""
    if "weeks" in cache:
        return cache["weeks"]
    start = hidden_tx["timestamp"].min().normalize()
    base_rows = _reference_window(hidden_tx)
    baseline, _ = _labelled_ap(_window(hidden_log, start, start + 28 * DAY))
    out = []
    for d in (28, 35, 42, 49, 56):
        end = start + (d + 7) * DAY
        report, _ = reference.drift_report(base_rows[FEATURES], _window(hidden_tx, start + d * DAY, end, FEATURES))
        ap, n = _labelled_ap(_window(hidden_log, start + d * DAY, end))
        out.append((f"days {d}-{d + 6}", report, {"average_precision": ap, "baseline_average_precision": baseline,
                                                  "n_labelled": n}))
    cache["weeks"] = out
    return out


def _check_decisions(learner, reference, cases):
    for name, report, perf, policy in cases:
        what = (f"should_retrain(report of {name} with {int(report['drift'].sum())} of {len(report)} features drifting, "
                f"AP {perf['average_precision']:.4g} vs {perf['baseline_average_precision']:.4g} on "
                f"{perf['n_labelled']} labels, policy {policy})")
        expected = bool(reference.should_retrain(report, perf, policy))
        got = learner.should_retrain(report, perf, policy)
        if not isinstance(got, (bool, np.bool_)):
            fail(f"{what} is {got!r} ({type(got).__name__}); expected a bool", public.RETRAIN_HINT)
        assert_equal(bool(got), expected, what, public.RETRAIN_HINT)


@pytest.mark.question("should_retrain", points=1)
def test_should_retrain_hidden_weeks(learner, reference, hidden_tx, hidden_log, week_cache):
    """The hidden weeks' drift reports and measured AP, under four policies."""
    weeks = _week_inputs(reference, hidden_tx, hidden_log, week_cache)
    _check_decisions(learner, reference, [(n, r, p, pol) for n, r, p in weeks for pol in POLICIES])


@pytest.mark.question("should_retrain", points=1)
def test_should_retrain_hidden_unmeasured(learner, reference, hidden_tx, hidden_log, week_cache):
    """Hidden weeks whose AP cannot be trusted: too few labels, or no fraud among them (AP NaN)."""
    weeks = _week_inputs(reference, hidden_tx, hidden_log, week_cache)
    cases = []
    for name, report, perf in weeks:
        for policy in POLICIES:
            cases.append((name + ", AP NaN", report, {**perf, "average_precision": math.nan}, policy))
            cases.append((name + ", labels below the minimum", report,
                          {**perf, "n_labelled": policy["min_labelled"] - 1}, policy))
    _check_decisions(learner, reference, cases)


@pytest.mark.question("should_retrain", points=1)
def test_should_retrain_hidden_boundaries(learner, reference, hidden_tx, hidden_log, week_cache):
    """At the bars: AP exactly at baseline * (1 - drop), labels exactly at the minimum, drift share exactly at the policy's."""
    weeks = _week_inputs(reference, hidden_tx, hidden_log, week_cache)
    cases = []
    for name, report, perf in weeks:
        share = float(report["drift"].astype(bool).mean())
        for policy in POLICIES:
            bar = perf["baseline_average_precision"] * (1 - policy["max_relative_drop"])
            cases.append((name + ", AP at the bar", report,
                          {**perf, "average_precision": bar, "n_labelled": policy["min_labelled"]}, policy))
            cases.append((name + ", AP just below the bar", report,
                          {**perf, "average_precision": bar - 1e-9, "n_labelled": policy["min_labelled"]}, policy))
            cases.append((name + ", drift share at the policy's", report, {**perf, "n_labelled": 0},
                          {**policy, "drift_share": share}))
    _check_decisions(learner, reference, cases)


# -- retrain --------------------------------------------------------------------------------------------------

def _cutoff(tx, days_after_drift):
    return _drift_day(tx) + days_after_drift * DAY


def _scores(learner_or_reference, df, cutoff, window, rows, what):
    model = learner_or_reference.retrain(df, cutoff, window)
    return public.fraud_scores(model, rows, what)


@pytest.mark.question("retrain", points=1)
def test_retrain_hidden_quality(learner, reference, hidden_tx):
    """The challenger's AP on the hidden days after the cutoff reaches 0.8 x the reference's."""
    cutoff = _cutoff(hidden_tx, 10)
    after = hidden_tx[hidden_tx["timestamp"] >= cutoff]
    what = f"retrain(hidden transactions, '{cutoff.date()}', 14)"
    got = public.average_precision(after["is_fraud"], _scores(learner, hidden_tx, cutoff, 14, after, what))
    expected = public.average_precision(after["is_fraud"], _scores(reference, hidden_tx, cutoff, 14, after, "reference"))
    if not got >= AP_FLOOR * expected:
        fail(f"{what}: average precision on the {len(after):,} hidden payments after the cutoff is {got:.3f}; expected "
             f"at least {AP_FLOOR} x the reference's {expected:.3f} = {AP_FLOOR * expected:.3f}",
             "Scale amount and hour, one-hot encode channel and merchant_category, and fit a classifier on the "
             "window's labelled rows; check that amount reaches the model.")


def _recent(tx, cutoff, days):
    """The hidden rows from ``days`` days before the cutoff on: the training window, a week or more before it, and
    every row after the cutoff. Older rows add nothing to what the invariance tests check, and every call of
    retrain ships the whole frame to the learner's side."""
    return tx[tx["timestamp"] >= cutoff - days * DAY].reset_index(drop=True)


def _invariance(learner, df, changed, cutoff, window, rows, what_changed, hint):
    name = f"hidden transactions from {df['timestamp'].min().date()}"
    what = f"retrain({name}, '{pd.Timestamp(cutoff).date()}', {window})"
    clean = _scores(learner, df, cutoff, window, rows, what)
    other = _scores(learner, changed, cutoff, window, rows, f"retrain({name} with {what_changed}, ...)")
    diff = public.max_difference(clean, other)
    if diff > 1e-6:
        fail(f"{what}: {what_changed} changed the scores by up to {diff:.3g}; expected no change, since none of those "
             "rows is a training row", hint)


@pytest.mark.question("retrain", points=1)
def test_retrain_hidden_flipped_labels(learner, hidden_tx):
    """Flipping every label outside the training rows leaves the model unchanged (hidden data)."""
    cutoff = _cutoff(hidden_tx, 10)
    rows = hidden_tx[hidden_tx["timestamp"] >= cutoff - 20 * DAY]
    df = _recent(hidden_tx, cutoff, 21)
    _invariance(learner, df, public.poisoned(df, cutoff, 14), cutoff, 14, rows,
                "is_fraud flipped on every row outside the training rows",
                "Keep only cutoff - window_days <= timestamp < cutoff and label_available_at <= cutoff; a label that "
                "arrived after the cutoff, and every row after it, did not exist when you retrained.")


@pytest.mark.question("retrain", points=1)
def test_retrain_hidden_unarrived_rows(learner, hidden_tx):
    """Removing the rows whose label had not arrived leaves the model unchanged: they are not genuine payments."""
    cutoff = _cutoff(hidden_tx, 10)
    rows = hidden_tx[hidden_tx["timestamp"] >= cutoff - 20 * DAY]
    df = _recent(hidden_tx, cutoff, 21)
    unarrived = df["label_available_at"] > cutoff
    if not (unarrived & (df["timestamp"] < cutoff)).sum():
        raise Ungradable("no hidden row before the cutoff lacks its label")
    _invariance(learner, df, df[~unarrived].reset_index(drop=True), cutoff, 14, rows,
                "the rows whose label had not arrived by the cutoff removed",
                "A payment whose label had not arrived is not a genuine payment: leave it out of training, do not "
                "count it as 0.")


@pytest.mark.question("retrain", points=1)
def test_retrain_hidden_window_days(learner, hidden_tx):
    """Windows of 7 and 21 days: labels before the window do not matter."""
    cutoff = _cutoff(hidden_tx, 12)
    rows = hidden_tx[hidden_tx["timestamp"] >= cutoff - 25 * DAY]
    df = _recent(hidden_tx, cutoff, 28)
    for window in (7, 21):
        _invariance(learner, df, public.poisoned(df, cutoff, window), cutoff, window, rows,
                    f"is_fraud flipped outside the {window}-day window's training rows",
                    "Use window_days: the training rows start at cutoff - window_days days.")
