"""Hidden tests of exercise 04, feature engineering.

They run only at grading, on the hidden seed's month (``load_transactions(hidden=True)``),
with shuffled rows, non-default indexes and parameters the notebook never uses. Leakage
is tested as a property: perturb the future, the recent labels or a row's own label,
call the learner's function again, and compare.

``AmountBinner`` is graded through ``RemoteAmountBinner``, a trusted scikit-learn
estimator defined here that delegates to fresh instances of the learner's class in the
worker; scikit-learn's ``clone``, ``Pipeline``, ``GridSearchCV`` and estimator checks run
on it in this process (see the notebook's instructor notes).
"""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import estimator_checks

from grader import LearnerError
from grader._proxy import RemoteObject
from grader.data import load_transactions
from grader.testing import (
    assert_close,
    assert_equal,
    assert_frame_close,
    expect_type,
    fail,
    public_tests,
)

DAY = pd.Timedelta(days=1)

_public = public_tests(__file__)
_frame, _vector = _public._frame, _public._vector  # one definition, in the public file


@pytest.fixture(scope="module")
def hidden_tx():
    """The hidden seed's transactions (another month, another population)."""
    return load_transactions(hidden=True)


def _show(value) -> str:
    """A label or a category as messages show it: 30639, not np.int64(30639)."""
    return repr(value.item() if isinstance(value, np.generic) else value)






def _same_index(got, df, what, hint):
    """Fail unless the learner kept df's index, in df's order (checked before comparing rows by label)."""
    if list(got.index) != list(df.index):
        fail(f"{what}: expected df's index in df's row order (the first labels {list(df.index[:5])}), got {list(got.index[:5])}…", hint)


def _changed_rows(before, after, labels, columns):
    """(label, column, before, after) for every value that moved beyond 1e-9 (NaN equals NaN)."""
    moved = []
    for col in columns:
        a = pd.to_numeric(before.loc[labels, col], errors="coerce").astype(float).to_numpy()
        b = pd.to_numeric(after.loc[labels, col], errors="coerce").astype(float).to_numpy()
        differ = ~((np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= 1e-9 + 1e-9 * np.abs(a)))
        moved += [(labels[i], col, a[i], b[i]) for i in np.flatnonzero(differ)]
    return moved


# -- time_features ------------------------------------------------------------------


@pytest.mark.question("time_features", points=1)
def test_time_features_match_reference_hidden(learner, reference, hidden_tx):
    """Matches the reference on 5,000 shuffled hidden transactions."""
    df = hidden_tx.sample(n=5000, random_state=4)
    hint = "keep df's index and row order; columns hour, weekday, is_night, is_weekend, hour_sin, hour_cos in that order"
    got = _frame(learner.time_features(df), "time_features(hidden sample)", hint)
    assert_frame_close(got, reference.time_features(df), "time_features(hidden sample)", atol=1e-9, hint=hint)


@pytest.mark.question("time_features", points=1)
def test_time_features_cyclical_properties(learner, hidden_tx):
    """The hours lie on the unit circle, 23:00 next to 00:00; the flags agree with hour and weekday."""
    df = hidden_tx.iloc[::7]
    what = "time_features(hidden rows)"
    got = _frame(learner.time_features(df), what, "return a DataFrame with the six columns")
    missing = [c for c in ("hour", "weekday", "is_night", "is_weekend", "hour_sin", "hour_cos") if c not in got.columns]
    if missing:
        fail(f"{what}: missing the columns {missing}", "the columns are hour, weekday, is_night, is_weekend, hour_sin, hour_cos")
    hour = pd.to_numeric(got["hour"]).to_numpy(dtype=float)
    weekday = pd.to_numeric(got["weekday"]).to_numpy(dtype=float)
    sin, cos = got["hour_sin"].to_numpy(dtype=float), got["hour_cos"].to_numpy(dtype=float)
    radius = np.sqrt(sin**2 + cos**2)
    assert_close(float(np.max(np.abs(radius - 1))), 0.0, f"{what}: max |sqrt(hour_sin² + hour_cos²) - 1|", atol=1e-9, hint="sin and cos of the same angle lie on the unit circle")
    points = {}
    for h in (23, 0, 1):
        rows = np.flatnonzero(hour == h)
        if len(rows) == 0:
            fail(f"{what}: no row has hour {h}; the hidden data has payments at every hour", "hour is the timestamp's hour, 0-23")
        points[h] = np.array([sin[rows[0]], cos[rows[0]]])
    assert_close(
        float(np.linalg.norm(points[23] - points[0])),
        float(np.linalg.norm(points[0] - points[1])),
        f"{what}: the distance between 23:00 and 00:00 on the circle (vs 00:00 to 01:00)",
        atol=1e-9,
        hint="one full turn is 24 hours: the angle is 2*pi*hour/24",
    )
    for flag, expected in (("is_night", hour < 6), ("is_weekend", weekday >= 5)):
        values = pd.to_numeric(got[flag]).to_numpy(dtype=float)
        wrong = np.flatnonzero(values != expected.astype(float))
        if len(wrong):
            i = wrong[0]
            fail(f"{what}: {flag} disagrees with hour/weekday on {len(wrong)} rows (e.g. hour {hour[i]:g}, weekday {weekday[i]:g}: {flag} = {values[i]:g})",
                 "is_night is hour < 6; is_weekend is weekday >= 5 (Saturday, Sunday)")


# -- customer_rolling -----------------------------------------------------------------


def _cards_sample(tx):
    """A third of the hidden cards, rows shuffled (their original index labels kept)."""
    cards = np.sort(tx["customer_id"].unique())[::3]
    return tx[tx["customer_id"].isin(cards)].sample(frac=1.0, random_state=6)


@pytest.mark.question("customer_rolling", points=2)
def test_customer_rolling_match_reference_hidden(learner, reference, hidden_tx):
    """Matches the reference on shuffled hidden cards, with windows (1, 7, 30) and (2, 14)."""
    df = _cards_sample(hidden_tx)
    hint = "windows [t - w days, t) per card; count 0 and mean NaN when empty; columns per window: count then mean; df's index and row order"
    for windows in ((1, 7, 30), (2, 14)):
        what = f"customer_rolling(hidden cards, windows={windows})"
        got = _frame(learner.customer_rolling(df, windows=windows), what, hint)
        assert_frame_close(got, reference.customer_rolling(df, windows=windows), what, rtol=1e-6, atol=1e-9, hint=hint)


@pytest.mark.question("customer_rolling", points=2)
def test_customer_rolling_ignores_the_future(learner, hidden_tx):
    """Editing the amounts from a moment T on changes no feature at or before T."""
    df = _cards_sample(hidden_tx)
    times = np.sort(df["timestamp"].to_numpy())
    hint = "a window must hold only strictly earlier payments of the card, [t - w days, t): not the row itself, not later rows"
    what = "customer_rolling(hidden cards)"
    base = _frame(learner.customer_rolling(df, windows=(1, 7, 30)), what, hint)
    _same_index(base, df, what, "return df's index, in df's row order")
    for q in (0.4, 0.75):
        cut = pd.Timestamp(times[int(q * (len(times) - 1))])  # an actual payment's time
        edited = df.copy()
        later = edited["timestamp"] >= cut
        edited.loc[later, "amount"] = edited.loc[later, "amount"] * 7 + 1
        after = _frame(learner.customer_rolling(edited, windows=(1, 7, 30)), what, hint)
        _same_index(after, df, what, "return df's index, in df's row order")
        past = df.index[df["timestamp"] <= cut]
        moved = _changed_rows(base, after, past, base.columns)
        if moved:
            label, col, a, b = moved[0]
            rows = len({m[0] for m in moved})
            fail(
                f"customer_rolling: multiplying the amounts of the payments at or after {cut} changed the features of "
                f"{rows} payment{'s' if rows != 1 else ''} at or before {cut} (e.g. row {_show(label)}: {col} went from {a:.6g} to {b:.6g}); "
                "a feature of a payment at t must not depend on the payment itself or on later ones",
                hint,
            )


# -- terminal_risk --------------------------------------------------------------------


def _terminals_sample(tx):
    """A quarter of the hidden terminals, rows shuffled (their original index labels kept)."""
    return tx[tx["terminal_id"] % 4 == 1].sample(frac=1.0, random_state=8)


@pytest.mark.question("terminal_risk", points=2)
def test_terminal_risk_match_reference_hidden(learner, reference, hidden_tx):
    """Matches the reference on shuffled hidden terminals, with (delay, window) = (7, 30) and (3, 10)."""
    df = _terminals_sample(hidden_tx)
    hint = "window [t - delay_days - window_days, t - delay_days) per terminal; risk = frauds / count, 0.0 when empty; df's index and row order"
    for delay, window in ((7, 30), (3, 10)):
        what = f"terminal_risk(hidden terminals, delay_days={delay}, window_days={window})"
        got = _frame(learner.terminal_risk(df, delay_days=delay, window_days=window), what, hint)
        assert_frame_close(got, reference.terminal_risk(df, delay_days=delay, window_days=window), what, atol=1e-9, hint=hint)


@pytest.mark.question("terminal_risk", points=2)
def test_terminal_risk_respects_label_delay(learner, hidden_tx):
    """Flipping the labels from T - delay_days on changes no feature at or before T."""
    df = _terminals_sample(hidden_tx)
    times = np.sort(df["timestamp"].to_numpy())
    hint = "the window of a payment at t ends at t - delay_days (excluded): labels of later payments are not known yet at t"
    for delay, window, q in ((7, 30, 0.5), (3, 10, 0.8)):
        what = f"terminal_risk(hidden terminals, delay_days={delay}, window_days={window})"
        base = _frame(learner.terminal_risk(df, delay_days=delay, window_days=window), what, hint)
        _same_index(base, df, what, "return df's index, in df's row order")
        cut = pd.Timestamp(times[int(q * (len(times) - 1))])
        flipped = df.copy()
        recent = flipped["timestamp"] >= cut - delay * DAY
        flipped.loc[recent, "is_fraud"] = 1 - flipped.loc[recent, "is_fraud"]
        after = _frame(learner.terminal_risk(flipped, delay_days=delay, window_days=window), what, hint)
        _same_index(after, df, what, "return df's index, in df's row order")
        past = df.index[df["timestamp"] <= cut]
        moved = _changed_rows(base, after, past, base.columns)
        if moved:
            label, col, a, b = moved[0]
            rows = len({m[0] for m in moved})
            fail(
                f"terminal_risk(delay_days={delay}): flipping the labels of the payments from {cut - delay * DAY} on "
                f"(the last {delay} days before {cut}, and later) changed the features of {rows} payment{'s' if rows != 1 else ''} at or before "
                f"{cut} (e.g. row {_show(label)}: {col} went from {a:.6g} to {b:.6g}); those labels had not arrived yet",
                hint,
            )


# -- target_encode_oof ----------------------------------------------------------------


@pytest.mark.question("target_encode_oof", points=2)
def test_target_encode_oof_match_reference_hidden(learner, reference, hidden_tx):
    """Matches the reference on hidden rows with a non-default index, with and without smoothing."""
    start = hidden_tx["timestamp"].min()
    weeks = hidden_tx[(hidden_tx["timestamp"] >= start + 10 * DAY) & (hidden_tx["timestamp"] < start + 31 * DAY)]
    small = hidden_tx.sample(n=3000, random_state=9)  # many categories seen once: the fallback matters
    cases = [
        (weeks, "terminal_id", dict(n_splits=5, random_state=11, smoothing=20.0)),
        (small, "customer_id", dict(n_splits=4, random_state=3, smoothing=0.0)),
        (small, "merchant_category", dict(n_splits=3, random_state=0, smoothing=0.0)),
    ]
    hint = (
        "folds: KFold(n_splits, shuffle=True, random_state).split(X) by position; per fold, the prior and the counts "
        "come from the training rows only; encoding = (s_c + smoothing*prior) / (n_c + smoothing), the prior when n_c + smoothing == 0"
    )
    for X, column, kwargs in cases:
        y = X["is_fraud"]
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        what = f"target_encode_oof(hidden rows, {column!r}, y, {args})"
        got = _vector(learner.target_encode_oof(X, column, y, **kwargs), len(X), what, hint)
        expected = np.asarray(reference.target_encode_oof(X, column, y, **kwargs), dtype=float)
        err = np.abs(got - expected)
        err[np.isnan(got) & np.isnan(expected)] = 0.0
        err[np.isnan(got) != np.isnan(expected)] = np.inf
        if not np.all(err <= 1e-9):
            i = int(np.argmax(err))
            fail(
                f"{what}: {int(np.sum(~(err <= 1e-9)))} of {len(X)} values differ; max abs error {err[i]:.3g} > tolerance 1e-09 "
                f"(at position {i}, category {_show(X[column].iloc[i])}: expected {expected[i]:.6g}, got {got[i]:.6g})",
                hint,
            )


@pytest.mark.question("target_encode_oof", points=2)
def test_target_encode_oof_own_label_does_not_move_encoding(learner, hidden_tx):
    """Flipping one row's label leaves that row's own encoding unchanged (12 rows, with smoothing)."""
    X = hidden_tx.sample(n=4000, random_state=5)
    y = X["is_fraud"].copy()
    column, kwargs = "terminal_id", dict(n_splits=5, random_state=2, smoothing=5.0)
    hint = "a row's encoding may use only the other folds' rows: their category statistics and their prior; never its own label"
    what = "target_encode_oof(hidden rows, 'terminal_id', y, n_splits=5, random_state=2, smoothing=5.0)"
    base = _vector(learner.target_encode_oof(X, column, y, **kwargs), len(X), what, hint)
    counts = X[column].map(X[column].value_counts()).to_numpy()
    rng = np.random.default_rng(12)
    frauds = np.flatnonzero(y.to_numpy() == 1)
    singles = np.flatnonzero(counts == 1)
    common = np.flatnonzero(counts >= 4)
    positions = np.concatenate([rng.choice(pool, size=min(4, len(pool)), replace=False) for pool in (frauds, singles, common)])
    for pos in positions:
        flipped = y.copy()
        flipped.iloc[pos] = 1 - flipped.iloc[pos]
        got = _vector(learner.target_encode_oof(X, column, flipped, **kwargs), len(X), what, hint)
        if not (abs(got[pos] - base[pos]) <= 1e-12 or (np.isnan(got[pos]) and np.isnan(base[pos]))):
            fail(
                f"target_encode_oof: flipping the label of the row at position {pos} XX moved its own encoding from {base[pos]:.6g} to {got[pos]:.6g}; its label "
                "leaked into its own encoding",
                hint,
            )


# -- AmountBinner: the trusted adapter --------------------------------------------------


class _FromLearner(Exception):
    """Marks an exception raised by the learner's code and re-raised here as its own type."""


class _LearnerNotFittedError(_FromLearner, NotFittedError):
    pass


class _LearnerValueError(_FromLearner, ValueError):
    pass


class _LearnerTypeError(_FromLearner, TypeError):
    pass


class _LearnerAttributeError(_FromLearner, AttributeError):
    pass


# The learner's exception types that scikit-learn's checks expect, by name. Anything else
# the learner raises stays a LearnerError.
_AS = {
    "NotFittedError": _LearnerNotFittedError,
    "ValueError": _LearnerValueError,
    "TypeError": _LearnerTypeError,
    "AttributeError": _LearnerAttributeError,
}
_RAISED = re.compile(r"^AmountBinner(?:\.\w+)? raised (\w+)\b")


def _delegate(call):
    """Run a call of the learner's code; re-raise the errors sklearn expects as their types."""
    try:
        return call()
    except LearnerError as exc:
        match = _RAISED.match(exc.message)
        kind = _AS.get(match.group(1)) if match else None
        if kind is None:
            raise
        raise kind(exc.message.splitlines()[0]) from None


def _plain(value):
    """What a check passes, as data that crosses the wire: memmaps, lists and array-likes become arrays."""
    if value is None or type(value) in (pd.DataFrame, pd.Series):
        return value
    return np.array(value)


def _same_object(a, b) -> bool:
    """True when two handles stand for the same object on the learner's side."""
    return type(a) is RemoteObject and type(b) is RemoteObject and object.__getattribute__(a, "_handle") == object.__getattribute__(b, "_handle")


def _as_array(out, method):
    if isinstance(out, pd.DataFrame):
        return out.to_numpy()
    if not isinstance(out, np.ndarray):
        raise AssertionError(f"AmountBinner.{method} returned {type(out).__name__}; expected a NumPy array")
    return out


def remote_binner_class(learner):
    """The trusted stand-in estimator for the learner's AmountBinner."""

    class RemoteAmountBinner(TransformerMixin, BaseEstimator):
        """Holds the parameters here; every fit makes a fresh instance of the learner's class."""

        def __init__(self, n_bins=4):
            self.n_bins = n_bins

        def _fresh(self):
            obj = _delegate(lambda: learner.AmountBinner(**self.get_params()))
            if type(obj) is not RemoteObject:
                raise AssertionError(f"AmountBinner(**params) returned {type(obj).__name__}; expected an instance of your class")
            return obj

        def _adopt(self, remote):
            self.remote_ = remote
            self.__dict__.pop("n_features_in_", None)
            try:
                self.n_features_in_ = remote.n_features_in_
            except LearnerError:
                pass  # no n_features_in_: check_n_features_in reports it
            # Mirror a parameter the learner's fit changed, so that sklearn's checks see it.
            params = _delegate(lambda: remote.get_params())
            if isinstance(params, dict):
                for name, value in self.get_params().items():
                    if name in params and not (type(params[name]) is type(value) and params[name] == value):
                        setattr(self, name, params[name])

        def _remote(self):
            remote = self.__dict__.get("remote_")
            return remote if remote is not None else self._fresh()  # unfitted: ask an unfitted instance

        def fit(self, X, y=None):
            remote = self._fresh()
            returned = _delegate(lambda: remote.fit(_plain(X), _plain(y)))
            if not _same_object(returned, remote):
                raise AssertionError(f"AmountBinner.fit returned {returned!r}, not the estimator itself (return self)")
            self._adopt(remote)
            return self

        def fit_transform(self, X, y=None):
            remote = self._fresh()
            out = _delegate(lambda: remote.fit_transform(_plain(X), _plain(y)))
            self._adopt(remote)
            return _as_array(out, "fit_transform")

        def transform(self, X):
            remote = self._remote()
            return _as_array(_delegate(lambda: remote.transform(_plain(X))), "transform")

        def get_feature_names_out(self, input_features=None):
            remote = self._remote()
            args = () if input_features is None else ([str(name) for name in input_features],)
            names = _delegate(lambda: remote.get_feature_names_out(*args))
            if not isinstance(names, (np.ndarray, list)):
                raise AssertionError(f"AmountBinner.get_feature_names_out returned {type(names).__name__}; expected an array of str")
            return np.asarray([str(name) for name in names], dtype=object)

    return RemoteAmountBinner


def _new_binner(learner, what, hint, **params):
    """A handle to a new instance of the learner's AmountBinner; a failure if construction raises."""
    try:
        binner = learner.AmountBinner(**params)
    except LearnerError as exc:
        fail(f"{what} raised an error: {exc.message.splitlines()[0]}; __init__ only stores its parameters", hint)
    if type(binner) is not RemoteObject:
        fail(f"{what} returned {type(binner).__name__}; expected an instance of your own class AmountBinner, defined in the notebook", hint)
    return binner


def _preflight(learner):
    """Call each method once on a tiny array, so that a method still a stub is "not attempted"
    here, before sklearn's checks (whose ``raises(..., err_msg=...)`` would turn it into a failure)."""
    binner = _new_binner(learner, "AmountBinner(n_bins=2)", "")
    X = np.arange(6.0).reshape(-1, 1)
    binner.fit(X)
    binner.transform(X)


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


def _call(what, hint, call):
    """Run trusted sklearn code over the adapter; report the learner's errors as a failure of ``what``."""
    try:
        return call()
    except _FromLearner as exc:
        fail(f"{what}: {exc}", hint)
    except LearnerError as exc:
        fail(f"{what}: {exc.message.splitlines()[0]}", hint)
    except AssertionError as exc:
        fail(f"{what}: {str(exc).strip().splitlines()[0] if str(exc).strip() else 'a check failed'}", hint)


# The checks that make sense through the adapter (see the instructor notes for the others).
CHECKS = [
    estimator_checks.check_transformers_unfitted,
    estimator_checks.check_transformer_general,
    estimator_checks.check_fit1d,
    estimator_checks.check_n_features_in,
    estimator_checks.check_dont_overwrite_parameters,
    estimator_checks.check_estimators_overwrite_params,
    estimator_checks.check_fit_idempotent,
    estimator_checks.check_methods_subset_invariance,
    estimator_checks.check_methods_sample_order_invariance,
    estimator_checks.check_estimators_dtypes,
    estimator_checks.check_fit2d_1feature,
]


def _message(exc) -> str:
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    text = text.replace("RemoteAmountBinner", "AmountBinner")
    return (text[:300] + " …") if len(text) > 300 else (text or type(exc).__name__)


@pytest.mark.question("AmountBinner", points=2)
def test_amount_binner_estimator_checks(learner):
    """Passes scikit-learn's transformer checks, run on a trusted stand-in that calls your class."""
    _preflight(learner)  # not attempted, or not a class of your own: stop here
    binner_class = remote_binner_class(learner)
    failures = []
    for check in CHECKS:
        try:
            check("AmountBinner", binner_class(n_bins=4))
        except LearnerError as exc:
            failures.append(f"{check.__name__}: {_message(exc.message)}")
        except (AssertionError, _FromLearner) as exc:
            failures.append(f"{check.__name__}: {_message(exc)}")
    if failures:
        fail(
            f"AmountBinner fails {len(failures)} of {len(CHECKS)} scikit-learn estimator checks:\n- " + "\n- ".join(failures),
            "learn only in fit (bin_edges_ from the fit data, never from the data given to transform); never change n_bins; "
            "validate X with validate_data(self, X) in fit and validate_data(self, X, reset=False) in transform, "
            "so that a wrong number of columns raises ValueError",
        )


def _train_test(tx):
    """Three weeks of hidden payments to fit on, the next week to transform.

    6,002 training rows: with n - 1 = 6001 (odd, not a multiple of 3, 5 or 7) no quantile
    of the contract falls exactly on a training row, so implementations whose quantiles
    differ in the last bit (np.percentile, KBinsDiscretizer) still bin the training rows alike.
    """
    start = tx["timestamp"].min()
    early = tx[tx["timestamp"] < start + 21 * DAY].sample(n=6002, random_state=1)
    later = tx[(tx["timestamp"] >= start + 21 * DAY) & (tx["timestamp"] < start + 28 * DAY)].sample(n=3000, random_state=2)
    return early, later


def _jittered(df, seed):
    """The amounts, made continuous: no test value sits exactly on a learned edge."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": df["amount"].to_numpy() + rng.uniform(0.0, 1e-3, len(df))}, index=df.index)


def _bins_differ(got, want, X, edges):
    """How many bins differ, not counting values within 1e-9 of an edge (where the last bit decides)."""
    X = np.asarray(X, dtype=float)
    differ = got != want
    for j in range(X.shape[1]):
        gap = np.min(np.abs(X[:, j][:, None] - np.asarray(edges[j], dtype=float)[None, :]), axis=1)
        on_edge = gap <= 1e-9 * np.maximum(1.0, np.abs(X[:, j]))
        differ[:, j] &= ~(on_edge & (np.abs(got[:, j] - want[:, j]) <= 1))
    return int(differ.sum())


def _pipeline(binner):
    return Pipeline([("bins", binner), ("onehot", OneHotEncoder(handle_unknown="ignore")), ("model", LogisticRegression(max_iter=1000))])


@pytest.mark.question("AmountBinner", points=2)
def test_amount_binner_clone_and_pipeline(learner, reference, hidden_tx):
    """Works in a Pipeline and a grid search like the reference; clones are new, unfitted and independent."""
    _preflight(learner)
    early, later = _train_test(hidden_tx)
    X_train, y_train, X_test = _jittered(early, 1), early["is_fraud"].to_numpy(), _jittered(later, 2)
    binner_class = remote_binner_class(learner)
    hint = "learn the edges in fit, return self, and keep every fitted value on the instance (attributes ending in '_'), never on the class or in a module-level cache"

    # Independent instances: fitting a second one (as clone and cross-validation do) leaves the first unchanged.
    first = _new_binner(learner, "AmountBinner(n_bins=5)", hint, n_bins=5)
    first.fit(X_train)
    edges, bins = first.bin_edges_, first.transform(X_test)
    params = first.get_params()
    expect_type(params, dict, "AmountBinner(n_bins=5).get_params()", hint)
    second = _new_binner(learner, f"AmountBinner(**{params})", hint, **params)
    assert_equal(second.get_params(), params, "AmountBinner(**first.get_params()).get_params()", hint="__init__ stores its parameters unchanged")
    try:
        second.transform(X_test)
    except LearnerError as exc:
        if "NotFittedError" not in exc.message:
            fail(f"a new AmountBinner made from a fitted one's parameters: transform raised {exc.message.splitlines()[0]!r}; expected NotFittedError", hint)
    else:
        fail("a new AmountBinner made from a fitted one's parameters transforms without being fitted: it must start unfitted", hint)
    second.fit(X_train * 3 + 100)
    if not (np.array_equal(np.asarray(first.bin_edges_), np.asarray(edges)) and np.array_equal(np.asarray(first.transform(X_test)), np.asarray(bins))):
        fail("fitting a second AmountBinner on other data changed the first one's bin_edges_ or transform: the instances share state", hint)
    if np.allclose(np.asarray(second.bin_edges_, dtype=float), np.asarray(edges, dtype=float)):
        fail("a second AmountBinner fitted on other data (the amounts * 3 + 100) has the first one's bin_edges_: the instances share state", hint)

    # In a Pipeline, as the reference does.
    ours = _call("Pipeline([AmountBinner(n_bins=5), OneHotEncoder, LogisticRegression]).fit", hint, lambda: _pipeline(binner_class(n_bins=5)).fit(X_train, y_train))
    theirs = _pipeline(reference.AmountBinner(n_bins=5)).fit(X_train, y_train)
    got = _call("the pipeline's predict_proba", hint, lambda: ours.predict_proba(X_test)[:, 1])
    expected = theirs.predict_proba(X_test)[:, 1]
    assert_close(float(np.max(np.abs(got - expected))), 0.0, "max |predict_proba - reference's| of the pipeline on hidden rows", atol=1e-6, hint="the bins must be those of the contract: np.quantile edges, searchsorted side='right'")
    what = "pipeline['bins'].get_feature_names_out()"
    names = _names(lambda: ours.named_steps["bins"].remote_.get_feature_names_out(), what, hint)
    assert_equal(names, ["amount_bin"], what, hint="f'{name}_bin' for each column seen in fit")
    n_out = len(_call("pipeline[:-1].get_feature_names_out()", hint, lambda: ours[:-1].get_feature_names_out()))
    assert_equal(n_out, 5, "len(pipeline[:-1].get_feature_names_out()) (one-hot columns of 5 bins)", hint="transform must return bins 0 to n_bins - 1")

    # clone: a new, unfitted estimator with the same parameters.
    copy = clone(ours)
    assert_equal(copy.get_params()["bins__n_bins"], 5, "clone(pipeline).get_params()['bins__n_bins']", hint=hint)
    try:
        copy.named_steps["bins"].transform(X_test)
    except NotFittedError:
        pass
    else:
        fail("the clone of a fitted pipeline's AmountBinner transforms without being fitted", hint)

    # Grid search clones and refits it; the scores must be the reference's.
    grid = {"bins__n_bins": [3, 8]}
    search = _call("GridSearchCV(pipeline, {'bins__n_bins': [3, 8]}).fit", hint, lambda: GridSearchCV(_pipeline(binner_class()), grid, cv=3, scoring="neg_log_loss", error_score="raise").fit(X_train, y_train))
    expected_search = GridSearchCV(_pipeline(reference.AmountBinner()), grid, cv=3, scoring="neg_log_loss").fit(X_train, y_train)
    for i, n_bins in enumerate(grid["bins__n_bins"]):
        # rtol 1e-4: a training row on an edge of a fold may fall either side (last bit of the quantile)
        assert_close(search.cv_results_["mean_test_score"][i], expected_search.cv_results_["mean_test_score"][i], f"GridSearchCV mean log-loss score for n_bins={n_bins}", rtol=1e-4, hint=hint)
    best = search.best_estimator_.named_steps["bins"]
    assert_equal(best.n_bins, search.best_params_["bins__n_bins"], "GridSearchCV: n_bins of the refitted best pipeline's AmountBinner", hint=hint)
    n_out = len(_call("best_estimator_[:-1].get_feature_names_out()", hint, lambda: search.best_estimator_[:-1].get_feature_names_out()))
    assert_equal(n_out, best.n_bins, f"one-hot columns of the refitted best pipeline (n_bins={best.n_bins})", hint="set_params(n_bins=...) before fit must change the number of bins")


@pytest.mark.question("AmountBinner", points=1)
def test_amount_binner_match_reference_hidden(learner, reference, hidden_tx):
    """Learns the reference's edges on hidden amounts and bins later payments the same way."""
    early, later = _train_test(hidden_tx)
    frame = lambda df: pd.DataFrame({"amount": df["amount"], "log_amount": np.log1p(df["amount"])})  # noqa: E731
    X_train, X_test = frame(early), frame(later)
    hint = "bin_edges_ = np.quantile(X, np.arange(1, n_bins) / n_bins, axis=0).T; bins = np.searchsorted(edges, x, side='right'), so a value equal to an edge goes up (amounts repeat: ATM withdrawals are multiples of 10)"
    binner = _new_binner(learner, "AmountBinner(n_bins=7)", hint, n_bins=7)
    binner.fit(X_train)
    expected = reference.AmountBinner(n_bins=7).fit(X_train)
    edges = binner.bin_edges_
    expect_type(edges, np.ndarray, "AmountBinner(n_bins=7).fit(hidden amounts).bin_edges_", hint)
    if edges.shape != expected.bin_edges_.shape:
        fail(f"AmountBinner(n_bins=7).fit(hidden amounts).bin_edges_: expected shape {expected.bin_edges_.shape}, got {edges.shape}", hint)
    assert_close(float(np.max(np.abs(edges - expected.bin_edges_))), 0.0, "max |bin_edges_ - reference's| on hidden amounts", atol=1e-9, hint=hint)
    got = np.asarray(binner.transform(X_test), dtype=float)
    want = expected.transform(X_test)
    if got.shape != want.shape:
        fail(f"AmountBinner(n_bins=7).transform(hidden rows): expected shape {want.shape}, got {got.shape}", hint)
    wrong = _bins_differ(got, want, X_test, expected.bin_edges_)
    if wrong:
        fail(f"AmountBinner(n_bins=7).transform(hidden rows): {wrong} of {want.size} bins differ from the reference's", hint)
    what = "AmountBinner.get_feature_names_out() after fit on a DataFrame"
    assert_equal(_names(lambda: binner.get_feature_names_out(), what, hint), ["amount_bin", "log_amount_bin"], what, hint="names are f'{column}_bin'")
