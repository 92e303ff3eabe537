"""Public tests of exercise 08, drift and retraining.

They run in your notebook when you call ``check("name")``, and again at grading. They use
small samples built by hand below, whose expected values were worked out on paper (each
is written as the formula it came from), and the public transactions. More tests run at
grading, on data you have not seen.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from grader.testing import assert_close, assert_equal, expect_keys, expect_type, fail

HINTS = {
    "psi": [
        "Edges: `np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])`, the bins - 1 inner edges only. "
        "The first bin runs from -inf and the last to +inf, so every value of `current` lands in a bin.",
        "Bin index of each value: `np.searchsorted(edges, x, side='right')` (a value equal to an edge goes to the "
        "bin above), then `np.bincount(..., minlength=bins) / len(x)`. Use the same edges for both samples.",
        "Clip both proportion vectors below at `eps` with `np.maximum(p, eps)` before `np.log`: an empty bin "
        "otherwise gives log(0) = -inf. Then `float(np.sum((c - r) * np.log(c / r)))`.",
    ],
    "psi_categorical": [
        "The categories are the union of the values seen in `reference` and in `current`.",
        "`pd.Series(x).value_counts(normalize=True)` gives the proportions; `.reindex(categories, fill_value=0.0)` "
        "puts both on the same categories, with 0 for a category a sample does not have.",
        "Clip at `eps` before the log, then `sum((c - r) * ln(c / r))`, as for numbers.",
    ],
    "drift_test": [
        "Small means `len(reference) <= 1000 and len(current) <= 1000`. Numeric: small -> `scipy.stats.ks_2samp`, "
        "otherwise `scipy.stats.wasserstein_distance` divided by `max(np.std(reference), 0.001)`.",
        "Categorical: small -> `scipy.stats.chi2_contingency` on the 2 x k table of *counts* (row 0 reference, row 1 "
        "current, one column per category seen in either); otherwise `scipy.spatial.distance.jensenshannon` of the "
        "two proportion vectors over the same categories.",
        "p-value tests drift when p_value < alpha; distance tests when statistic >= 0.1, and their p_value is "
        "`math.nan`. With a single category, chi2 gives statistic 0.0 and p-value 1.0.",
    ],
    "drift_report": [
        "One row per column of `reference_df`, in its order, index named 'feature', columns kind, method, statistic, "
        "p_value, drift. kind is 'numeric' for numeric dtypes other than bool, 'categorical' otherwise.",
        "Bonferroni: count m, the columns whose test gave a p-value (ks or chi2); each of them drifts when its "
        "p_value < alpha / m. Keep the raw p-values in the report. Distance tests keep their 0.1 threshold.",
        "Return a tuple `(report, dataset_drift)`, with dataset_drift = at least half of the columns drift "
        "(`report['drift'].mean() >= 0.5`), as a bool.",
    ],
    "should_retrain": [
        "Performance is measured when `n_labelled >= policy['min_labelled']` and the average precision is not NaN.",
        "Measured: retrain exactly when `average_precision < baseline_average_precision * (1 - max_relative_drop)`; "
        "the drift report does not matter then.",
        "Not measured: retrain when the share of drifting features, `report['drift'].mean()`, is >= "
        "`policy['drift_share']` (an empty report never triggers). `nan < x` is False: test NaN with math.isnan.",
    ],
    "retrain": [
        "The training rows: `cutoff - window_days days <= timestamp < cutoff` and `label_available_at <= cutoff`. "
        "A label that arrived after the cutoff did not exist when you retrained.",
        "Drop the rows whose label had not arrived: do not count them as genuine.",
        "Return a fitted `Pipeline` (a ColumnTransformer that scales amount and hour and one-hot encodes channel and "
        "merchant_category, then LogisticRegression) that scores `X[FEATURES]`. Fix random_state if anything "
        "in it is random.",
    ],
}

FEATURES = ["amount", "hour", "channel", "merchant_category"]
EPS = 1e-4


def psi_formula(r, c):
    """sum((c - r) * ln(c / r)) over proportions already clipped at eps; used to write down hand-made answers."""
    return sum((ci - ri) * math.log(ci / ri) for ri, ci in zip(r, c))


@pytest.fixture(scope="module")
def transactions():
    from grader.data import load_transactions

    tx = load_transactions()
    tx["hour"] = tx["timestamp"].dt.hour
    return tx


# -- psi ---------------------------------------------------------------------------------

PSI_HINT = (
    "Edges are the reference's quantiles at 1/bins ... (bins-1)/bins; the outer bins are open; a value equal to an "
    "edge goes to the bin above; proportions are clipped below at eps; PSI = sum((c - r) * ln(c / r))."
)


@pytest.mark.question("psi", points=1)
def test_psi_hand_built(learner):
    """Ten values in five bins: no change, everything in one bin, values beyond the reference's range."""
    reference = np.arange(1.0, 11.0)  # quantile edges 2.8, 4.6, 6.4, 8.2: two values per bin
    cases = [
        (reference.copy(), EPS, 0.0, "current = reference"),
        # all in the top bin [8.2, inf): the four other bins are empty and clipped at eps
        ([9.0, 10.0, 9.5, 8.5], EPS, psi_formula([0.2] * 5, [EPS] * 4 + [1.0]), "current all in the top bin"),
        ([9.0, 10.0, 9.5, 8.5], 1e-3, psi_formula([0.2] * 5, [1e-3] * 4 + [1.0]), "current all in the top bin, eps=1e-3"),
        # 100 and 250 are above the reference's maximum, -3 below its minimum: the outer bins are open
        ([100.0, 250.0, -3.0, 0.5], EPS, psi_formula([0.2] * 5, [0.5, EPS, EPS, EPS, 0.5]),
         "current beyond the reference's range (-3, 0.5, 100, 250)"),
    ]
    for current, eps, expected, what in cases:
        got = learner.psi(reference, np.asarray(current), bins=5, eps=eps)
        assert_close(got, expected, f"psi(1..10, {what}, bins=5)", rtol=1e-9, atol=1e-12, hint=PSI_HINT)
    got = learner.psi(list(reference), [9.0, 10.0, 9.5, 8.5], bins=5)
    assert_close(got, psi_formula([0.2] * 5, [EPS] * 4 + [1.0]), "psi(a list, a list, bins=5) (eps by default)",
                 rtol=1e-9, atol=1e-12, hint="Accept any array-like: np.asarray(reference, dtype=float).")


@pytest.mark.question("psi", points=1)
def test_psi_edges_belong_to_the_bin_above(learner):
    """A value equal to an edge falls in the bin above it, like np.histogram and np.digitize."""
    # reference 1..9 with bins=4: edges 3, 5, 7 (quantiles at positions 2, 4, 6, exactly on values);
    # bins (-inf, 3) {1, 2}, [3, 5) {3, 4}, [5, 7) {5, 6}, [7, inf) {7, 8, 9}
    r = [2 / 9, 2 / 9, 2 / 9, 3 / 9]
    for current, c, what in (([3.0, 3.0, 3.0, 3.0], [EPS, 1.0, EPS, EPS], "all equal to the edge 3"),
                             ([3.0, 5.0, 7.0, 7.0], [EPS, 0.25, 0.25, 0.5], "3, 5, 7, 7 (each on an edge)")):
        got = learner.psi(np.arange(1.0, 10.0), np.array(current), bins=4)
        assert_close(got, psi_formula(r, c), f"psi(1..9, {what}, bins=4)", rtol=1e-9, atol=1e-12,
                     hint="np.searchsorted(edges, x, side='right') puts a value equal to an edge in the bin above.")


@pytest.mark.question("psi", points=1)
def test_psi_shifted_copy(learner):
    """A shifted copy of the reference: bins come from the reference only, so the shift shows."""
    reference = np.arange(100.0)  # edges 9.9, 19.8, ..., 89.1: ten values per bin
    current = reference + 50  # 50..149: the five lower bins empty, 60 values in the top bin
    expected = psi_formula([0.1] * 10, [EPS] * 5 + [0.1] * 4 + [0.6])
    got = learner.psi(reference, current)
    assert_close(got, expected, "psi(0..99, 0..99 shifted by 50)", rtol=1e-9, atol=1e-12,
                 hint="Compute the edges once, from the reference, and bin both samples with them. Quantile bins "
                      "of each sample's own data always hold 10% each, and every shift gives PSI 0.")


@pytest.mark.question("psi", points=1)
def test_psi_public_amounts(learner, transactions):
    """Public amounts: below 0.1 for a week before the drift, above it for a week after, always a finite float."""
    ts, amount = transactions["timestamp"], transactions["amount"]
    reference = amount[ts < "2024-04-29"].to_numpy()
    for start, end, stable in (("2024-04-29", "2024-05-06", True), ("2024-05-20", "2024-05-27", False)):
        current = amount[(ts >= start) & (ts < end)].to_numpy()
        what = f"psi(amounts of 1-28 April, amounts of {start} to {end})"
        got = learner.psi(reference, current)
        if isinstance(got, bool) or not isinstance(got, (int, float, np.floating)) or not math.isfinite(got):
            fail(f"{what} is {got!r}; expected a finite float", PSI_HINT)
        if stable and not 0 <= got < 0.1:
            fail(f"{what} = {got:.4g}; expected a value in [0, 0.1) for a week before the drift", PSI_HINT)
        if not stable and not got >= 0.1:
            fail(f"{what} = {got:.4g}; expected 0.1 or more after prices rose by 1.8x", PSI_HINT)


# -- psi_categorical ----------------------------------------------------------------------

CATEGORICAL_HINT = (
    "Take the categories seen in either sample; a category missing from a sample has proportion 0, clipped to eps. "
    "PSI = sum((c - r) * ln(c / r)) over all of them."
)


@pytest.mark.question("psi_categorical", points=1)
def test_psi_categorical_hand_built(learner):
    """A category that is new in the current sample and one that is gone both count."""
    reference = ["a", "a", "b", "b"]
    cases = [
        (["b", "a", "b", "a"], EPS, 0.0, "the same labels in another order"),
        # a: 0.5 -> 0.75, b: 0.5 -> gone (eps), c: new (eps) -> 0.25
        (["a", "a", "a", "c"], EPS, psi_formula([0.5, 0.5, EPS], [0.75, EPS, 0.25]), "b gone, c new"),
        (["a", "a", "a", "c"], 0.01, psi_formula([0.5, 0.5, 0.01], [0.75, 0.01, 0.25]), "b gone, c new, eps=0.01"),
        (["a"] * 3, EPS, psi_formula([0.5, 0.5], [1.0, EPS]), "only a"),
    ]
    for current, eps, expected, what in cases:
        got = learner.psi_categorical(np.array(reference), np.array(current), eps=eps)
        assert_close(got, expected, f"psi_categorical(a a b b, {what})", rtol=1e-9, atol=1e-12, hint=CATEGORICAL_HINT)
    got = learner.psi_categorical(pd.Series(reference), ["a", "a", "a", "c"])
    assert_close(got, psi_formula([0.5, 0.5, EPS], [0.75, EPS, 0.25]), "psi_categorical(a Series, a list)",
                 rtol=1e-9, atol=1e-12, hint="Accept any array-like of labels: lists, arrays and Series.")


# -- drift_test -----------------------------------------------------------------------------

TEST_KEYS = ["method", "statistic", "p_value", "drift"]
TEST_HINT = (
    "Numeric: ks when both samples have at most 1000 values, else wasserstein / max(std(reference), 0.001). "
    "Categorical: chi2 on counts when small, else jensenshannon. p-value tests drift at p < alpha, distances at >= 0.1."
)


def check_result(got, expected: dict, what: str, hint: str = TEST_HINT, rtol: float = 1e-9):
    """A drift_test result: the exact keys, the method, close numbers (NaN p-values for distances), the flag."""
    expect_keys(got, TEST_KEYS, what, hint)
    assert_equal(got["method"], expected["method"], f"{what}['method']", hint)
    for key in ("statistic", "p_value"):
        if key in expected:
            assert_close(got[key], expected[key], f"{what}[{key!r}]", rtol=rtol, atol=1e-12, hint=hint)
    flag = got["drift"]
    if not isinstance(flag, (bool, np.bool_)):
        fail(f"{what}['drift'] is {flag!r} ({type(flag).__name__}); expected a bool", hint)
    if "drift" in expected:
        assert_equal(bool(flag), expected["drift"], f"{what}['drift']", hint)


@pytest.mark.question("drift_test", points=1)
def test_drift_test_small_numeric(learner):
    """Twenty values: Kolmogorov-Smirnov, its statistic and its verdict."""
    reference = np.arange(20.0)
    got = learner.drift_test(reference, reference + 10, "numeric")
    # half of the shifted sample lies above the reference's largest value: D = 0.5, p about 0.012 < 0.05
    check_result(got, {"method": "ks", "statistic": 0.5, "drift": True}, "drift_test(0..19, 10..29, 'numeric')")
    if not 0 < got["p_value"] < 0.05:
        fail(f"drift_test(0..19, 10..29, 'numeric')['p_value'] = {got['p_value']!r}; expected a p-value in (0, 0.05)",
             TEST_HINT)
    got = learner.drift_test(reference, reference[::-1].copy(), "numeric")
    check_result(got, {"method": "ks", "statistic": 0.0, "p_value": 1.0, "drift": False},
                 "drift_test(0..19, the same values reversed, 'numeric')")
    got = learner.drift_test(reference, reference + 10, "numeric", alpha=0.01)
    check_result(got, {"method": "ks", "statistic": 0.5, "drift": False}, "drift_test(0..19, 10..29, 'numeric', alpha=0.01)")


@pytest.mark.question("drift_test", points=1)
def test_drift_test_large_numeric(learner, transactions):
    """On 48,000 amounts, a 5% inflation is not drift (Kolmogorov-Smirnov would flag it); 1.8x is."""
    amount = transactions.loc[transactions["timestamp"] < "2024-05-11", "amount"].to_numpy()
    hint = ("A KS test on tens of thousands of rows finds every tiny shift significant. Above 1000 values use the "
            "Wasserstein distance divided by the reference's standard deviation, and flag it at 0.1.")
    for factor, drift in ((1.05, False), (1.8, True)):
        # scaling positive values by f moves every quantile by (f - 1) * value: W = (f - 1) * mean
        expected = (factor - 1) * amount.mean() / np.std(amount)
        what = f"drift_test(amounts before the drift, the same amounts x {factor}, 'numeric')"
        got = learner.drift_test(amount, amount * factor, "numeric")
        check_result(got, {"method": "wasserstein", "statistic": expected, "p_value": math.nan, "drift": drift}, what,
                     hint, rtol=1e-6)


@pytest.mark.question("drift_test", points=1)
def test_drift_test_sample_size_rule(learner):
    """1000 values each is small (ks); 1001 is large (wasserstein, with a distance on the standard deviation)."""
    base = np.arange(1000.0)
    got = learner.drift_test(base, base + 10, "numeric")
    check_result(got, {"method": "ks", "statistic": 0.01}, "drift_test(1000 values, 1000 values, 'numeric')")
    base = np.arange(1001.0)
    # W of a shift by 30 is 30; std of 0..1000 is sqrt((1001**2 - 1) / 12)
    expected = 30 / math.sqrt((1001**2 - 1) / 12)
    got = learner.drift_test(base, base + 30, "numeric")
    check_result(got, {"method": "wasserstein", "statistic": expected, "p_value": math.nan, "drift": expected >= 0.1},
                 "drift_test(1001 values, the same shifted by 30, 'numeric')")


@pytest.mark.question("drift_test", points=1)
def test_drift_test_categorical(learner):
    """Chi-square on a 2 x 3 table of counts, and Jensen-Shannon on large samples, worked out by hand."""
    hint = ("chi2: scipy.stats.chi2_contingency on counts (not proportions), one column per category seen in either "
            "sample. jensenshannon: scipy.spatial.distance.jensenshannon of the proportions (natural log).")
    reference = np.array(["a"] * 10 + ["b"] * 10 + ["c"] * 10)
    current = np.array(["a"] * 20 + ["b"] * 5 + ["c"] * 5)
    # expected counts 15, 7.5, 7.5 in both rows: chi2 = 2 * (25/15 + 6.25/7.5 + 6.25/7.5) = 20/3, 2 degrees of
    # freedom, p = exp(-chi2 / 2)
    for alpha in (0.05, 0.01):
        what = f"drift_test(a b c x 10 each, a x 20 b x 5 c x 5, 'categorical', alpha={alpha})"
        got = learner.drift_test(reference, current, "categorical", alpha=alpha)
        check_result(got, {"method": "chi2", "statistic": 20 / 3, "p_value": math.exp(-10 / 3), "drift": alpha == 0.05},
                     what, hint)
    # a category new in the current sample: table [[10, 10, 0], [10, 5, 5]], chi2 = 20/3 again
    got = learner.drift_test(np.array(["a"] * 10 + ["b"] * 10), current[10:], "categorical")
    check_result(got, {"method": "chi2", "statistic": 20 / 3, "p_value": math.exp(-10 / 3), "drift": True},
                 "drift_test(a x 10 b x 10, a x 10 b x 5 c x 5 (c is new), 'categorical')", hint)
    # 1200 values each: proportions (1/2, 1/2) and (1, 0), M = (3/4, 1/4): JS^2 = 3/4 ln(4/3)
    got = learner.drift_test(np.array(["a"] * 600 + ["b"] * 600), np.array(["a"] * 1200), "categorical")
    check_result(got, {"method": "jensenshannon", "statistic": math.sqrt(0.75 * math.log(4 / 3)), "p_value": math.nan,
                       "drift": True}, "drift_test(a x 600 b x 600, a x 1200, 'categorical')", hint)


# -- drift_report -----------------------------------------------------------------------------

REPORT_COLUMNS = ["kind", "method", "statistic", "p_value", "drift"]
REPORT_HINT = (
    "Return (report, dataset_drift): one row per column of reference_df in its order, index named 'feature', columns "
    "kind, method, statistic, p_value, drift. p-value tests drift at p < alpha / m (m = number of p-value tests); "
    "dataset_drift is True when at least half of the columns drift."
)


def unpack_report(got, what: str, hint: str = REPORT_HINT):
    """Check the (report, dataset_drift) shape of a drift_report result and return its two parts."""
    expect_type(got, tuple, what, hint + " A DataFrame's attrs are easily lost: return the flag beside the frame.")
    if len(got) != 2:
        fail(f"{what} is a tuple of {len(got)} items; expected 2: (report, dataset_drift)", hint)
    report, flag = got
    expect_type(report, pd.DataFrame, f"{what}[0]", hint)
    if list(report.columns) != REPORT_COLUMNS:
        fail(f"{what}[0]: expected the columns {REPORT_COLUMNS}, got {list(report.columns)}", hint)
    if report.index.name != "feature":
        fail(f"{what}[0]: expected the index named 'feature', got {report.index.name!r}", hint)
    if not isinstance(flag, (bool, np.bool_)):
        fail(f"{what}[1] is {flag!r} ({type(flag).__name__}); expected a bool", hint)
    return report, bool(flag)


def check_rows(report, expected: dict, what: str, hint: str = REPORT_HINT):
    """Rows of a report against hand-made ones: {feature: (kind, method, drift)}."""
    if list(report.index) != list(expected):
        fail(f"{what}: expected the rows {list(expected)}, in that order, got {list(report.index)}", hint)
    for feature, (kind, method, drift) in expected.items():
        row = report.loc[feature]
        assert_equal(row["kind"], kind, f"{what}: kind of {feature!r}", hint)
        assert_equal(row["method"], method, f"{what}: method of {feature!r}", hint)
        assert_equal(bool(row["drift"]), drift, f"{what}: drift of {feature!r}", hint)


@pytest.mark.question("drift_report", points=1)
def test_drift_report_bonferroni(learner):
    """A p-value of 0.036 drifts alone, and not beside a second test (0.036 > 0.05 / 2)."""
    shifted = ["a"] * 10 + ["b"] * 10 + ["c"] * 10, ["a"] * 20 + ["b"] * 5 + ["c"] * 5  # p = exp(-10/3) = 0.036
    same = ["x", "y", "z"] * 10, ["z", "y", "x"] * 10  # p = 1
    reference = pd.DataFrame({"merchant": shifted[0], "device": same[0]})
    current = pd.DataFrame({"merchant": shifted[1], "device": same[1]})
    hint = ("With m p-value tests, each one drifts only when p < alpha / m (Bonferroni): otherwise, with 20 features "
            "and no drift at all, you would expect one false alarm per report.")
    what = "drift_report(merchant (p = 0.036) and device (p = 1))"
    report, flag = unpack_report(learner.drift_report(reference, current), what)
    check_rows(report, {"merchant": ("categorical", "chi2", False), "device": ("categorical", "chi2", False)}, what, hint)
    assert_close(report.loc["merchant", "p_value"], math.exp(-10 / 3), f"{what}: p_value of 'merchant'", rtol=1e-9,
                 hint="Keep the raw p-value in the report; the correction changes the bar, not the p-value.")
    assert_equal(flag, False, f"{what}: dataset_drift", hint)
    what = "drift_report(merchant (p = 0.036) alone)"
    report, flag = unpack_report(learner.drift_report(reference[["merchant"]], current[["merchant"]]), what)
    check_rows(report, {"merchant": ("categorical", "chi2", True)}, what, hint)
    assert_equal(flag, True, f"{what}: dataset_drift", hint)
    what = "drift_report(merchant (p = 0.036) and device (p = 1), alpha=0.1)"
    report, flag = unpack_report(learner.drift_report(reference, current, alpha=0.1), what)
    check_rows(report, {"merchant": ("categorical", "chi2", True), "device": ("categorical", "chi2", False)}, what, hint)


@pytest.mark.question("drift_report", points=1)
def test_drift_report_dataset_share(learner):
    """Large samples: kinds from dtypes, distance tests, and dataset drift from half of the columns on."""
    n = 2000
    base = np.arange(n, dtype="float64")
    reference = pd.DataFrame({
        "amount": base,
        "hour": (np.arange(n) % 24).astype("int64"),
        "channel": np.where(np.arange(n) % 2 == 0, "pos", "online"),
        "is_weekend": np.arange(n) % 7 >= 5,
    })
    # amount shifted by a third of its range (distance about 1.15), the other columns unchanged
    current = reference.assign(amount=base + n / 3)
    hint = ("kind: numeric for numeric dtypes except bool, categorical otherwise (bool included). Large samples get "
            "distance tests. dataset_drift: at least half of the columns (share >= 0.5, not > 0.5).")
    expected = {"amount": ("numeric", "wasserstein", True), "hour": ("numeric", "wasserstein", False),
                "channel": ("categorical", "jensenshannon", False), "is_weekend": ("categorical", "jensenshannon", False)}
    what = "drift_report(4 columns of 2000 rows, amount shifted)"
    report, flag = unpack_report(learner.drift_report(reference, current), what)
    check_rows(report, expected, what, hint)
    assert_equal(flag, False, f"{what}: dataset_drift (1 column of 4)", hint)
    what = "drift_report(amount shifted, hour unchanged)"
    report, flag = unpack_report(learner.drift_report(reference[["amount", "hour"]], current[["amount", "hour"]]), what)
    assert_equal(flag, True, f"{what}: dataset_drift (1 column of 2)", hint)
    what = "drift_report(hour, amount shifted, channel: columns in this order)"
    cols = ["hour", "amount", "channel"]
    report, flag = unpack_report(learner.drift_report(reference[cols], current[cols + ["is_weekend"]]), what)
    check_rows(report, {c: expected[c] for c in cols}, what, hint)
    assert_equal(flag, False, f"{what}: dataset_drift (1 column of 3)", hint)


@pytest.mark.question("drift_report", points=1)
def test_drift_report_public_weeks(learner, transactions):
    """April against a week after the drift, in full and in samples of 800 rows."""
    ts = transactions["timestamp"]
    april = transactions.loc[ts < "2024-04-29", FEATURES]
    late_may = transactions.loc[(ts >= "2024-05-20") & (ts < "2024-05-27"), FEATURES]
    kinds = {"amount": "numeric", "hour": "numeric", "channel": "categorical", "merchant_category": "categorical"}
    for size, methods in ((None, ("wasserstein", "jensenshannon")), (800, ("ks", "chi2"))):
        ref = april if size is None else april.sample(size, random_state=1)
        cur = late_may if size is None else late_may.sample(size, random_state=1)
        what = f"drift_report(April, 20-26 May{'' if size is None else f', {size} rows each'})"
        report, flag = unpack_report(learner.drift_report(ref, cur), what)
        expected = {c: (k, methods[k == "categorical"], bool(report.loc[c, "drift"]) if c in report.index else None)
                    for c, k in kinds.items()}
        check_rows(report, expected, what)
        if not bool(report.loc["amount", "drift"]):
            fail(f"{what}: amount does not drift; expected drift after prices rose by 1.8x", REPORT_HINT)
        share = float(report["drift"].astype(bool).mean())
        assert_equal(flag, share >= 0.5, f"{what}: dataset_drift, with {share:.0%} of the columns drifting", REPORT_HINT)


# -- should_retrain -----------------------------------------------------------------------------

POLICY = {"drift_share": 0.5, "max_relative_drop": 0.1, "min_labelled": 500}
RETRAIN_HINT = (
    "Measured performance (n_labelled >= min_labelled and AP not NaN) decides alone: retrain when AP < baseline * "
    "(1 - max_relative_drop). Otherwise drift decides: retrain when the share of drifting features >= drift_share."
)


def drift_frame(flags):
    """A drift report with the given drift flags (the other columns do not matter to should_retrain)."""
    n = len(flags)
    return pd.DataFrame(
        {"kind": ["numeric"] * n, "method": ["wasserstein"] * n, "statistic": [0.3 if f else 0.01 for f in flags],
         "p_value": [math.nan] * n, "drift": list(flags)},
        index=pd.Index([f"feature_{i}" for i in range(n)], name="feature"),
    )


def performance(ap, n_labelled, baseline=0.6):
    return {"average_precision": ap, "baseline_average_precision": baseline, "n_labelled": n_labelled}


@pytest.mark.question("should_retrain", points=1)
def test_should_retrain_hand_built(learner):
    """Performance decides when it is measured; drift decides when labels are missing."""
    nan = math.nan
    drifting, stable = drift_frame([True, True, False, False]), drift_frame([True, False, False, False])
    cases = [
        (drifting, performance(0.58, 2000), POLICY, False, "half the features drift, AP 0.58 vs 0.6 on 2000 labels"),
        (stable, performance(0.50, 2000), POLICY, True, "no drift to speak of, AP 0.50 vs 0.6 on 2000 labels"),
        (drifting, performance(0.375, 2000, baseline=0.5), {**POLICY, "max_relative_drop": 0.25}, False,
         "AP exactly at the bar 0.5 * (1 - 0.25) = 0.375"),
        (drifting, performance(0.30, 120), POLICY, True, "half the features drift, 120 labels only"),
        (stable, performance(0.30, 120), POLICY, False, "a quarter of the features drift, 120 labels only"),
        (drifting, performance(0.9, 499), POLICY, True, "half the features drift, 499 labels (min 500)"),
        (drifting, performance(nan, 3000), POLICY, True, "half the features drift, 3000 labels but AP is NaN"),
        (stable, performance(nan, 3000), POLICY, False, "a quarter of the features drift, AP is NaN"),
        (stable, performance(0.30, 120), {**POLICY, "drift_share": 0.25}, True, "a quarter drift, drift_share 0.25"),
        (drift_frame([]), performance(nan, 0), POLICY, False, "an empty report and no labels"),
    ]
    for report, perf, policy, expected, what in cases:
        got = learner.should_retrain(report, perf, policy)
        if not isinstance(got, (bool, np.bool_)):
            fail(f"should_retrain(...) when {what} is {got!r} ({type(got).__name__}); expected a bool", RETRAIN_HINT)
        assert_equal(bool(got), expected, f"should_retrain(...) when {what}", RETRAIN_HINT)


# -- retrain ----------------------------------------------------------------------------------------

def average_precision(y, scores) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(np.asarray(y), np.asarray(scores)))


def fraud_scores(model, X, what: str, hint: str = ""):
    """The model's fraud scores on X: a fitted Pipeline whose predict_proba gives one probability per row."""
    from sklearn.pipeline import Pipeline

    expect_type(model, Pipeline, what, hint or "Return the fitted Pipeline itself, preprocessing included.")
    try:
        proba = np.asarray(model.predict_proba(X[FEATURES]), dtype="float64")
    except Exception as exc:  # the learner's pipeline cannot score rows of FEATURES
        fail(f"{what}.predict_proba(X[FEATURES]) raised {type(exc).__name__}: {exc}",
             "The pipeline gets a DataFrame with the columns amount, hour, channel, merchant_category, in that order, "
             "and must be fitted already.")
    if proba.shape != (len(X), 2) or not np.isfinite(proba).all():
        fail(f"{what}.predict_proba(X) has shape {proba.shape}; expected ({len(X)}, 2) finite probabilities",
             "Train a binary classifier on is_fraud (0 or 1).")
    return proba[:, 1]


def poisoned(df, cutoff, window_days):
    """df with the labels of every row retrain must not learn from flipped: labels not arrived by the cutoff, rows
    after it, rows before the window."""
    cutoff = pd.Timestamp(cutoff)
    outside = (
        (df["label_available_at"] > cutoff)
        | (df["timestamp"] >= cutoff)
        | (df["timestamp"] < cutoff - pd.Timedelta(days=window_days))
    )
    return df.assign(is_fraud=np.where(outside, 1 - df["is_fraud"], df["is_fraud"]))


def max_difference(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) if len(a) else 0.0


@pytest.mark.question("retrain", points=1)
def test_retrain_public_quality(learner, transactions):
    """A fitted Pipeline that ranks the days after the cutoff at least 80% as well as sorting them by amount."""
    cutoff = pd.Timestamp("2024-05-21")
    after = transactions[transactions["timestamp"] >= cutoff]
    what = "retrain(transactions, '2024-05-21', 14)"
    model = learner.retrain(transactions, "2024-05-21", 14)
    scores = fraud_scores(model, after, what)
    got, floor = average_precision(after["is_fraud"], scores), 0.8 * average_precision(after["is_fraud"], after["amount"])
    if not got >= floor:
        fail(f"{what}: average precision on 21-30 May is {got:.3f}; expected at least {floor:.3f} (0.8 x that of "
             "sorting the payments by amount)",
             "Use the amount (scaled) with channel and merchant_category one-hot encoded; train on the window's "
             "labelled rows only.")


@pytest.mark.question("retrain", points=1)
def test_retrain_uses_only_known_labels(learner, transactions):
    """The model does not change when labels it must not see are flipped, or when the unlabelled rows are removed."""
    cutoff, window = "2024-05-21", 14
    rows = transactions[transactions["timestamp"] >= "2024-05-07"]
    # From 30 April: a week before the window, the window and the days after the cutoff. Older rows add nothing
    # to the check, and each of the three calls ships the whole frame.
    recent = transactions[transactions["timestamp"] >= "2024-04-30"].reset_index(drop=True)
    hint = ("Train only on rows with cutoff - window_days <= timestamp < cutoff and label_available_at <= cutoff. "
            "The model must depend on those rows alone (fix random_state if anything in it is random).")
    clean = fraud_scores(learner.retrain(recent, cutoff, window), rows,
                         f"retrain(transactions from 30 April, '{cutoff}', {window})")
    flipped = fraud_scores(learner.retrain(poisoned(recent, cutoff, window), cutoff, window), rows,
                           "retrain(transactions from 30 April with flipped labels outside the training rows, ...)")
    diff = max_difference(clean, flipped)
    if diff > 1e-6:
        fail(f"retrain(transactions from 30 April, '{cutoff}', {window}): flipping is_fraud on the rows whose label "
             f"arrived after the cutoff, or that lie after the cutoff or before the window, changed the scores by up to "
             f"{diff:.3g}; expected no change: the model learned labels that were not known on 21 May", hint)
    known = recent[recent["label_available_at"] <= pd.Timestamp(cutoff)].reset_index(drop=True)
    dropped = fraud_scores(learner.retrain(known, cutoff, window), rows,
                           "retrain(transactions from 30 April without the rows whose label had not arrived, ...)")
    diff = max_difference(clean, dropped)
    if diff > 1e-6:
        fail(f"retrain(transactions from 30 April, '{cutoff}', {window}): removing the rows whose label had not "
             f"arrived by the cutoff changed the scores by up to {diff:.3g}; expected no change: a payment without a "
             "label is not a genuine payment, leave it out", hint)
