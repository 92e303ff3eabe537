"""Public tests of exercise 04, feature engineering: small hand-built cases.

They run in your kernel when you call ``check("name")``, and again at grading.
"""

import numpy as np
import pandas as pd
import pytest

from grader import LearnerError
from grader._proxy import RemoteObject
from grader.testing import assert_close, assert_equal, assert_frame_close, expect_type, fail

HINTS = {
    "time_features": [
        "Start from ts = pd.to_datetime(df['timestamp']); ts.dt.hour and ts.dt.weekday give the integer hour and the weekday (Monday = 0).",
        "The angle of an hour is 2 * np.pi * hour / 24, in radians: np.sin and np.cos of that angle put 23:00 next to 00:00.",
        "Build the result with pd.DataFrame({...}, index=df.index), with the six columns in the stated order.",
    ],
    "customer_rolling": [
        "The window of a transaction at time t is [t - w days, t): strictly earlier payments of the same card, at most w days earlier.",
        "Sort by (customer_id, timestamp); per customer, np.searchsorted(times, times - w days, side='left') and np.searchsorted(times, times, side='left') give each row's window as a slice; cumulative sums give counts and totals. Or use groupby('customer_id').rolling(f'{w}D', on='timestamp', closed='left') on the sorted frame.",
        "Put the results back in df's row order and index (sort, compute, then undo the sort), with count 0 and mean NaN for an empty window.",
    ],
    "terminal_risk": [
        "For a payment at time t the window is [t - delay_days - window_days, t - delay_days): it ends delay_days before t, because newer labels have not arrived.",
        "Same machinery as customer_rolling, grouped by terminal_id, with both window ends shifted back by delay_days; sum is_fraud instead of amount.",
        "terminal_risk is frauds / count, and 0.0 (not NaN) when the window holds no transaction.",
    ],
    "target_encode_oof": [
        "A row's encoding must come only from the other folds' rows: loop over KFold(n_splits, shuffle=True, random_state=random_state).split(X) and compute the statistics on the training positions.",
        "Work with positions: cats = X[column].to_numpy(), target = np.asarray(y, dtype=float); then index both with the fold's arrays of positions.",
        "The prior is the mean of y over the fold's training rows (not over all rows); an unseen category with smoothing 0 gets the prior.",
    ],
    "AmountBinner": [
        "__init__ only stores n_bins (self.n_bins = n_bins); all checking and learning happen in fit, which returns self.",
        "In fit: X = validate_data(self, X) (sets n_features_in_), check n_bins, then self.bin_edges_ = np.quantile(X, np.arange(1, n_bins) / n_bins, axis=0).T. In transform: check_is_fitted(self), X = validate_data(self, X, reset=False), then np.searchsorted(edges, X[:, j], side='right') per column.",
        "get_feature_names_out returns a NumPy array of the names f'{name}_bin' (dtype object or str).",
    ],
}


def _frame(got, what, hint):
    """The learner's DataFrame, with boolean columns read as 0/1 (the instructions allow both)."""
    expect_type(got, pd.DataFrame, what, hint)
    got = got.copy()
    for col in got.columns:
        if pd.api.types.is_bool_dtype(got[col]):
            got[col] = got[col].astype("int64")
    return got


def _vector(got, n, what, hint):
    """The learner's 1-D result (array or Series) as a float array of length n."""
    expect_type(got, (np.ndarray, pd.Series), what, hint)
    values = np.asarray(got, dtype=float)
    if values.shape != (n,):
        fail(f"{what}: expected a 1-D result of length {n}, got shape {values.shape}", hint)
    return values


# -- time_features ------------------------------------------------------------------


@pytest.mark.question("time_features", points=1)
def test_time_features_hand_built(learner):
    """Hour, weekday, flags and the hour's circle on six hand-picked timestamps."""
    stamps = ["2024-04-07 23:59:59", "2024-04-01 00:00:00", "2024-04-02 05:59:59", "2024-04-03 06:00:00", "2024-04-06 12:30:00", "2024-04-05 18:00:00"]
    df = pd.DataFrame({"timestamp": pd.to_datetime(stamps), "amount": [1.0] * 6}, index=[50, 10, 20, 30, 40, 60])
    hours = [23, 0, 5, 6, 12, 18]
    angle = [2 * np.pi * h / 24 for h in hours]
    expected = pd.DataFrame(
        {
            "hour": hours,
            # 2024-04-01 was a Monday.
            "weekday": [6, 0, 1, 2, 5, 4],
            "is_night": [0, 1, 1, 0, 0, 0],
            "is_weekend": [1, 0, 0, 0, 1, 0],
            "hour_sin": np.sin(angle),
            "hour_cos": np.cos(angle),
        },
        index=df.index,
    )
    hint = "hour is the integer hour (05:59 is hour 5, night); weekday counts from Monday = 0; the angle is 2*pi*hour/24 in radians; keep df's index and row order."
    got = _frame(learner.time_features(df), "time_features(df)", hint)
    assert_frame_close(got, expected, "time_features(df)", atol=1e-9, hint=hint)


# -- customer_rolling -----------------------------------------------------------------


def _rolling_case():
    """Two cards; rows shuffled, with a non-default index. Expected values worked out by hand."""
    rows = [
        # label, customer, timestamp, amount
        (100, 1, "2024-04-01 10:00", 10.0),
        (101, 1, "2024-04-01 22:00", 20.0),
        (102, 1, "2024-04-01 22:00", 30.0),  # same time as 101: neither sees the other
        (103, 1, "2024-04-02 10:00", 40.0),  # exactly one day after 100: 100 is in its 1-day window
        (104, 1, "2024-04-08 10:00", 50.0),  # exactly seven days after 100
        (105, 1, "2024-04-09 09:00", 60.0),
        (106, 2, "2024-04-01 12:00", 1000.0),
        (107, 2, "2024-04-05 12:00", 2000.0),
    ]
    df = pd.DataFrame(
        {
            "transaction_id": [r[0] - 100 for r in rows],
            "timestamp": pd.to_datetime([r[2] for r in rows]),
            "customer_id": [r[1] for r in rows],
            "terminal_id": 7,
            "amount": [r[3] for r in rows],
            "is_fraud": 0,
        },
        index=[r[0] for r in rows],
    )
    nan = np.nan
    expected = pd.DataFrame(
        {
            "cust_count_1d": [0, 1, 1, 3, 0, 1, 0, 0],
            "cust_mean_amount_1d": [nan, 10.0, 10.0, 20.0, nan, 50.0, nan, nan],
            "cust_count_7d": [0, 1, 1, 3, 4, 2, 0, 1],
            "cust_mean_amount_7d": [nan, 10.0, 10.0, 20.0, 25.0, 45.0, nan, 1000.0],
        },
        index=df.index,
    )
    order = [105, 102, 106, 100, 104, 107, 101, 103]
    return df.loc[order], expected.loc[order]


@pytest.mark.question("customer_rolling", points=1)
def test_customer_rolling_hand_built(learner):
    """Counts and mean amounts over [t - w days, t) on two hand-built cards, rows shuffled."""
    df, expected = _rolling_case()
    hint = (
        "the window of a payment at t is [t - w days, t): a payment exactly w days earlier is in, one at the same "
        "time as t (the row itself included) is out; count 0 and mean NaN when empty; keep df's index and row order."
    )
    got = _frame(learner.customer_rolling(df, windows=(1, 7)), "customer_rolling(df, windows=(1, 7))", hint)
    assert_frame_close(got, expected, "customer_rolling(df, windows=(1, 7))", rtol=1e-6, hint=hint)


# -- terminal_risk --------------------------------------------------------------------


@pytest.mark.question("terminal_risk", points=1)
def test_terminal_risk_hand_built(learner):
    """Fraud share over [t - 10 days, t - 7 days) on two hand-built terminals, rows shuffled."""
    rows = [
        # label, terminal, timestamp, is_fraud, expected count, expected risk (delay 7, window 3)
        ("a", 5, "2024-04-01 12:00", 1, 0, 0.0),
        ("b", 5, "2024-04-02 12:00", 0, 0, 0.0),
        ("c", 5, "2024-04-03 12:00", 0, 0, 0.0),
        ("d", 5, "2024-04-08 12:00", 0, 0, 0.0),  # a is exactly 7 days earlier: not yet known
        ("e", 5, "2024-04-09 12:00", 1, 1, 1.0),  # window [03-30 12:00, 04-02 12:00): a
        ("f", 5, "2024-04-11 12:00", 0, 3, 1 / 3),  # window [04-01 12:00, 04-04 12:00): a, b, c
        ("g", 5, "2024-04-12 00:00", 0, 2, 0.0),  # window [04-02 00:00, 04-05 00:00): b, c
        ("h", 5, "2024-04-14 12:00", 0, 0, 0.0),  # window [04-04 12:00, 04-07 12:00): empty
        ("i", 9, "2024-04-05 12:00", 1, 0, 0.0),
        ("j", 9, "2024-04-13 12:00", 0, 1, 1.0),  # window [04-03 12:00, 04-06 12:00): i
    ]
    df = pd.DataFrame(
        {
            "transaction_id": range(len(rows)),
            "timestamp": pd.to_datetime([r[2] for r in rows]),
            "customer_id": 3,
            "terminal_id": [r[1] for r in rows],
            "amount": 10.0,
            "is_fraud": [r[3] for r in rows],
        },
        index=[r[0] for r in rows],
    )
    expected = pd.DataFrame({"terminal_n_tx": [r[4] for r in rows], "terminal_risk": [r[5] for r in rows]}, index=df.index)
    order = ["j", "f", "a", "h", "d", "i", "g", "b", "e", "c"]
    hint = (
        "the window of a payment at t is [t - delay_days - window_days, t - delay_days), per terminal; "
        "terminal_risk is the share of frauds in it, 0.0 when it is empty; keep df's index and row order."
    )
    what = "terminal_risk(df, delay_days=7, window_days=3)"
    got = _frame(learner.terminal_risk(df.loc[order], delay_days=7, window_days=3), what, hint)
    assert_frame_close(got, expected.loc[order], what, atol=1e-9, hint=hint)


# -- target_encode_oof ----------------------------------------------------------------


@pytest.mark.question("target_encode_oof", points=1)
def test_target_encode_oof_leave_one_out(learner):
    """With one row per fold, each row is encoded from all the other rows."""
    # n_splits = number of rows: every fold holds exactly one row, whatever the shuffle,
    # so the expected values do not depend on KFold's random order.
    X = pd.DataFrame({"terminal": ["a", "a", "a", "b", "b", "c"], "amount": [1.0] * 6}, index=[15, 11, 12, 13, 14, 10])
    y = pd.Series([1, 0, 0, 1, 1, 0], index=X.index)
    hint = (
        "each row is encoded from the other folds' rows only: the mean of y over the other rows of its category; "
        "a category with no other row gets the prior, the mean of y over the other rows. Use positions, not index labels."
    )
    what = "target_encode_oof(X, 'terminal', y, n_splits=6, random_state=0)"
    got = _vector(learner.target_encode_oof(X, "terminal", y, n_splits=6, random_state=0), 6, what, hint)
    # a: the mean of the two other a's; b: the other b; c: unseen, the prior of the five other rows.
    expected = [0.0, 0.5, 0.5, 1.0, 1.0, 0.6]
    for i, (g, e) in enumerate(zip(got, expected)):
        assert_close(g, e, f"{what}[{i}] (category {X['terminal'].iloc[i]!r})", atol=1e-9, hint=hint)
    # Smoothing 2, first row: prior = mean of the 5 other rows' y = 0.4; the two other a's sum to 0.
    what = "target_encode_oof(X, 'terminal', y, n_splits=6, random_state=0, smoothing=2.0)"
    got = _vector(learner.target_encode_oof(X, "terminal", y, n_splits=6, random_state=0, smoothing=2.0), 6, what, hint)
    assert_close(got[0], (0 + 2 * 0.4) / (2 + 2), f"{what}[0]", atol=1e-9, hint="encoding = (s_c + smoothing * prior) / (n_c + smoothing), prior and counts from the other folds.")


# -- AmountBinner ---------------------------------------------------------------------


def _same_object(a, b) -> bool:
    """True when two handles stand for the same object on the learner's side."""
    return type(a) is RemoteObject and type(b) is RemoteObject and object.__getattribute__(a, "_handle") == object.__getattribute__(b, "_handle")


def _new_binner(learner, what, hint, **params):
    """A handle to a new instance of the learner's AmountBinner; a failure if construction raises."""
    try:
        binner = learner.AmountBinner(**params)
    except LearnerError as exc:
        fail(f"{what} raised an error: {exc.message.splitlines()[0]}; a scikit-learn estimator's __init__ only stores its parameters (check them in fit)", hint)
    if type(binner) is not RemoteObject:
        fail(f"{what} returned {type(binner).__name__}; expected an instance of your own class AmountBinner, defined in the notebook", hint)
    return binner


def _raises(call, expected: str, what: str, hint: str):
    """Fail unless the learner's call raises an exception whose message names ``expected``."""
    try:
        call()
    except LearnerError as exc:
        if expected not in exc.message:
            fail(f"{what} raised {exc.message.splitlines()[0]!r}; expected a {expected}", hint)
        return
    fail(f"{what} returned without an error; expected it to raise a {expected}", hint)


def _names(call, what, hint):
    """The learner's feature names as a list of str; a clear failure for an object array, which cannot cross."""
    try:
        names = call()
    except LearnerError as exc:
        if "array of Python objects" in exc.message:
            fail(f"{what} returned an array holding objects other than str; return the names as str: np.asarray(names, dtype=str)", hint)
        raise
    expect_type(names, (np.ndarray, list), what, hint)
    return [str(n) for n in names]


def _absent(obj, attr, what, hint):
    """Fail unless the learner's object has no attribute ``attr``."""
    try:
        value = getattr(obj, attr)
    except LearnerError as exc:
        if "has no attribute" in exc.message:
            return
        raise
    fail(f"{what} exists (it is {value!r}); expected no such attribute before fit", hint)


@pytest.mark.question("AmountBinner", points=1)
def test_amount_binner_hand_built(learner):
    """Learns quantile edges in fit; bins new values with them; names its output features."""
    hint = (
        "bin_edges_[j] = np.quantile(X[:, j], [1/n_bins, ..., (n_bins-1)/n_bins]); "
        "the bin of x is np.searchsorted(edges, x, side='right'), so a value equal to an edge goes up."
    )
    X = np.arange(1.0, 9.0).reshape(-1, 1)  # 1..8: quartiles 2.75, 4.5, 6.25
    binner = _new_binner(learner, "AmountBinner(n_bins=4)", hint, n_bins=4)
    binner.fit(X)
    edges = binner.bin_edges_
    expect_type(edges, np.ndarray, "AmountBinner(n_bins=4).fit(1..8).bin_edges_", hint)
    if edges.shape != (1, 3):
        fail(f"AmountBinner(n_bins=4).fit(X).bin_edges_ for one column: expected shape (1, 3), got {edges.shape}", hint)
    for got, expected in zip(edges[0], [2.75, 4.5, 6.25]):
        assert_close(got, expected, "AmountBinner(n_bins=4).fit(1..8).bin_edges_", atol=1e-9, hint=hint)
    new = np.array([[1.0], [2.75], [3.0], [4.5], [6.25], [8.0], [100.0], [-5.0]])
    got = binner.transform(new)
    expect_type(got, np.ndarray, "AmountBinner.transform(X)", hint)
    got = np.asarray(got, dtype=float)
    expected = [0, 1, 1, 2, 3, 3, 3, 0]
    if got.shape != (8, 1) or not np.array_equal(got[:, 0], expected):
        fail(f"AmountBinner(n_bins=4) fitted on 1..8, transform of {new[:, 0].tolist()}: expected {expected}, got {got.tolist()}", hint)

    # Two columns, each with its own edges; names of the output features.
    frame = pd.DataFrame({"amount": [1.0, 2.0, 3.0, 4.0, 5.0], "log_amount": [10.0, 20.0, 30.0, 40.0, 50.0]})
    binner = _new_binner(learner, "AmountBinner(n_bins=2)", hint, n_bins=2)
    binner.fit(frame)
    got = np.asarray(binner.transform(pd.DataFrame({"amount": [3.0, 2.9], "log_amount": [29.9, 30.0]})), dtype=float)
    if got.shape != (2, 2) or not np.array_equal(got, [[1, 0], [0, 1]]):
        fail(f"AmountBinner(n_bins=2) on two columns with medians 3 and 30: expected [[1, 0], [0, 1]], got {got.tolist()}", "each column is binned with its own edges")
    names_hint = "names are f'{name}_bin' for the input names: input_features if given, else the DataFrame's columns seen in fit, else x0, x1, ...; return np.asarray(names, dtype=str)"
    plain = _new_binner(learner, "AmountBinner(n_bins=2)", hint, n_bins=2)
    plain.fit(frame.to_numpy())
    for fitted, args, expected, seen in (
        (binner, (), ["amount_bin", "log_amount_bin"], "a DataFrame"),
        (plain, (), ["x0_bin", "x1_bin"], "an array"),
        (plain, (["a", "b"],), ["a_bin", "b_bin"], "an array"),
    ):
        what = f"get_feature_names_out({', '.join(map(repr, args))}) after fit on {seen}"
        names = _names(lambda: fitted.get_feature_names_out(*args), what, names_hint)
        assert_equal(names, expected, what, hint=names_hint)


@pytest.mark.question("AmountBinner", points=1)
def test_amount_binner_conventions(learner):
    """Follows scikit-learn's conventions: plain parameters, fit returns self, NotFittedError, fitted names end in _."""
    hint = "__init__ stores n_bins unchanged and nothing else; fit validates, learns bin_edges_ and n_features_in_, and returns self."
    binner = _new_binner(learner, "AmountBinner(n_bins=3)", hint, n_bins=3)
    try:
        params = binner.get_params()
    except LearnerError as exc:
        fail(f"AmountBinner(n_bins=3).get_params() failed: {exc.message.splitlines()[0]}", "inherit from sklearn.base.BaseEstimator (and TransformerMixin): they give get_params, set_params and fit_transform")
    expect_type(params, dict, "AmountBinner(n_bins=3).get_params()", hint)
    assert_equal(params, {"n_bins": 3}, "AmountBinner(n_bins=3).get_params()", hint="inherit from BaseEstimator and give __init__ exactly one parameter, n_bins=4, stored as self.n_bins")
    assert_equal(_new_binner(learner, "AmountBinner()", hint).get_params(), {"n_bins": 4}, "AmountBinner().get_params()", hint="the default is n_bins=4")
    # Construction never validates: scikit-learn's clone() and set_params() rely on it.
    odd = _new_binner(learner, "AmountBinner(n_bins=1)", hint, n_bins=1)
    assert_equal(odd.get_params(), {"n_bins": 1}, "AmountBinner(n_bins=1).get_params()", hint="store n_bins as given; check it in fit")

    X = np.array([[1.0], [1.0], [1.0], [2.0]])  # two distinct values: fit must not shrink n_bins
    _raises(lambda: binner.transform(X), "NotFittedError", "AmountBinner(n_bins=3).transform(X) before fit", "call sklearn.utils.validation.check_is_fitted(self) at the start of transform, and set no attribute ending in '_' in __init__")
    for attr in ("bin_edges_", "n_features_in_"):
        _absent(binner, attr, f"AmountBinner(n_bins=3).{attr} before fit", "fitted attributes (ending in '_') are created in fit, never in __init__")

    returned = binner.fit(X)
    if not _same_object(returned, binner):
        fail(f"AmountBinner.fit(X) returned {returned!r}; expected the estimator itself (return self)", "end fit with `return self`: Pipeline and fit(X).transform(X) rely on it")
    assert_equal(binner.get_params(), {"n_bins": 3}, "AmountBinner(n_bins=3).get_params() after fit on data with two distinct values", hint="fit must not change n_bins (or any parameter); keep what you learn in attributes ending in '_'")
    edges = binner.bin_edges_
    expect_type(edges, np.ndarray, "AmountBinner.bin_edges_ after fit", "store the learned inner edges as bin_edges_, a NumPy array")
    if edges.shape != (1, 2):
        fail(f"AmountBinner(n_bins=3).bin_edges_ after fit on one column: expected shape (1, 2), got {edges.shape}", "one row of n_bins - 1 inner edges per column, even when some edges are equal")
    assert_close(binner.n_features_in_, 1, "AmountBinner.n_features_in_ after fit on one column", atol=0, hint="validate_data(self, X) sets n_features_in_")
    _raises(lambda: odd.fit(X), "ValueError", "AmountBinner(n_bins=1).fit(X)", "in fit, raise ValueError unless n_bins is an integer of at least 2")

    again = binner.set_params(n_bins=5)
    if not _same_object(again, binner):
        fail(f"AmountBinner.set_params(n_bins=5) returned {again!r}; expected the estimator itself", "use BaseEstimator's set_params")
    assert_equal(binner.get_params(), {"n_bins": 5}, "get_params() after set_params(n_bins=5)", hint="use BaseEstimator's get_params and set_params")
