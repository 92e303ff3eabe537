"""Hidden tests of exercise 06, hyperparameters: they run only at grading.

Most use the hidden seed's transactions (``load_transactions(hidden=True)``), put
through the notebook's ``tuning_data``, and compare with the reference solution
within stated tolerances, or check properties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from grader.testing import (
    assert_close,
    assert_equal,
    expect_keys,
    expect_type,
    fail,
    public_tests,
)

_public = public_tests(__file__)
tuning_data, split_by_time, FEATURES, fitted_model = _public.tuning_data, _public.split_by_time, _public.FEATURES, _public.fitted_model
check_folds, check_fold_sizes, check_search, scores_of = _public.check_folds, _public.check_fold_sizes, _public.check_search, _public.scores_of


def call_reference(reference, name, *args):
    """``reference.<name>(*args)``: memoised on the arguments' content by the grader."""
    return getattr(reference, name)(*args)


_one_blas_thread = _public._one_blas_thread  # the same autouse fixture


@pytest.fixture(scope="module")
def hidden():
    """(train, test) of the tuning data built from the hidden seed's transactions."""
    from grader.data import load_transactions

    return split_by_time(tuning_data(load_transactions(hidden=True)))


# --- time_folds ---------------------------------------------------------------------

@pytest.mark.question("time_folds", points=1)
def test_time_folds_hidden_shuffled_rows(learner, hidden):
    """Hidden rows, shuffled, with index labels far from positions: folds look back only."""
    train, _ = hidden
    timestamps = train["timestamp"].sample(frac=1.0, random_state=7)
    timestamps.index = 50_000 + 3 * np.arange(len(timestamps))
    what = "time_folds(shuffled timestamps, 5)"
    hint = "sort the positions by time before TimeSeriesSplit, and return positions, not index labels"
    folds = check_folds(learner.time_folds(timestamps, 5), timestamps, 5, what, hint)
    check_fold_sizes(folds, len(timestamps), 5, what, hint)


@pytest.mark.question("time_folds", points=1)
def test_time_folds_hidden_match_reference(learner, reference, hidden):
    """Hidden rows in a scrambled order: the same folds (as sets of times) as the reference."""
    train, test = hidden
    both = pd.concat([test, train], ignore_index=True)  # out of order: the test days first
    timestamps = both["timestamp"]
    what = "time_folds(timestamps, 3)"
    hint = "the folds are TimeSeriesSplit's on the rows in time order (stable sort), mapped back to positions"
    folds = check_folds(learner.time_folds(timestamps, 3), timestamps, 3, what, hint)
    expected = call_reference(reference, "time_folds", timestamps, 3)
    times = timestamps.to_numpy()
    for k, (got_fold, exp_fold) in enumerate(zip(folds, expected)):
        for part, got, exp in zip(("training", "validation"), got_fold, exp_fold):
            g, e = np.sort(times[got]), np.sort(times[exp])
            if len(g) != len(e) or not (g == e).all():
                fail(f"{what}[{k}]: the {part} rows differ from the expected fold: expected {len(e)} rows from "
                     f"{pd.Timestamp(e[0])} to {pd.Timestamp(e[-1])}, got {len(g)} rows from {pd.Timestamp(g[0])} "
                     f"to {pd.Timestamp(g[-1])}", hint)


# --- tune ---------------------------------------------------------------------------

TUNE_HINT = ("the pipeline, scoring='average_precision' and cv=TimeSeriesSplit(n_splits=cv) are fixed by the "
             "instructions; numeric columns are those with a numeric dtype")


@pytest.mark.question("tune", points=1)
def test_tune_hidden_scores_match_reference(learner, reference, hidden):
    """Hidden data, other columns: every candidate's fold scores match the reference within 1e-4."""
    train, _ = hidden
    X, y = train[["amount_ratio", "channel", "log_amount", "merchant_category"]], train["is_fraud"]
    # Three values a hundredfold apart keep the grid's ends, where solvers and settings part ways; each
    # candidate is four fits.
    grid = {"model__C": [0.001, 0.1, 10.0]}
    what = "tune(X, y, {'model__C': [0.001, 0.1, 10.0]}, cv=4)"
    _, res = check_search(learner.tune(X, y, grid, 4), what, TUNE_HINT, cv=4, n_rows=3)
    _, ref = call_reference(reference, "tune", X, y, grid, 4)
    for c in grid["model__C"]:
        row = res[np.isclose(res["param_model__C"], c, rtol=1e-9)]
        if row.empty:
            fail(f"{what}[1] (cv_results) has no row for model__C={c:g}", TUNE_HINT)
        exp = ref[np.isclose(ref["param_model__C"].astype(float), c, rtol=1e-9)].iloc[0]
        for column in ["mean_test_score"] + [f"split{k}_test_score" for k in range(4)]:
            assert_close(row[column].iloc[0], exp[column], f"{what}: {column} of model__C={c:g}", rtol=0, atol=1e-4, hint=TUNE_HINT)


@pytest.mark.question("tune", points=1)
def test_tune_hidden_model_reaches_the_floor(learner, reference, hidden):
    """The tuned model's AP on the later hidden period is at least 0.9 x the reference model's."""
    train, test = hidden
    grid = {"model__C": [0.01, 0.1, 1.0, 10.0]}
    # The floor is on the returned model, compared with the reference's for the same call: two folds make
    # the same comparison with half the fits.
    what = "tune(X_train, y_train, {'model__C': [0.01, 0.1, 1.0, 10.0]}, cv=2)"
    est, _ = check_search(learner.tune(train[FEATURES], train["is_fraud"], grid, 2), what, TUNE_HINT, cv=2, n_rows=4)
    ref_est, _ = call_reference(reference, "tune", train[FEATURES], train["is_fraud"], grid, 2)
    got = average_precision_score(test["is_fraud"], scores_of(est, test[FEATURES], f"{what}[0]", TUNE_HINT))
    floor = 0.9 * average_precision_score(test["is_fraud"], ref_est.predict_proba(test[FEATURES])[:, 1])
    if not got >= floor:
        fail(f"{what}[0]: average precision on the later hidden period is {got:.4f}; expected at least {floor:.4f} "
             "(0.9 x the reference model's)", TUNE_HINT)


@pytest.mark.question("tune", points=1)
def test_tune_hidden_choice_is_the_cv_best(learner, reference, hidden):
    """Hidden data, 5 folds: the chosen C has the best time-ordered CV score."""
    train, _ = hidden
    X, y = train[FEATURES], train["is_fraud"]
    # On these rows the best of the three is the middle one, and K-fold folds or accuracy pick another.
    grid = {"model__C": [0.0003, 0.03, 3.0]}
    what = "tune(X, y, {'model__C': [0.0003, 0.03, 3.0]}, cv=5)"
    est, _ = check_search(learner.tune(X, y, grid, 5), what, TUNE_HINT, cv=5, n_rows=3)
    _, ref = call_reference(reference, "tune", X, y, grid, 5)
    chosen = float(est.named_steps["model"].C)
    scores = dict(zip(ref["param_model__C"].astype(float), ref["mean_test_score"]))
    match = [c for c in scores if math.isclose(c, chosen, rel_tol=1e-9)]
    if not match:
        fail(f"{what}[0] has model__C={chosen:g}, which is not in the grid {grid['model__C']}", TUNE_HINT)
    assert_close(scores[match[0]], max(scores.values()),
                 f"{what}: the time-ordered CV average precision of the chosen model__C={chosen:g}", rtol=0, atol=1e-4,
                 hint="choose by mean_test_score with time-ordered folds and average precision: " + TUNE_HINT)


# --- on_boundary ----------------------------------------------------------------------

def results_frame(values, ranks, param="model__C"):
    """A minimal cv_results frame: param_<param>, mean_test_score consistent with the ranks, rank_test_score."""
    ranks = np.asarray(ranks, dtype="int32")
    return pd.DataFrame({f"param_{param}": np.asarray(values, dtype="float64"), "mean_test_score": 0.5 - 0.01 * ranks,
                         "rank_test_score": ranks})


@pytest.mark.question("on_boundary", points=1)
def test_on_boundary_unsorted_ties_and_other_names(learner):
    """Unsorted rows, ties for the best rank, a single row, another parameter name."""
    cases = [
        ([1.0, 0.01, 100.0, 0.1], [2, 1, 4, 3], "model__C", True, "the best, 0.01, is the smallest though not the first row"),
        ([0.1, 100.0, 1.0, 10.0], [4, 1, 3, 2], "model__C", True, "the best, 100.0, is the largest though not the last row"),
        ([0.01, 100.0, 1.0], [3, 2, 1], "model__C", False, "the best, 1.0, is inside the grid though it is the last row"),
        ([10.0, 0.1, 1.0], [3, 1, 1], "model__C", True, "two rows share rank 1, and one of them (0.1) is the smallest"),
        ([0.3], [1], "model__C", True, "a single value is on the edge"),
        ([0.5, 2.0, 1.0], [2, 3, 1], "model__intercept_scaling", False, "the best, 1.0, is inside the range"),
    ]
    for values, ranks, param, expected, why in cases:
        got = learner.on_boundary(results_frame(values, ranks, param), param)
        what = f"on_boundary(param_{param}={values}, rank={ranks}, {param!r})"
        expect_type(got, (bool, np.bool_), what, "return bool(...)")
        assert_equal(bool(got), expected, what, hint=f"{why}; the edges are the column's min and max, wherever their rows are")


@pytest.mark.question("on_boundary", points=1)
def test_on_boundary_hidden_search_results(learner, reference, hidden):
    """Real cv_results of searches on hidden data, rows shuffled: same answers as the reference."""
    train, _ = hidden
    X, y = train[FEATURES], train["is_fraud"]
    # The folds of the final_evaluation tests: the first search is then computed once for both.
    for grid in (FINAL_GRID["model__C"], [0.01, 0.1, 1.0, 10.0], [1e-4, 1e-3, 1e-2]):
        _, res = call_reference(reference, "tune", X, y, {"model__C": grid}, FINAL_CV)
        res = res.drop(columns=["params"]).sample(frac=1.0, random_state=3)
        what = f"on_boundary(cv_results of the grid {grid}, rows shuffled, 'model__C')"
        got = learner.on_boundary(res, "model__C")
        expect_type(got, (bool, np.bool_), what, "return bool(...)")
        assert_equal(bool(got), bool(call_reference(reference, "on_boundary", res, "model__C")), what,
                     hint="compare the rank-1 value with the column's min and max")


# --- random_search ----------------------------------------------------------------------

@pytest.mark.question("random_search", points=1)
def test_random_search_hidden_draws_are_log_uniform(learner, hidden):
    """30 draws in (1e-4, 1e4) on a hidden slice: spread evenly on the log scale."""
    train, _ = hidden
    part = train.iloc[:800]
    what = "random_search(X, y, C_range=(1e-4, 1e4), n_iter=30, random_state=5, cv=2)"
    hint = "sample log-uniformly: scipy.stats.loguniform(low, high)"
    result = learner.random_search(part[FEATURES], part["is_fraud"], C_range=(1e-4, 1e4), n_iter=30, random_state=5, cv=2)
    _, res = check_search(result, what, hint, cv=2, n_rows=30)
    values = res["param_model__C"].to_numpy()
    if not ((values >= 1e-4 * (1 - 1e-9)) & (values <= 1e4 * (1 + 1e-9))).all():
        fail(f"{what}: model__C values are not all within (1e-4, 1e4): min {values.min():.3g}, max {values.max():.3g}", hint)
    below = float(np.mean(values < 1.0))
    if not 0.2 <= below <= 0.8:
        fail(f"{what}: {below:.0%} of the draws are below 1, the geometric middle of the range; log-uniform draws put "
             "about half there (expected between 20% and 80%)", hint)


@pytest.mark.question("random_search", points=1)
def test_random_search_hidden_scores_match_time_ordered_cv(learner, reference, hidden):
    """Hidden data: each sampled C's fold scores match time-ordered CV of that C within 1e-4."""
    train, _ = hidden
    X, y = train[FEATURES], train["is_fraud"]
    # Three folds, not the default four, so that a cv left unused shows; four draws, each three fits.
    what = "random_search(X, y, C_range=(0.001, 100.0), n_iter=4, random_state=3, cv=3)"
    hint = "use tune's pipeline, scoring='average_precision' and cv=TimeSeriesSplit(n_splits=cv)"
    result = learner.random_search(X, y, C_range=(0.001, 100.0), n_iter=4, random_state=3, cv=3)
    _, res = check_search(result, what, hint, cv=3, n_rows=4)
    values = [float(c) for c in res["param_model__C"]]
    _, ref = call_reference(reference, "tune", X, y, {"model__C": values}, 3)
    for i, c in enumerate(values):
        for column in ["mean_test_score"] + [f"split{k}_test_score" for k in range(3)]:
            assert_close(res[column].iloc[i], ref[column].iloc[i], f"{what}: {column} of model__C={c:.6g}",
                         rtol=0, atol=1e-4, hint=hint)


# --- final_evaluation -----------------------------------------------------------------------

FINAL_KEYS = ["best_params", "cv_score", "test_score"]
FINAL_GRID = {"model__C": [0.001, 0.01, 0.1, 1.0, 10.0]}
# Five candidates give a choice made on the test set room to differ; the number of folds does not matter to
# what these tests check, and two (not tune's usual four) also show a cv that is not passed on.
FINAL_CV = 2
FINAL_CALL = "final_evaluation(X_train, y_train, X_test, y_test, {'model__C': [0.001, 0.01, 0.1, 1.0, 10.0]}, cv=2)"


def chosen_c(result, what, hint):
    expect_keys(result, FINAL_KEYS, what, hint)
    expect_keys(result["best_params"], ["model__C"], f"{what}['best_params']", hint)
    c = result["best_params"]["model__C"]
    if isinstance(c, bool) or not isinstance(c, (int, float, np.number)) or not np.isclose(FINAL_GRID["model__C"], float(c), rtol=1e-9).any():
        fail(f"{what}['best_params']['model__C'] is {c!r}; expected one of the grid's values {FINAL_GRID['model__C']}", hint)
    for key in ("cv_score", "test_score"):
        if isinstance(result[key], bool) or not isinstance(result[key], (int, float, np.number)):
            fail(f"{what}[{key!r}] is {result[key]!r}; expected a number", hint)
    return float(c)


@pytest.fixture(scope="module")
def hidden_final(learner, hidden):
    """The learner's answer to FINAL_CALL on the hidden rows, computed once for the two tests that make this call."""
    train, test = hidden
    return learner.final_evaluation(train[FEATURES], train["is_fraud"], test[FEATURES], test["is_fraud"], FINAL_GRID,
                                    FINAL_CV)


@pytest.mark.question("final_evaluation", points=1)
def test_final_evaluation_hidden_matches_reference(reference, hidden, hidden_final):
    """Hidden data: the CV-best C, its CV score, and the refit pipeline's test AP."""
    train, test = hidden
    X, y, X_test, y_test = train[FEATURES], train["is_fraud"], test[FEATURES], test["is_fraud"]
    hint = "choose with tune on the training period; test_score is the refit best pipeline's AP on the test period"
    result = hidden_final
    c = chosen_c(result, FINAL_CALL, hint)
    _, ref = call_reference(reference, "tune", X, y, FINAL_GRID, FINAL_CV)
    scores = dict(zip(ref["param_model__C"].astype(float), ref["mean_test_score"]))
    mine = next(v for k, v in scores.items() if math.isclose(k, c, rel_tol=1e-9))
    assert_close(mine, max(scores.values()), f"{FINAL_CALL}: the CV score of the chosen model__C={c:g}", rtol=0, atol=1e-4, hint=hint)
    assert_close(result["cv_score"], mine, f"{FINAL_CALL}['cv_score']", rtol=0, atol=1e-4, hint=hint)
    refit, _ = call_reference(reference, "tune", X, y, {"model__C": [c]}, FINAL_CV)
    expected = average_precision_score(y_test, refit.predict_proba(X_test)[:, 1])
    assert_close(result["test_score"], expected, f"{FINAL_CALL}['test_score']", rtol=0, atol=1e-4, hint=hint)


@pytest.mark.question("final_evaluation", points=1)
def test_final_evaluation_hidden_choice_ignores_the_test_set(learner, hidden, hidden_final):
    """Hidden data: shuffling the test labels leaves best_params and cv_score unchanged."""
    train, test = hidden
    X, y, X_test, y_test = train[FEATURES], train["is_fraud"], test[FEATURES], test["is_fraud"]
    hint = "the test period must not take part in the choice: no candidate is ever scored on it"
    shuffled = pd.Series(np.random.default_rng(4).permutation(y_test.to_numpy()), name="is_fraud")
    first = hidden_final
    second = learner.final_evaluation(X, y, X_test, shuffled, FINAL_GRID, FINAL_CV)
    a = chosen_c(first, FINAL_CALL, hint)
    b = chosen_c(second, FINAL_CALL + " with shuffled y_test", hint)
    if not math.isclose(a, b, rel_tol=1e-9):
        fail(f"{FINAL_CALL}: best_params['model__C'] changed from {a:g} to {b:g} when only the test labels were "
             "shuffled: the test set took part in the choice (tuning on the test set)", hint)
    assert_close(second["cv_score"], first["cv_score"], f"{FINAL_CALL}['cv_score'] with shuffled test labels",
                 rtol=0, atol=1e-9, hint=hint)


# --- bootstrap_ci ------------------------------------------------------------------------------

def check_interval(got, what, hint):
    expect_type(got, (tuple, list), what, hint)
    if len(got) != 2:
        fail(f"{what} returned {len(got)} items; expected 2: (low, high)", hint)
    for name, value in zip(("low", "high"), got):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or math.isnan(float(value)):
            fail(f"{what}: {name} is {value!r}; expected a number", hint)
    return float(got[0]), float(got[1])


@pytest.fixture(scope="module")
def hidden_model(hidden):
    """The exercise's pipeline with C=0.1, fitted by this test file on the hidden training rows."""
    train, _ = hidden
    return fitted_model(train, C=0.1)


@pytest.mark.question("bootstrap_ci", points=1)
def test_bootstrap_ci_hidden_matches_reference(learner, reference, hidden, hidden_model):
    """Hidden test period, both metrics: the interval matches the reference within 1e-6."""
    _, test = hidden
    X, y = test[FEATURES], test["is_fraud"]
    hint = ("default_rng(seed); n_boot resamples idx = rng.integers(0, n, size=n); skip one-class resamples; "
            "np.percentile(values, [2.5, 97.5]) on predict_proba(X_test)[:, 1]")
    # With 91 resamples both percentiles fall a quarter of the way between two sorted values (2.5% of 90 is
    # 2.25), so any other interpolation than numpy's linear default, or a 90% interval, shows.
    for metric in ("average_precision", "roc_auc"):
        what = f"bootstrap_ci(model, X_test, y_test, {metric!r}, n_boot=91, seed=11)"
        low, high = check_interval(learner.bootstrap_ci(hidden_model, X, y, metric, 91, 11), what, hint)
        exp_low, exp_high = call_reference(reference, "bootstrap_ci", hidden_model, X, y, metric, 91, 11)
        assert_close(low, exp_low, f"{what}: low", rtol=0, atol=1e-6, hint=hint)
        assert_close(high, exp_high, f"{what}: high", rtol=0, atol=1e-6, hint=hint)


@pytest.mark.question("bootstrap_ci", points=1)
def test_bootstrap_ci_hidden_narrows_with_more_rows(learner, hidden, hidden_model):
    """Hidden test period: four times the rows give a narrower interval, each around its point estimate."""
    _, test = hidden
    hint = "resample the rows with replacement, as many as there are test rows, and score the model's probabilities"
    widths = {}
    for name, rows in (("a quarter of the test rows", test.iloc[: len(test) // 4]), ("all the test rows", test)):
        X, y = rows[FEATURES], rows["is_fraud"]
        # A quarter of the rows gives an interval about 1.6 times as wide: a hundred resamples show it.
        what = f"bootstrap_ci(model, {name}, 'average_precision', n_boot=100, seed=2)"
        low, high = check_interval(learner.bootstrap_ci(hidden_model, X, y, "average_precision", 100, 2), what, hint)
        point = average_precision_score(y, hidden_model.predict_proba(X)[:, 1])
        if not low <= point <= high:
            fail(f"{what} returned ({low:.4f}, {high:.4f}), which does not contain the point estimate {point:.4f}", hint)
        widths[name] = high - low
    small, large = widths["a quarter of the test rows"], widths["all the test rows"]
    if not 0 < large < small:
        fail(f"bootstrap_ci: the interval is {large:.4f} wide on all {len(test)} test rows and {small:.4f} on a quarter "
             "of them; expected a positive width that narrows with more rows", hint)
