"""Common mistakes of exercise 06 (hyperparameters), and the tests that catch them."""

from grader.catalogue import Mistake

_PIPELINE = '''
    numeric = X_train.select_dtypes("number").columns.tolist()
    categorical = [column for column in X_train.columns if column not in numeric]
    prep = ColumnTransformer([
        ("num", StandardScaler(), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    pipeline = Pipeline([("prep", prep), ("model", LogisticRegression(max_iter=1000))])
'''

_TUNE_IMPORTS = '''
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
'''

_SEARCH_IMPORTS = '''
import pandas as pd
from scipy.stats import loguniform, uniform
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
'''

_BOOT_HEAD = '''
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def bootstrap_ci(model, X_test, y_test, metric, n_boot, seed):
    score = {"average_precision": average_precision_score, "roc_auc": roc_auc_score}[metric]
    y = np.asarray(y_test)
    scores = model.predict_proba(X_test)[:, 1]
'''

MISTAKES = [
    # --- time_folds ---
    Mistake(
        name="time_folds",
        title="TimeSeriesSplit on the rows as they come (unsorted)",
        test="test_time_folds_sort_before_splitting",
        message="later than the earliest validation row",
        code='''
import numpy as np
from sklearn.model_selection import TimeSeriesSplit


def time_folds(timestamps, n_splits):
    return list(TimeSeriesSplit(n_splits=n_splits).split(np.arange(len(timestamps))))
''',
    ),
    Mistake(
        name="time_folds",
        title="index labels instead of positions",
        test="test_time_folds_sort_before_splitting",
        message="not index labels",
        code='''
import numpy as np
from sklearn.model_selection import TimeSeriesSplit


def time_folds(timestamps, n_splits):
    labels = timestamps.sort_values(kind="stable").index.to_numpy()
    return [(labels[fit], labels[val]) for fit, val in TimeSeriesSplit(n_splits=n_splits).split(labels)]
''',
    ),
    # --- tune ---
    Mistake(
        name="tune",
        title="K-fold (cv=number) on time-ordered data",
        test="test_tune_split_scores_are_time_ordered_average_precision",
        message="split0_test_score",
        code=_TUNE_IMPORTS + '''

def tune(X_train, y_train, param_grid, cv):
''' + _PIPELINE + '''
    search = GridSearchCV(pipeline, param_grid, scoring="average_precision", cv=cv).fit(X_train, y_train)
    return search.best_estimator_, pd.DataFrame(search.cv_results_)
''',
    ),
    Mistake(
        name="tune",
        title="accuracy as the score on imbalanced data",
        test="test_tune_split_scores_are_time_ordered_average_precision",
        message="split0_test_score",
        code=_TUNE_IMPORTS + '''

def tune(X_train, y_train, param_grid, cv):
''' + _PIPELINE + '''
    search = GridSearchCV(pipeline, param_grid, cv=TimeSeriesSplit(n_splits=cv)).fit(X_train, y_train)
    return search.best_estimator_, pd.DataFrame(search.cv_results_)
''',
    ),
    Mistake(
        name="tune",
        title="scaler fitted outside cross-validation (grid names lose the model__ prefix)",
        test="test_tune_returns_pipeline_and_cv_results",
        message="param_model__C",
        code=_TUNE_IMPORTS + '''

def tune(X_train, y_train, param_grid, cv):
    numeric = X_train.select_dtypes("number").columns.tolist()
    categorical = [column for column in X_train.columns if column not in numeric]
    prep = ColumnTransformer([
        ("num", StandardScaler(), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    X = prep.fit_transform(X_train)  # fitted on every training row, validation folds included
    grid = {name.split("__", 1)[-1]: values for name, values in param_grid.items()}
    search = GridSearchCV(LogisticRegression(max_iter=1000), grid, scoring="average_precision",
                          cv=TimeSeriesSplit(n_splits=cv)).fit(X, y_train)
    return Pipeline([("prep", prep), ("model", search.best_estimator_)]), pd.DataFrame(search.cv_results_)
''',
    ),
    Mistake(
        name="tune",
        title="returns the last fold's model instead of a refit on all rows",
        test="test_tune_refits_the_best_pipeline_on_all_rows",
        message="not the pipeline refit on all of X_train",
        code=_TUNE_IMPORTS + '''
from sklearn.base import clone
from sklearn.metrics import average_precision_score


def tune(X_train, y_train, param_grid, cv):
''' + _PIPELINE + '''
    rows, best, best_score = [], None, -1.0
    for C in param_grid["model__C"]:
        row = {"param_model__C": C}
        for k, (fit, val) in enumerate(TimeSeriesSplit(n_splits=cv).split(X_train)):
            model = clone(pipeline).set_params(model__C=C).fit(X_train.iloc[fit], y_train.iloc[fit])
            row[f"split{k}_test_score"] = average_precision_score(y_train.iloc[val], model.predict_proba(X_train.iloc[val])[:, 1])
        row["mean_test_score"] = sum(row[f"split{k}_test_score"] for k in range(cv)) / cv
        if row["mean_test_score"] > best_score:
            best, best_score = model, row["mean_test_score"]  # the model of the last fold
        rows.append(row)
    results = pd.DataFrame(rows)
    results["rank_test_score"] = results["mean_test_score"].rank(ascending=False, method="min").astype(int)
    return best, results
''',
    ),
    # --- on_boundary ---
    Mistake(
        name="on_boundary",
        title="first and last rows taken as the grid's edges",
        test="test_on_boundary_unsorted_ties_and_other_names",
        message="on_boundary(param_model__C=[1.0, 0.01, 100.0, 0.1]",
        code='''
import pandas as pd


def on_boundary(cv_results, param):
    values = cv_results[f"param_{param}"].tolist()
    best = cv_results.loc[cv_results["rank_test_score"] == 1, f"param_{param}"].tolist()
    return any(v in (values[0], values[-1]) for v in best)
''',
    ),
    Mistake(
        name="on_boundary",
        title="only the upper edge checked",
        test="test_on_boundary_hand_built",
        message="the best C is the smallest",
        code='''
import pandas as pd


def on_boundary(cv_results, param):
    values = pd.to_numeric(cv_results[f"param_{param}"])
    best = values[cv_results["rank_test_score"] == 1]
    return bool((best == values.max()).any())
''',
    ),
    # --- random_search ---
    Mistake(
        name="random_search",
        title="C sampled uniformly, not on a log scale",
        test="test_random_search_hidden_draws_are_log_uniform",
        message="below 1, the geometric middle",
        code=_SEARCH_IMPORTS + '''

def random_search(X_train, y_train, C_range, n_iter, random_state, cv=4):
''' + _PIPELINE + '''
    low, high = C_range
    search = RandomizedSearchCV(pipeline, {"model__C": uniform(low, high - low)}, n_iter=n_iter,
                                random_state=random_state, scoring="average_precision",
                                cv=TimeSeriesSplit(n_splits=cv)).fit(X_train, y_train)
    return search.best_estimator_, pd.DataFrame(search.cv_results_)
''',
    ),
    Mistake(
        name="random_search",
        title="random_state ignored",
        test="test_random_search_same_random_state_same_draws",
        message="drew different values on two calls with the same random_state",
        code=_SEARCH_IMPORTS + '''

def random_search(X_train, y_train, C_range, n_iter, random_state, cv=4):
''' + _PIPELINE + '''
    low, high = C_range
    search = RandomizedSearchCV(pipeline, {"model__C": loguniform(low, high)}, n_iter=n_iter,
                                scoring="average_precision", cv=TimeSeriesSplit(n_splits=cv)).fit(X_train, y_train)
    return search.best_estimator_, pd.DataFrame(search.cv_results_)
''',
    ),
    # --- final_evaluation ---
    Mistake(
        name="final_evaluation",
        title="C chosen by its test score (tuning on the test set)",
        test="test_final_evaluation_choice_ignores_the_test_labels",
        message="tuning on the test set",
        code='''
from sklearn.metrics import average_precision_score


def final_evaluation(X_train, y_train, X_test, y_test, param_grid, cv):
    best = None
    for C in param_grid["model__C"]:
        model, results = tune(X_train, y_train, {"model__C": [C]}, cv)
        test_score = average_precision_score(y_test, model.predict_proba(X_test)[:, 1])
        if best is None or test_score > best["test_score"]:
            best = {"best_params": {"model__C": C}, "cv_score": float(results["mean_test_score"].iloc[0]),
                    "test_score": float(test_score)}
    return best
''',
    ),
    # --- bootstrap_ci ---
    Mistake(
        name="bootstrap_ci",
        title="resampling without replacement",
        test="test_bootstrap_ci_brackets_the_point_estimate",
        message="an interval of zero width",
        code=_BOOT_HEAD + '''
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.permutation(len(y))
        values.append(score(y[idx], scores[idx]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
''',
    ),
    Mistake(
        name="bootstrap_ci",
        title="the seed ignored",
        test="test_bootstrap_ci_same_seed_same_interval",
        message="the same seed must give the same interval",
        code=_BOOT_HEAD + '''
    rng = np.random.default_rng()
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), size=len(y))
        if y[idx].min() < y[idx].max():
            values.append(score(y[idx], scores[idx]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)
''',
    ),
    Mistake(
        name="bootstrap_ci",
        title="a 90% interval (5th and 95th percentiles)",
        test="test_bootstrap_ci_hidden_matches_reference",
        message="low: expected",
        code=_BOOT_HEAD + '''
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), size=len(y))
        if y[idx].min() < y[idx].max():
            values.append(score(y[idx], scores[idx]))
    low, high = np.percentile(values, [5, 95])
    return float(low), float(high)
''',
    ),
]
