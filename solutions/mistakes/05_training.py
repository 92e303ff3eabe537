"""Common mistakes of exercise 05, training: each a whole wrong solution cell, and the test
that must catch it."""

from grader.catalogue import Mistake

MISTAKES = [
    Mistake(
        name="baselines",
        title="prevalence measured on the training labels",
        test="test_baselines_hidden_holdout",
        message="['prevalence']",
        code='''
import numpy as np
from sklearn.metrics import accuracy_score, average_precision_score, precision_score, recall_score, roc_auc_score


def baselines(y_train, y_test):
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    majority = int(y_train.mean() > 0.5)
    predicted = np.full(len(y_test), majority)
    score = np.full(len(y_test), float(majority))
    return {
        "prevalence": float(y_train.mean()),
        "accuracy": float(accuracy_score(y_test, predicted)),
        "precision": float(precision_score(y_test, predicted, zero_division=0)),
        "recall": float(recall_score(y_test, predicted, zero_division=0)),
        "pr_auc": float(average_precision_score(y_test, score)),
        "roc_auc": float(roc_auc_score(y_test, score)),
    }
''',
    ),
    Mistake(
        name="baselines",
        title="PR-AUC as the trapezoidal area under the precision-recall curve",
        test="test_baselines_hand_built",
        message="['pr_auc']",
        code='''
import numpy as np
from sklearn.metrics import accuracy_score, auc, precision_recall_curve, precision_score, recall_score, roc_auc_score


def baselines(y_train, y_test):
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    majority = int(y_train.mean() > 0.5)
    predicted = np.full(len(y_test), majority)
    score = np.full(len(y_test), float(majority))
    precision, recall, _ = precision_recall_curve(y_test, score)
    return {
        "prevalence": float(y_test.mean()),
        "accuracy": float(accuracy_score(y_test, predicted)),
        "precision": float(precision_score(y_test, predicted, zero_division=0)),
        "recall": float(recall_score(y_test, predicted, zero_division=0)),
        "pr_auc": float(auc(recall, precision)),
        "roc_auc": float(roc_auc_score(y_test, score)),
    }
''',
    ),
    Mistake(
        name="baselines",
        title="the majority class assumed to be 0, not learned from y_train",
        test="test_baselines_majority_learned_from_training_labels",
        message="['accuracy']",
        code='''
import numpy as np


def baselines(y_train, y_test):
    y_test = np.asarray(y_test)
    prevalence = float(y_test.mean())
    return {
        "prevalence": prevalence,
        "accuracy": 1.0 - prevalence,
        "precision": 0.0,
        "recall": 0.0,
        "pr_auc": prevalence,
        "roc_auc": 0.5,
    }
''',
    ),
    Mistake(
        name="train_model",
        title="class imbalance ignored: predict() misses most fraud",
        test="test_train_model_hidden_recall",
        message="recall of predict()",
        code='''
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def train_model(X, y, random_state):
    preprocess = ColumnTransformer(
        [
            ("numbers", StandardScaler(), make_column_selector(dtype_include="number")),
            ("categories", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        ]
    )
    classifier = LogisticRegression(max_iter=1000, random_state=random_state)
    return Pipeline([("preprocess", preprocess), ("classify", classifier)]).fit(X, y)
''',
    ),
    Mistake(
        name="train_model",
        title="negatives undersampled without a seed: two runs differ",
        test="test_train_model_is_deterministic",
        message="differ",
        code='''
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def train_model(X, y, random_state):
    y = pd.Series(np.asarray(y), index=X.index)
    keep = y.eq(1) | (np.random.rand(len(y)) < 0.1)  # a tenth of the genuine rows, no seed
    preprocess = ColumnTransformer(
        [
            ("numbers", StandardScaler(), make_column_selector(dtype_include="number")),
            ("categories", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        ]
    )
    classifier = LogisticRegression(class_weight="balanced", max_iter=1000, random_state=random_state)
    return Pipeline([("preprocess", preprocess), ("classify", classifier)]).fit(X[keep.to_numpy()], y[keep])
''',
    ),
    Mistake(
        name="train_model",
        title="HistGradientBoosting without random_state (its early stopping draws a random validation set)",
        test="test_train_model_is_deterministic",
        message="differ",
        code='''
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder


def train_model(X, y, random_state):
    preprocess = ColumnTransformer(
        [
            ("numbers", "passthrough", make_column_selector(dtype_include="number")),
            ("categories", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        ]
    )
    classifier = HistGradientBoostingClassifier(class_weight="balanced")
    return Pipeline([("preprocess", preprocess), ("classify", classifier)]).fit(X, y)
''',
    ),
    Mistake(
        name="train_model",
        title="preprocessing outside the model: the bare classifier cannot score raw rows",
        test="test_train_model_returns_a_fitted_pipeline",
        message="expected a Pipeline",
        code='''
import pandas as pd
from sklearn.linear_model import LogisticRegression


def train_model(X, y, random_state):
    encoded = pd.get_dummies(X, dtype=float)
    return LogisticRegression(class_weight="balanced", max_iter=1000, random_state=random_state).fit(encoded, y)
''',
    ),
    Mistake(
        name="train_model",
        title="columns picked by name: the clinic's data breaks it",
        test="test_train_model_on_the_clinic_data",
        message="train_model raised ValueError",
        status="error",
        code='''
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMBERS = ["amount", "log_amount", "amount_vs_usual", "hour", "terminal_frauds", "card_frauds"]
CATEGORIES = ["channel", "merchant_category"]


def train_model(X, y, random_state):
    preprocess = ColumnTransformer(
        [("numbers", StandardScaler(), NUMBERS), ("categories", OneHotEncoder(handle_unknown="ignore"), CATEGORIES)]
    )
    classifier = LogisticRegression(class_weight="balanced", max_iter=1000, random_state=random_state)
    return Pipeline([("preprocess", preprocess), ("classify", classifier)]).fit(X, y)
''',
    ),
    Mistake(
        name="train_model",
        title="a lambda in a FunctionTransformer: the model cannot cross to the grader",
        test="test_train_model_returns_a_fitted_pipeline",
        message="not trusted",
        status="error",
        code='''
import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler


def train_model(X, y, random_state):
    numbers = make_pipeline(FunctionTransformer(lambda a: np.sign(a) * np.log1p(np.abs(a))), StandardScaler())
    preprocess = ColumnTransformer(
        [
            ("numbers", numbers, make_column_selector(dtype_include="number")),
            ("categories", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        ]
    )
    classifier = LogisticRegression(class_weight="balanced", max_iter=1000, random_state=random_state)
    return Pipeline([("preprocess", preprocess), ("classify", classifier)]).fit(X, y)
''',
    ),
    Mistake(
        name="evaluate",
        title="AUCs computed from hard labels (predict) instead of scores",
        test="test_evaluate_hand_built",
        message="['pr_auc']",
        code='''
import numpy as np
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def evaluate(model, X, y, threshold=0.5):
    y = np.asarray(y)
    score = model.predict_proba(X)[:, 1]
    flagged = (score >= threshold).astype(int)
    labels = model.predict(X)
    return {
        "pr_auc": float(average_precision_score(y, labels)),
        "roc_auc": float(roc_auc_score(y, labels)),
        "precision": float(precision_score(y, flagged, zero_division=0)),
        "recall": float(recall_score(y, flagged, zero_division=0)),
    }
''',
    ),
    Mistake(
        name="evaluate",
        title="the threshold ignored: precision and recall of predict() at 0.5",
        test="test_evaluate_hand_built",
        message="['precision']",
        code='''
import numpy as np
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def evaluate(model, X, y, threshold=0.5):
    y = np.asarray(y)
    score = model.predict_proba(X)[:, 1]
    flagged = model.predict(X)
    return {
        "pr_auc": float(average_precision_score(y, score)),
        "roc_auc": float(roc_auc_score(y, score)),
        "precision": float(precision_score(y, flagged, zero_division=0)),
        "recall": float(recall_score(y, flagged, zero_division=0)),
    }
''',
    ),
    Mistake(
        name="evaluate",
        title="the score of the wrong class (predict_proba[:, 0])",
        test="test_evaluate_hand_built",
        message="['pr_auc']",
        code='''
import numpy as np
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def evaluate(model, X, y, threshold=0.5):
    y = np.asarray(y)
    score = model.predict_proba(X)[:, 0]
    flagged = (score >= threshold).astype(int)
    return {
        "pr_auc": float(average_precision_score(y, score)),
        "roc_auc": float(roc_auc_score(y, score)),
        "precision": float(precision_score(y, flagged, zero_division=0)),
        "recall": float(recall_score(y, flagged, zero_division=0)),
    }
''',
    ),
    Mistake(
        name="evaluate",
        title="the model refitted on the data it is scored on (metrics on training data)",
        test="test_evaluate_reference_model_hidden",
        message="['pr_auc']",
        code='''
import numpy as np
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def evaluate(model, X, y, threshold=0.5):
    y = np.asarray(y)
    model.fit(X, y)  # "make sure it is fitted"
    score = model.predict_proba(X)[:, 1]
    flagged = (score >= threshold).astype(int)
    return {
        "pr_auc": float(average_precision_score(y, score)),
        "roc_auc": float(roc_auc_score(y, score)),
        "precision": float(precision_score(y, flagged, zero_division=0)),
        "recall": float(recall_score(y, flagged, zero_division=0)),
    }
''',
    ),
    Mistake(
        name="pick_threshold",
        title="the threshold with the highest precision instead of the highest recall",
        test="test_pick_threshold_hand_built",
        message="min_precision=0.7",
        code='''
import numpy as np
from sklearn.metrics import precision_recall_curve


def pick_threshold(y_true, scores, min_precision):
    precision, recall, thresholds = precision_recall_curve(np.asarray(y_true), np.asarray(scores))
    return float(thresholds[np.argmax(precision[:-1])])
''',
    ),
    Mistake(
        name="pick_threshold",
        title="an index into the filtered arrays used on the unfiltered thresholds",
        test="test_pick_threshold_hand_built",
        message="min_precision=0.7",
        code='''
import math

import numpy as np
from sklearn.metrics import precision_recall_curve


def pick_threshold(y_true, scores, min_precision):
    precision, recall, thresholds = precision_recall_curve(np.asarray(y_true), np.asarray(scores))
    ok = precision[:-1] >= min_precision
    if not ok.any():
        return math.inf
    return float(thresholds[np.argmax(recall[:-1][ok])])
''',
    ),
    Mistake(
        name="pick_threshold",
        title="precision must strictly exceed the target",
        test="test_pick_threshold_hand_built",
        message="min_precision=0.75",
        code='''
import math

import numpy as np
from sklearn.metrics import precision_recall_curve


def pick_threshold(y_true, scores, min_precision):
    precision, recall, thresholds = precision_recall_curve(np.asarray(y_true), np.asarray(scores))
    precision, recall = precision[:-1], recall[:-1]
    ok = precision > min_precision
    if not ok.any():
        return math.inf
    best = recall[ok].max()
    return float(thresholds[ok & (recall == best)].max())
''',
    ),
    Mistake(
        name="pick_threshold",
        title="no threshold reaches the precision: the highest score instead of math.inf",
        test="test_pick_threshold_unreachable_and_ties",
        message="expected inf",
        code='''
import numpy as np
from sklearn.metrics import precision_recall_curve


def pick_threshold(y_true, scores, min_precision):
    precision, recall, thresholds = precision_recall_curve(np.asarray(y_true), np.asarray(scores))
    precision, recall = precision[:-1], recall[:-1]
    ok = precision >= min_precision
    if not ok.any():
        return float(thresholds.max())
    best = recall[ok].max()
    return float(thresholds[ok & (recall == best)].max())
''',
    ),
    Mistake(
        name="cheapest_threshold",
        title="only false alarms pay for a review",
        test="test_cheapest_threshold_hand_built",
        message="review_cost=5.0",
        code='''
import math

import numpy as np


def cheapest_threshold(y_true, scores, amounts, review_cost):
    y, scores, amounts = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(amounts, dtype=float)
    best, best_cost = math.inf, amounts[y == 1].sum()
    for t in np.unique(scores)[::-1]:
        flagged = scores >= t
        cost = review_cost * (flagged & (y == 0)).sum() + amounts[(y == 1) & ~flagged].sum()
        if cost < best_cost:
            best, best_cost = float(t), cost
    return best
''',
    ),
    Mistake(
        name="cheapest_threshold",
        title="counts missed frauds instead of their amounts",
        test="test_cheapest_threshold_hidden_scores",
        message="costs",
        code='''
import math

import numpy as np


def cheapest_threshold(y_true, scores, amounts, review_cost):
    y, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    best, best_cost = math.inf, float((y == 1).sum())
    for t in np.unique(scores)[::-1]:
        flagged = scores >= t
        cost = review_cost * flagged.sum() + ((y == 1) & ~flagged).sum()
        if cost < best_cost:
            best, best_cost = float(t), cost
    return best
''',
    ),
    Mistake(
        name="cheapest_threshold",
        title="flagging nothing never considered",
        test="test_cheapest_threshold_hand_built",
        message="review_cost=200.0",
        code='''
import numpy as np


def cheapest_threshold(y_true, scores, amounts, review_cost):
    y, scores, amounts = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(amounts, dtype=float)
    candidates = np.unique(scores)[::-1]
    costs = [review_cost * (scores >= t).sum() + amounts[(y == 1) & (scores < t)].sum() for t in candidates]
    return float(candidates[int(np.argmin(costs))])
''',
    ),
    Mistake(
        name="cheapest_threshold",
        title="the threshold with the best accuracy instead of the lowest cost",
        test="test_cheapest_threshold_hand_built",
        message="cheapest_threshold",
        code='''
import math

import numpy as np


def cheapest_threshold(y_true, scores, amounts, review_cost):
    y, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    candidates = np.append(np.unique(scores)[::-1], math.inf)
    accuracy = [((scores >= t).astype(int) == y).mean() for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])
''',
    ),
    Mistake(
        name="cheapest_threshold",
        title="a tie goes to the lower threshold",
        test="test_cheapest_threshold_ties_and_index",
        message="with a tie",
        code='''
import math

import numpy as np


def cheapest_threshold(y_true, scores, amounts, review_cost):
    y, scores, amounts = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(amounts, dtype=float)
    best, best_cost = math.inf, amounts[y == 1].sum()
    for t in np.unique(scores)[::-1]:
        flagged = scores >= t
        cost = review_cost * flagged.sum() + amounts[(y == 1) & ~flagged].sum()
        if cost <= best_cost:
            best, best_cost = float(t), cost
    return best
''',
    ),
]
