"""Common mistakes of exercise 04, feature engineering, and the tests that catch them."""

from grader.catalogue import Mistake

MISTAKES = [
    # -- time_features ------------------------------------------------------------------
    Mistake(
        name="time_features",
        title="sine of the raw hour, not of its angle",
        test="test_time_features_hand_built",
        message="column 'hour_sin'",
        code='''
import numpy as np
import pandas as pd


def time_features(df):
    ts = pd.to_datetime(df["timestamp"])
    hour, weekday = ts.dt.hour, ts.dt.weekday
    return pd.DataFrame(
        {
            "hour": hour,
            "weekday": weekday,
            "is_night": (hour < 6).astype(int),
            "is_weekend": (weekday >= 5).astype(int),
            "hour_sin": np.sin(hour),
            "hour_cos": np.cos(hour),
        },
        index=df.index,
    )
''',
    ),
    # -- customer_rolling -----------------------------------------------------------------
    Mistake(
        name="customer_rolling",
        title="the window includes the current row",
        test="test_customer_rolling_ignores_the_future",
        message="changed the features of",
        code='''
import numpy as np
import pandas as pd


def customer_rolling(df, windows=(1, 7, 30)):
    data = df[["customer_id", "timestamp", "amount"]].copy()
    data["_row"] = np.arange(len(df))
    data = data.sort_values(["customer_id", "timestamp", "_row"])
    out = pd.DataFrame(index=data.index)
    for w in windows:
        # closed="right" (pandas' default): (t - w, t], the payment itself included
        rolled = data.groupby("customer_id").rolling(f"{w}D", on="timestamp", closed="right")["amount"]
        stats = rolled.agg(["count", "mean"]).reset_index(level=0, drop=True)
        out[f"cust_count_{w}d"] = stats["count"].fillna(0).to_numpy()
        out[f"cust_mean_amount_{w}d"] = stats["mean"].to_numpy()
    return out.loc[df.index]
''',
    ),
    Mistake(
        name="customer_rolling",
        title="windows of w transactions instead of w days",
        test="test_customer_rolling_hand_built",
        message="column 'cust_count_1d'",
        code='''
import numpy as np
import pandas as pd


def customer_rolling(df, windows=(1, 7, 30)):
    data = df.sort_values(["customer_id", "timestamp"])
    out = pd.DataFrame(index=data.index)
    for w in windows:
        previous = data.groupby("customer_id")["amount"].shift(1)
        rolled = previous.groupby(data["customer_id"]).rolling(w, min_periods=1)
        out[f"cust_count_{w}d"] = rolled.count().reset_index(level=0, drop=True)
        out[f"cust_mean_amount_{w}d"] = rolled.mean().reset_index(level=0, drop=True)
    return out.loc[df.index]
''',
    ),
    Mistake(
        name="customer_rolling",
        title="rows returned in sorted order, not in df's order",
        test="test_customer_rolling_hand_built",
        message="expected the rows in the order",
        code='''
import numpy as np
import pandas as pd


def customer_rolling(df, windows=(1, 7, 30)):
    data = df.sort_values(["customer_id", "timestamp"]).reset_index(drop=True)
    out = pd.DataFrame(index=data.index)
    times = data["timestamp"]
    for w in windows:
        count = np.zeros(len(data), dtype=int)
        mean = np.full(len(data), np.nan)
        for _, rows in data.groupby("customer_id").groups.items():
            t = times.loc[rows].to_numpy()
            a = data.loc[rows, "amount"].to_numpy()
            for k, i in enumerate(rows):
                inside = (t >= t[k] - np.timedelta64(w, "D")) & (t < t[k])
                count[i] = inside.sum()
                mean[i] = a[inside].mean() if inside.any() else np.nan
        out[f"cust_count_{w}d"] = count
        out[f"cust_mean_amount_{w}d"] = mean
    return out
''',
    ),
    # -- terminal_risk --------------------------------------------------------------------
    Mistake(
        name="terminal_risk",
        title="the label delay is ignored",
        test="test_terminal_risk_respects_label_delay",
        message="those labels had not arrived yet",
        code='''
import numpy as np
import pandas as pd


def terminal_risk(df, delay_days=7, window_days=30):
    data = df[["terminal_id", "timestamp", "is_fraud"]].copy()
    data["_row"] = np.arange(len(df))
    data = data.sort_values(["terminal_id", "timestamp", "_row"])
    # the last window_days up to the payment: labels that are not known yet
    rolled = data.groupby("terminal_id").rolling(f"{window_days}D", on="timestamp", closed="left")["is_fraud"]
    stats = rolled.agg(["count", "mean"]).reset_index(level=0, drop=True)
    out = pd.DataFrame(
        {"terminal_n_tx": stats["count"].fillna(0).to_numpy(), "terminal_risk": stats["mean"].fillna(0.0).to_numpy()},
        index=data.index,
    )
    return out.loc[df.index]
''',
    ),
    Mistake(
        name="terminal_risk",
        title="an empty window gives NaN instead of 0.0",
        test="test_terminal_risk_hand_built",
        message="column 'terminal_risk'",
        code='''
import numpy as np
import pandas as pd


def terminal_risk(df, delay_days=7, window_days=30):
    times = pd.to_datetime(df["timestamp"])
    n_tx = np.zeros(len(df))
    risk = np.full(len(df), np.nan)
    for terminal, rows in df.groupby("terminal_id").indices.items():
        t = times.iloc[rows].to_numpy()
        y = df["is_fraud"].iloc[rows].to_numpy()
        for k, i in enumerate(rows):
            end = t[k] - np.timedelta64(delay_days, "D")
            inside = (t >= end - np.timedelta64(window_days, "D")) & (t < end)
            n_tx[i] = inside.sum()
            risk[i] = y[inside].mean() if inside.any() else np.nan
    return pd.DataFrame({"terminal_n_tx": n_tx, "terminal_risk": risk}, index=df.index)
''',
    ),
    # -- target_encode_oof ----------------------------------------------------------------
    Mistake(
        name="target_encode_oof",
        title="in-sample target encoding (no folds)",
        test="test_target_encode_oof_own_label_does_not_move_encoding",
        message="leaked into its own encoding",
        code='''
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold


def target_encode_oof(X, column, y, n_splits=5, random_state=0, smoothing=0.0):
    target = pd.Series(np.asarray(y, dtype=float), index=X.index)
    prior = target.mean()
    stats = target.groupby(X[column]).agg(["sum", "count"])
    s = X[column].map(stats["sum"])
    n = X[column].map(stats["count"])
    return ((s + smoothing * prior) / (n + smoothing)).to_numpy()
''',
    ),
    Mistake(
        name="target_encode_oof",
        title="the prior is computed over all rows, train and held-out fold together",
        test="test_target_encode_oof_own_label_does_not_move_encoding",
        message="leaked into its own encoding",
        code='''
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold


def target_encode_oof(X, column, y, n_splits=5, random_state=0, smoothing=0.0):
    cats = X[column].to_numpy()
    target = np.asarray(y, dtype=float)
    prior = target.mean()  # every row's label, the held-out fold's included
    encoded = np.empty(len(cats))
    for train, held_out in KFold(n_splits, shuffle=True, random_state=random_state).split(cats):
        stats = pd.Series(target[train]).groupby(cats[train]).agg(["sum", "count"])
        s = pd.Series(cats[held_out]).map(stats["sum"]).fillna(0.0).to_numpy()
        n = pd.Series(cats[held_out]).map(stats["count"]).fillna(0.0).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            encoded[held_out] = np.where(n + smoothing > 0, (s + smoothing * prior) / (n + smoothing), prior)
    return encoded
''',
    ),
    Mistake(
        name="target_encode_oof",
        title="categories unseen in the other folds get NaN",
        test="test_target_encode_oof_leave_one_out",
        message="(category 'c')",
        code='''
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold


def target_encode_oof(X, column, y, n_splits=5, random_state=0, smoothing=0.0):
    cats = X[column].reset_index(drop=True)
    target = pd.Series(np.asarray(y, dtype=float))
    encoded = pd.Series(np.nan, index=cats.index)
    for train, held_out in KFold(n_splits, shuffle=True, random_state=random_state).split(cats):
        prior = target.iloc[train].mean()
        stats = target.iloc[train].groupby(cats.iloc[train]).agg(["sum", "count"])
        smoothed = (stats["sum"] + smoothing * prior) / (stats["count"] + smoothing)
        encoded.iloc[held_out] = cats.iloc[held_out].map(smoothed).to_numpy()
    return encoded.to_numpy()
''',
    ),
    # -- AmountBinner ---------------------------------------------------------------------
    Mistake(
        name="AmountBinner",
        title="fit does not return self",
        test="test_amount_binner_conventions",
        message="expected the estimator itself (return self)",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        X = validate_data(self, X)
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        self.bin_edges_ = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(self.bin_edges_)]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
    Mistake(
        name="AmountBinner",
        title="a fitted attribute set in __init__, so transform before fit is not a NotFittedError",
        test="test_amount_binner_conventions",
        message="expected a NotFittedError",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins
        self.bin_edges_ = None

    def fit(self, X, y=None):
        X = validate_data(self, X)
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        self.bin_edges_ = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = np.asarray(X, dtype=float)
        return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(self.bin_edges_)]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
    Mistake(
        name="AmountBinner",
        title="fit changes the n_bins parameter",
        test="test_amount_binner_conventions",
        message="after fit on data with two distinct values",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        X = validate_data(self, X)
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        # no more bins than distinct values
        self.n_bins = max(2, min(self.n_bins, len(np.unique(X))))
        self.bin_edges_ = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(self.bin_edges_)]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
    Mistake(
        name="AmountBinner",
        title="stateless: transform bins with the quantiles of the data it is given",
        test="test_amount_binner_estimator_checks",
        message="check_methods_subset_invariance",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        X = validate_data(self, X)
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        self.bin_edges_ = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        edges = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(edges)]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
    Mistake(
        name="AmountBinner",
        title="transform does not check the number of columns",
        test="test_amount_binner_estimator_checks",
        message="check_transformer_general",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError("X must be 2-D")
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        self.n_features_in_ = X.shape[1]
        self.bin_edges_ = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        return self

    def transform(self, X):
        if not hasattr(self, "bin_edges_"):
            raise NotFittedError("AmountBinner is not fitted yet")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError("X must be 2-D")
        return np.column_stack([np.searchsorted(self.bin_edges_[j], X[:, j], side="right") for j in range(X.shape[1])]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
    Mistake(
        name="AmountBinner",
        title="edges cached across instances (shared state)",
        test="test_amount_binner_clone_and_pipeline",
        message="the instances share state",
        code='''
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

_EDGES = {}  # computed once per (n_bins, n_features): "quantiles are expensive"


class AmountBinner(TransformerMixin, BaseEstimator):
    def __init__(self, n_bins=4):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        X = validate_data(self, X)
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError("n_bins must be an integer >= 2")
        key = (self.n_bins, X.shape[1])
        if key not in _EDGES:
            _EDGES[key] = np.quantile(X, np.arange(1, self.n_bins) / self.n_bins, axis=0).T.reshape(X.shape[1], -1)
        self.bin_edges_ = _EDGES[key]
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.column_stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(self.bin_edges_)]).astype(float)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        return np.asarray([f"{n}_bin" for n in names], dtype=str)
''',
    ),
]
