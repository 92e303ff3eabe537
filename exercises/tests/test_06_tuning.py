"""Public tests of exercise 06, hyperparameters.

They run in your notebook when you call ``check("name")``, and again at grading. They
use small inputs built by hand below, whose expected values were worked out on paper,
and the public transactions. More tests run at grading, on data you have not seen.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from grader.testing import assert_close, assert_equal, expect_keys, expect_type, fail

HINTS = {
    "time_folds": [
        "Sort first: `order = np.argsort(timestamps.to_numpy(), kind='stable')` holds the positions in time "
        "order. `TimeSeriesSplit` trusts the row order it is given: it never looks at a timestamp.",
        "`TimeSeriesSplit(n_splits=n_splits).split(order)` yields positions *into `order`*; `order[fit]` and "
        "`order[val]` turn them back into positions of `timestamps`.",
        "Return a list of `(train, val)` pairs of integer arrays of positions (what `.iloc` takes), never "
        "`timestamps.index` labels.",
    ],
    "tune": [
        "Build one Pipeline with steps named exactly 'prep' and 'model', and give the whole pipeline to "
        "GridSearchCV: names like `model__C` exist only on the pipeline, and only then is the scaler refitted "
        "inside each fold.",
        "`cv` is a number of folds: pass `cv=TimeSeriesSplit(n_splits=cv)`. The bare number makes stratified "
        "K-fold folds, which ignore time. Pass `scoring='average_precision'`: a classifier's default score is "
        "accuracy.",
        "Return `search.best_estimator_` (GridSearchCV refits it on all of X_train) and "
        "`pd.DataFrame(search.cv_results_)`. Numeric columns: `X_train.select_dtypes('number')`.",
    ],
    "on_boundary": [
        "The values are in `cv_results[f'param_{param}']`; the best rows are those with `rank_test_score == 1`.",
        "The edges are the smallest and the largest values of the column, wherever their rows are: the rows "
        "of cv_results need not be sorted.",
        "Check both edges, for every rank-1 row: `best.isin([values.min(), values.max()]).any()`, and return "
        "`bool(...)`.",
    ],
    "random_search": [
        "`scipy.stats.loguniform(low, high)` draws evenly on a log scale; `scipy.stats.uniform(low, high - low)` "
        "puts almost every draw near `high`.",
        "Pass `random_state=random_state` (and `n_iter=n_iter`) to RandomizedSearchCV, so that the same seed "
        "draws the same values.",
        "Use the pipeline, `scoring='average_precision'` and `cv=TimeSeriesSplit(n_splits=cv)` of `tune`, and "
        "return what `tune` returns.",
    ],
    "final_evaluation": [
        "Call your `tune(X_train, y_train, param_grid, cv)`: the choice uses the training period only.",
        "`best_params`: each name of `param_grid` read from `best.get_params()`; `cv_score`: the "
        "`mean_test_score` of the rank-1 row of cv_results.",
        "Then score the test set once: `average_precision_score(y_test, best.predict_proba(X_test)[:, 1])`. "
        "Never compare candidates on the test set.",
    ],
    "bootstrap_ci": [
        "Score once, `scores = model.predict_proba(X_test)[:, 1]`, then resample the pairs (label, score); the "
        "model is never refitted.",
        "`rng = np.random.default_rng(seed)`, then each time `idx = rng.integers(0, n, size=n)`: *with* "
        "replacement. Without it every resample is the whole test set and the interval has zero width.",
        "`low, high = np.percentile(values, [2.5, 97.5])`; skip a resample whose labels are all one class; "
        "return `(float(low), float(high))`.",
    ],
}

def tuning_data(tx, genuine_share=0.05, seed=0):
    """The tuning hour's data from a transactions frame: one row per kept payment, in time order.

    Features use only each customer's past payments. Keeps the first 40 days (before the
    drift), every fraud, and a seeded random share of the genuine payments.
    """
    tx = tx.sort_values("timestamp", kind="stable").reset_index(drop=True)
    by_customer = tx.groupby("customer_id")["amount"]
    past_mean = (by_customer.cumsum() - tx["amount"]) / by_customer.cumcount()
    data = pd.DataFrame({
        "timestamp": tx["timestamp"],
        "log_amount": np.log1p(tx["amount"]),
        "amount_ratio": (tx["amount"] / past_mean).fillna(1.0),
        "hour": tx["timestamp"].dt.hour,
        "channel": tx["channel"],
        "merchant_category": tx["merchant_category"],
        "is_fraud": tx["is_fraud"],
    })
    start = tx["timestamp"].min().normalize()
    sampled = np.random.default_rng(seed).random(len(tx)) < genuine_share
    keep = (tx["timestamp"] < start + pd.Timedelta(days=40)) & ((tx["is_fraud"] == 1) | sampled)
    return data[keep].reset_index(drop=True)


def split_by_time(data, train_days=30):
    """(train, test): the first `train_days` days, and the days after them."""
    cut = data["timestamp"].min().normalize() + pd.Timedelta(days=train_days)
    early = data["timestamp"] < cut
    return data[early].reset_index(drop=True), data[~early].reset_index(drop=True)

FEATURES = ["log_amount", "amount_ratio", "hour", "channel", "merchant_category"]


def fitted_model(train, features=FEATURES, C=1.0):
    """The exercise's pipeline, fitted here (by the test) on ``train``."""
    X = train[features]
    numeric = X.select_dtypes("number").columns.tolist()
    categorical = [c for c in X.columns if c not in numeric]
    prep = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)]
    )
    return Pipeline([("prep", prep), ("model", LogisticRegression(C=C, max_iter=1000))]).fit(X, train["is_fraud"])


def check_folds(folds, timestamps, n_splits, what, hint):
    """Check the shape of ``time_folds``' answer and that no fold trains on a later row; return the folds."""
    expect_type(folds, (list, tuple), what, hint)
    if len(folds) != n_splits:
        fail(f"{what} has {len(folds)} folds; expected {n_splits}", hint)
    n, times = len(timestamps), timestamps.to_numpy()
    out = []
    for k, fold in enumerate(folds):
        expect_type(fold, (tuple, list), f"{what}[{k}]", hint)
        if len(fold) != 2:
            fail(f"{what}[{k}] has {len(fold)} items; expected a pair (train, val)", hint)
        pair = []
        for part, name in zip(fold, ("train", "val")):
            arr = np.asarray(part)
            if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
                fail(f"{what}[{k}]: the {name} part is {arr.dtype} of shape {arr.shape}; expected a non-empty 1-D array of integer positions", hint)
            if arr.min() < 0 or arr.max() >= n:
                bad = int(arr.max() if arr.max() >= n else arr.min())
                fail(f"{what}[{k}]: the {name} part holds {bad}, which is not a position between 0 and {n - 1}: "
                     "return positions (what .iloc takes), not index labels", hint)
            pair.append(arr)
        fit_rows, val_rows = pair
        if np.intersect1d(fit_rows, val_rows).size:
            fail(f"{what}[{k}]: {np.intersect1d(fit_rows, val_rows).size} positions are in both train and val", hint)
        latest, earliest = times[fit_rows].max(), times[val_rows].min()
        if latest > earliest:
            fail(f"{what}[{k}]: a training row ({pd.Timestamp(latest)}) is later than the earliest validation row "
                 f"({pd.Timestamp(earliest)}): the fold trains on the future", hint)
        out.append((fit_rows, val_rows))
    return out


def check_fold_sizes(folds, n, n_splits, what, hint):
    """The sizes of TimeSeriesSplit's folds on ``n`` rows."""
    block = n // (n_splits + 1)
    for k, (fit_rows, val_rows) in enumerate(folds):
        assert_equal(len(val_rows), block, f"{what}[{k}]: the number of validation rows", hint)
        assert_equal(len(fit_rows), n - (n_splits - k) * block, f"{what}[{k}]: the number of training rows", hint)


def check_search(result, what, hint, *, cv, n_rows):
    """Check a (best_estimator, cv_results) answer; return it with ``param_model__C`` as floats."""
    expect_type(result, (tuple, list), what, hint)
    if len(result) != 2:
        fail(f"{what} returned {len(result)} items; expected 2: (best_estimator, cv_results)", hint)
    est, res = result
    expect_type(est, Pipeline, f"{what}[0], the best estimator,", hint)
    steps = [name for name, _ in est.steps]
    if steps != ["prep", "model"]:
        fail(f"{what}[0] is a Pipeline with the steps {steps}; expected ['prep', 'model']", hint)
    expect_type(est.named_steps["model"], LogisticRegression, f"{what}[0]'s step 'model'", hint)
    try:
        check_is_fitted(est)
    except NotFittedError:
        fail(f"{what}[0] is not fitted; expected the best pipeline refit on all of X_train", hint)
    expect_type(res, pd.DataFrame, f"{what}[1], cv_results,", hint)
    needed = ["param_model__C", "mean_test_score", "rank_test_score"] + [f"split{k}_test_score" for k in range(cv)]
    missing = [c for c in needed if c not in res.columns]
    if missing:
        fail(f"{what}[1] (cv_results) lacks the column(s) {missing}; it has {[str(c) for c in res.columns]}", hint)
    splits = [c for c in res.columns if re.fullmatch(r"split\d+_test_score", str(c))]
    if len(splits) != cv:
        fail(f"{what}[1] (cv_results) has {len(splits)} split*_test_score columns; expected cv={cv} folds", hint)
    if len(res) != n_rows:
        fail(f"{what}[1] (cv_results) has {len(res)} rows; expected {n_rows}, one per candidate", hint)
    res = res.copy()
    for column in needed:
        try:
            res[column] = pd.to_numeric(res[column]).astype("float64")
        except (TypeError, ValueError):
            fail(f"{what}[1] (cv_results): the column {column} is not numeric (dtype {res[column].dtype})", hint)
    best_c = float(est.named_steps["model"].C)
    ranked_first = res.loc[res["rank_test_score"] == 1, "param_model__C"].tolist()
    if not any(math.isclose(best_c, c, rel_tol=1e-9) for c in ranked_first):
        fail(f"{what}[0] has model__C={best_c:g}, but the rank-1 row(s) of cv_results have model__C={ranked_first}", hint)
    return est, res


def scores_of(est, X, what, hint):
    """The estimator's fraud scores on X, or a failure that says why there are none."""
    try:
        return est.predict_proba(X)[:, 1]
    except Exception as exc:  # noqa: BLE001 - the learner's estimator may be unusable
        fail(f"{what} cannot score new rows: predict_proba raised {type(exc).__name__}: {exc}", hint)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Small fits run fastest on one BLAS thread, and then do not fight the learner's worker for the cores."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def public():
    """(train, test) of the public tuning data."""
    from grader.data import load_transactions

    return split_by_time(tuning_data(load_transactions()))


# --- time_folds ---------------------------------------------------------------------

SHUFFLED = ["2024-04-03", "2024-04-01", "2024-04-08", "2024-04-05", "2024-04-02", "2024-04-07", "2024-04-04", "2024-04-06"]


@pytest.mark.question("time_folds", points=1)
def test_time_folds_sort_before_splitting(learner):
    """Eight shuffled days, three folds, index labels that are not positions."""
    timestamps = pd.Series(pd.to_datetime(SHUFFLED), index=range(10, 18))
    what = "time_folds(timestamps, 3)"
    hint = "sort the positions by timestamp first, split that order, and return positions, not labels"
    folds = check_folds(learner.time_folds(timestamps, 3), timestamps, 3, what, hint)
    # In time order the positions are 1, 4, 0, 6, 3, 7, 5, 2 (04-01 ... 04-08); blocks of 8 // 4 = 2.
    expected = [([1, 4], [0, 6]), ([0, 1, 4, 6], [3, 7]), ([0, 1, 3, 4, 6, 7], [2, 5])]
    for k, (fit_rows, val_rows) in enumerate(folds):
        assert_equal(sorted(int(i) for i in fit_rows), expected[k][0], f"{what}[{k}]: the training positions, sorted", hint)
        assert_equal(sorted(int(i) for i in val_rows), expected[k][1], f"{what}[{k}]: the validation positions, sorted", hint)


@pytest.mark.question("time_folds", points=1)
def test_time_folds_on_shuffled_public_data(learner, public):
    """The public training rows, shuffled: every fold trains on the past only."""
    train, _ = public
    timestamps = train["timestamp"].sample(frac=1.0, random_state=0)
    what = "time_folds(shuffled train timestamps, 4)"
    hint = "TimeSeriesSplit assumes sorted rows: sort by timestamp before splitting"
    folds = check_folds(learner.time_folds(timestamps, 4), timestamps, 4, what, hint)
    check_fold_sizes(folds, len(timestamps), 4, what, hint)


# --- tune ---------------------------------------------------------------------------

GRID = {"model__C": [0.01, 1.0, 100.0]}
# Two folds are enough to tell time-ordered folds from K-fold ones, and each fold is a fit.
TUNE_CV = 2
TUNE_CALL = f"tune(X_train, y_train, {{'model__C': [0.01, 1.0, 100.0]}}, cv={TUNE_CV})"


@pytest.fixture(scope="module")
def tuned(learner, public):
    """The learner's answer to TUNE_CALL on the public training rows, computed once for the three tests."""
    train, _ = public
    return learner.tune(train[FEATURES], train["is_fraud"], GRID, TUNE_CV)


def public_tune(tuned, public):
    train, _ = public
    est, res = check_search(tuned, TUNE_CALL, HINTS["tune"][0], cv=TUNE_CV, n_rows=3)
    return train[FEATURES], train["is_fraud"], est, res


@pytest.mark.question("tune", points=1)
def test_tune_returns_pipeline_and_cv_results(tuned, public):
    """A fitted Pipeline('prep', 'model') and a cv_results frame with one row per C."""
    _, _, _, res = public_tune(tuned, public)
    for c in GRID["model__C"]:
        if not np.isclose(res["param_model__C"], c, rtol=1e-9).any():
            fail(f"{TUNE_CALL}[1] (cv_results) has no row for model__C={c:g}; it has {res['param_model__C'].tolist()}", HINTS["tune"][0])


@pytest.mark.question("tune", points=1)
def test_tune_split_scores_are_time_ordered_average_precision(tuned, public):
    """Each split score is the average precision on a time-ordered validation fold."""
    X, y, est, res = public_tune(tuned, public)
    hint = HINTS["tune"][1]
    for c in GRID["model__C"]:
        row = res[np.isclose(res["param_model__C"], c, rtol=1e-9)].iloc[0]
        for k, (fit_rows, val_rows) in enumerate(TimeSeriesSplit(n_splits=TUNE_CV).split(X)):
            model = clone(est).set_params(model__C=c).fit(X.iloc[fit_rows], y.iloc[fit_rows])
            expected = average_precision_score(y.iloc[val_rows], model.predict_proba(X.iloc[val_rows])[:, 1])
            assert_close(row[f"split{k}_test_score"], expected,
                         f"{TUNE_CALL}: split{k}_test_score of model__C={c:g} (the average precision on time-ordered fold {k})",
                         rtol=0, atol=1e-4, hint=hint)


@pytest.mark.question("tune", points=1)
def test_tune_refits_the_best_pipeline_on_all_rows(tuned, public):
    """The returned pipeline is the best one refit on all of X_train."""
    X, y, est, _ = public_tune(tuned, public)
    hint = "return the search's best_estimator_: GridSearchCV refits it on all of X_train (refit=True, the default)"
    refit = clone(est).fit(X, y)
    got, expected = est.named_steps["model"], refit.named_steps["model"]
    if got.coef_.shape != expected.coef_.shape:
        fail(f"{TUNE_CALL}[0] has {got.coef_.shape[1]} coefficients; refit on all of X_train it has {expected.coef_.shape[1]}", hint)
    err = float(np.max(np.abs(got.coef_ - expected.coef_)))
    if err > 1e-4:
        fail(f"{TUNE_CALL}[0] is not the pipeline refit on all of X_train: its coefficients differ from a refit's "
             f"by up to {err:.3g} (tolerance 1e-4)", hint)


# --- on_boundary ----------------------------------------------------------------------

def results_frame(values, ranks, param="model__C"):
    """A minimal cv_results frame: param_<param>, mean_test_score consistent with the ranks, rank_test_score."""
    ranks = np.asarray(ranks, dtype="int32")
    return pd.DataFrame({f"param_{param}": np.asarray(values, dtype="float64"), "mean_test_score": 0.5 - 0.01 * ranks,
                         "rank_test_score": ranks})


@pytest.mark.question("on_boundary", points=1)
def test_on_boundary_hand_built(learner):
    """Best in the middle, at the largest value, at the smallest value."""
    cases = [
        ([0.01, 0.1, 1.0, 10.0], [4, 2, 1, 3], False, "the best C (1.0) is inside the grid"),
        ([0.01, 0.1, 1.0, 10.0], [4, 3, 2, 1], True, "the best C is the largest, 10.0"),
        ([0.01, 0.1, 1.0, 10.0], [1, 2, 3, 4], True, "the best C is the smallest, 0.01"),
    ]
    for values, ranks, expected, why in cases:
        got = learner.on_boundary(results_frame(values, ranks), "model__C")
        what = f"on_boundary(C={values}, rank={ranks})"
        expect_type(got, (bool, np.bool_), what, HINTS["on_boundary"][2])
        assert_equal(bool(got), expected, what, hint=f"{why}; check both edges, and use the rank-1 row")


# --- random_search ----------------------------------------------------------------------

SEARCH_CALL = "random_search(X_train, y_train, C_range=(0.001, 100.0), n_iter={n_iter}, random_state={seed}, cv=2)"


def public_search(learner, public, seed, n_iter=5):
    """The learner's search on the public training rows: n_iter x 2 fits and a refit. Two folds, not the
    default four, so that a ``cv`` left unused shows."""
    train, _ = public
    X, y = train[FEATURES], train["is_fraud"]
    what = SEARCH_CALL.format(seed=seed, n_iter=n_iter)
    result = learner.random_search(X, y, C_range=(0.001, 100.0), n_iter=n_iter, random_state=seed, cv=2)
    return what, check_search(result, what, HINTS["random_search"][2], cv=2, n_rows=n_iter)


@pytest.mark.question("random_search", points=1)
def test_random_search_draws_n_iter_values_in_range(learner, public):
    """n_iter candidates, every C within C_range."""
    what, (_, res) = public_search(learner, public, 0)
    values = res["param_model__C"]
    if not ((values >= 0.001 * (1 - 1e-9)) & (values <= 100.0 * (1 + 1e-9))).all():
        fail(f"{what}: model__C values {values.round(6).tolist()} are not all within (0.001, 100.0)", HINTS["random_search"][0])


@pytest.mark.question("random_search", points=1)
def test_random_search_same_random_state_same_draws(learner, public):
    """The same random_state draws the same C values; another one draws others."""
    hint = HINTS["random_search"][1]
    # Two draws show whether the seed chooses them as well as five would, for fewer fits.
    what, (_, first) = public_search(learner, public, 0, n_iter=2)
    _, (_, again) = public_search(learner, public, 0, n_iter=2)
    _, (_, other) = public_search(learner, public, 1, n_iter=2)
    a, b, c = (sorted(r["param_model__C"].tolist()) for r in (first, again, other))
    if not np.allclose(a, b, rtol=1e-12):
        fail(f"{what} drew different values on two calls with the same random_state: {np.round(a, 6).tolist()} "
             f"and then {np.round(b, 6).tolist()}", hint)
    if np.allclose(a, c, rtol=1e-12):
        fail(f"{what} and random_state=1 drew the same values {np.round(a, 6).tolist()}; random_state must "
             "choose the draws", hint)


# --- final_evaluation -----------------------------------------------------------------------

FINAL_GRID = {"model__C": [0.001, 0.1, 10.0]}
FINAL_KEYS = ["best_params", "cv_score", "test_score"]


def check_final(result, what, hint):
    expect_keys(result, FINAL_KEYS, what, hint)
    expect_keys(result["best_params"], list(FINAL_GRID), f"{what}['best_params']", hint)
    c = result["best_params"]["model__C"]
    if isinstance(c, bool) or not isinstance(c, (int, float, np.number)) or not np.isclose(FINAL_GRID["model__C"], float(c), rtol=1e-9).any():
        fail(f"{what}['best_params']['model__C'] is {c!r}; expected one of the grid's values {FINAL_GRID['model__C']}", hint)
    for key in ("cv_score", "test_score"):
        value = result[key]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0.0 <= float(value) <= 1.0:
            fail(f"{what}[{key!r}] is {value!r}; expected an average precision between 0 and 1", hint)
    return float(c)


@pytest.mark.question("final_evaluation", points=1)
def test_final_evaluation_choice_ignores_the_test_labels(learner, public):
    """Flipping every test label changes the test score, never the choice."""
    train, test = public
    args = (train[FEATURES], train["is_fraud"], test[FEATURES])
    what = "final_evaluation(X_train, y_train, X_test, y_test, {'model__C': [0.001, 0.1, 10.0]}, cv=2)"
    hint = "choose C by cross-validation on the training period (your tune); score the test set only at the end"
    # Whether the test labels sway the choice does not depend on the number of folds: two keep it cheap.
    result = learner.final_evaluation(*args, test["is_fraud"], FINAL_GRID, 2)
    chosen = check_final(result, what, hint)
    flipped = learner.final_evaluation(*args, 1 - test["is_fraud"], FINAL_GRID, 2)
    chosen_flipped = check_final(flipped, what.replace("y_test", "1 - y_test"), hint)
    if not math.isclose(chosen, chosen_flipped, rel_tol=1e-9):
        fail(f"{what}: best_params['model__C'] changed from {chosen:g} to {chosen_flipped:g} when only the test "
             "labels changed: the test set took part in the choice (tuning on the test set)", hint)
    assert_close(flipped["cv_score"], result["cv_score"], f"{what.replace('y_test', '1 - y_test')}['cv_score'] "
                 "(it must not depend on the test labels)", rtol=0, atol=1e-9, hint=hint)


# --- bootstrap_ci ------------------------------------------------------------------------------

BOOT_CALL = "bootstrap_ci(model, X_test, y_test, 'average_precision', n_boot={n_boot}, seed={seed})"
# Each resample is one call of average_precision_score. A hundred show a zero-width interval and one that
# misses the point estimate as surely as more would; determinism needs even fewer.
BRACKET_BOOT, SEED_BOOT = 100, 50


def check_interval(got, what, hint):
    expect_type(got, (tuple, list), what, hint)
    if len(got) != 2:
        fail(f"{what} returned {len(got)} items; expected 2: (low, high)", hint)
    for name, value in zip(("low", "high"), got):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or math.isnan(float(value)):
            fail(f"{what}: {name} is {value!r}; expected a number", hint)
    return float(got[0]), float(got[1])


@pytest.fixture(scope="module")
def public_model(public):
    """The exercise's pipeline with C=1, fitted by this test file on the public training rows."""
    train, _ = public
    return fitted_model(train)


@pytest.mark.question("bootstrap_ci", points=1)
def test_bootstrap_ci_brackets_the_point_estimate(learner, public, public_model):
    """A 95% interval of positive width around the test AP."""
    _, test = public
    X, y = test[FEATURES], test["is_fraud"]
    what = BOOT_CALL.format(n_boot=BRACKET_BOOT, seed=0)
    low, high = check_interval(learner.bootstrap_ci(public_model, X, y, "average_precision", BRACKET_BOOT, 0), what,
                               HINTS["bootstrap_ci"][2])
    point = average_precision_score(y, public_model.predict_proba(X)[:, 1])
    if not low < high:
        fail(f"{what} returned ({low:.6g}, {high:.6g}), an interval of zero width: resample the rows with replacement",
             HINTS["bootstrap_ci"][1])
    if not low <= point <= high:
        fail(f"{what} returned ({low:.4f}, {high:.4f}), which does not contain the point estimate {point:.4f} "
             "(the AP of predict_proba(X_test)[:, 1] on all test rows)", HINTS["bootstrap_ci"][0])


@pytest.mark.question("bootstrap_ci", points=1)
def test_bootstrap_ci_same_seed_same_interval(learner, public, public_model):
    """The same seed gives the same interval; another seed, another one."""
    _, test = public
    X, y = test[FEATURES], test["is_fraud"]
    hint = "draw every resample from one np.random.default_rng(seed), created once per call"
    call = BOOT_CALL.format(n_boot=SEED_BOOT, seed=0)
    first = check_interval(learner.bootstrap_ci(public_model, X, y, "average_precision", SEED_BOOT, 0), call, hint)
    again = check_interval(learner.bootstrap_ci(public_model, X, y, "average_precision", SEED_BOOT, 0), call, hint)
    other = check_interval(learner.bootstrap_ci(public_model, X, y, "average_precision", SEED_BOOT, 1),
                           BOOT_CALL.format(n_boot=SEED_BOOT, seed=1), hint)
    if first != again:
        fail(f"{call} returned {first} and then {again}: the same seed must give the same interval", hint)
    if first == other:
        fail(f"{call} and seed=1 both returned {first}: the seed must choose the resamples", hint)
