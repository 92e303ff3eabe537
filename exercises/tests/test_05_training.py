"""Public tests of exercise 05, training: train and test.

They run in your notebook when you call ``check("name")``, and again at grading. They use
small cases built by hand below, whose expected values were worked out on paper, the public
transactions split by time as in the notebook, and scikit-learn's breast_cancer data. More
tests run at grading, on data you have not seen.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from grader.testing import assert_close, assert_dict_close, expect_type, fail

HINTS = {
    "baselines": [
        "The baseline learns one thing from `y_train`: its most frequent label. It predicts that label for every "
        "row of `y_test` and gives every row the same score, e.g. `np.full(len(y_test), 0.0)`.",
        "Score it on `y_test`, prevalence included. `sklearn.dummy.DummyClassifier(strategy='most_frequent')` does "
        "the learning; pass `zero_division=0` to `precision_score` for a baseline that flags nothing.",
        "PR-AUC is `average_precision_score(y_test, constant_score)`, which equals the prevalence; `auc(recall, "
        "precision)` draws a straight line to precision 1 at recall 0 and gives about 0.5 instead.",
    ],
    "train_model": [
        "Start from `Pipeline([('preprocess', ColumnTransformer([...])), ('classify', LogisticRegression(...))])` "
        "and return it fitted: `.fit(X, y)` returns the pipeline.",
        "Choose columns with `make_column_selector(dtype_include='number')` (scale them) and "
        "`make_column_selector(dtype_exclude='number')` (one-hot encode them, `handle_unknown='ignore'`).",
        "Use `class_weight='balanced'` so that `predict()` catches most fraud, and pass `random_state` to the "
        "estimator and to anything else random (subsampling). Your own functions cannot cross to the grader: use "
        "scikit-learn parts only.",
    ],
    "evaluate": [
        "The score is `model.predict_proba(X)[:, list(model.classes_).index(1)]`: AUCs need scores, not the 0/1 "
        "labels of `model.predict(X)`.",
        "Alerts are `score >= threshold` (use the argument: `predict()` always uses 0.5). Then `precision_score` "
        "and `recall_score` on those alerts, with `zero_division=0`.",
        "Never call `fit` on the model you evaluate: it must be scored as it came.",
    ],
    "pick_threshold": [
        "`precision, recall, thresholds = precision_recall_curve(y_true, scores)`: `precision[i]` and `recall[i]` "
        "belong to `thresholds[i]`; drop the last point of `precision` and `recall`, which has no threshold.",
        "Keep the thresholds with `precision >= min_precision` (inclusive) and take the highest recall among "
        "*them*. If you filter arrays, filter `thresholds` with the same mask before you index it.",
        "Several thresholds can share the best recall: return the highest. With no threshold reaching the "
        "precision, return `math.inf`.",
    ],
    "cheapest_threshold": [
        "Candidates: `np.unique(scores)` plus `math.inf`. For each: `review_cost * (scores >= t).sum()` plus the "
        "amounts of the frauds with `scores < t`.",
        "Every alert costs a review, also those that turn out to be fraud; a missed fraud costs its amount, not 1.",
        "Flagging nothing (`math.inf`) is a candidate too. On a tie, return the highest threshold.",
    ],
}

# --- data shared by the tests ------------------------------------------------------------


def known_frauds(tx, key, days):
    """The notebook's known_frauds: frauds of the same key whose label arrived in the last `days`."""
    counts = np.zeros(len(tx), dtype=np.int64)
    when = tx["timestamp"].to_numpy()
    keys = tx[key].to_numpy()
    frauds = tx[tx["is_fraud"] == 1]
    for value, arrived in frauds.groupby(key)["label_available_at"]:
        arrived = np.sort(arrived.to_numpy())
        rows = keys == value
        t = when[rows]
        counts[rows] = np.searchsorted(arrived, t, "right") - np.searchsorted(arrived, t - np.timedelta64(days, "D"), "right")
    return counts


def features(tx):
    """The notebook's features(tx)."""
    usual = tx.groupby("customer_id")["amount"].transform(lambda s: s.shift().expanding().mean())
    return pd.DataFrame(
        {
            "amount": tx["amount"],
            "log_amount": np.log(tx["amount"]),
            "amount_vs_usual": np.log(tx["amount"] / usual).fillna(0.0),
            "hour": tx["timestamp"].dt.hour,
            "terminal_frauds": known_frauds(tx, "terminal_id", 28),
            "card_frauds": known_frauds(tx, "customer_id", 14),
            "channel": tx["channel"],
            "merchant_category": tx["merchant_category"],
        },
        index=tx.index,
    )


def time_split(tx, train_days=28, test_days=None):
    """(X_train, y_train, X_test, y_test): the first `train_days` days, then the rest (or `test_days` days)."""
    X, y = features(tx), tx["is_fraud"]
    start = tx["timestamp"].min().normalize()
    cutoff = start + pd.Timedelta(days=train_days)
    train = (tx["timestamp"] < cutoff).to_numpy()
    test = ~train
    if test_days is not None:
        test &= (tx["timestamp"] < cutoff + pd.Timedelta(days=test_days)).to_numpy()
    return X[train], y[train], X[test], y[test]


def clinic_split(seed, test_size=0.3):
    """breast_cancer with 1 = malignant, split at random with stratification."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    cancer = load_breast_cancer(as_frame=True)
    y = (cancer.target == 0).astype(int).rename("malignant")
    X_train, X_test, y_train, y_test = train_test_split(cancer.data, y, test_size=test_size, stratify=y, random_state=seed)
    return X_train, y_train, X_test, y_test


def scores_of(model, X, what, hint=""):
    """The model's probability of class 1, or a failure that says why there is none."""
    try:
        classes = [int(c) for c in model.classes_]
        proba = np.asarray(model.predict_proba(X), dtype=float)
    except Exception as exc:  # the learner's model is theirs to break
        fail(f"{what}: the returned model cannot score rows: predict_proba raised {type(exc).__name__}: {exc}", hint)
    if classes != [0, 1] or proba.shape != (len(X), 2):
        fail(f"{what}: expected a binary classifier with classes_ [0, 1] and predict_proba of shape ({len(X)}, 2); "
             f"got classes_ {classes} and shape {proba.shape}", hint)
    return proba[:, 1]


def labels_of(model, X, what, hint=""):
    try:
        return np.asarray(model.predict(X)).astype(int)
    except Exception as exc:
        fail(f"{what}: predict raised {type(exc).__name__}: {exc}", hint)


def expect_pipeline(model, what, hint=""):
    from sklearn.pipeline import Pipeline

    expect_type(model, Pipeline, what, hint or "return the fitted Pipeline itself, preprocessing included, so that it scores raw feature rows")
    return model


def assert_threshold(got, expected, what, hint=""):
    """A threshold equal to ``expected``; ``math.inf`` must be exactly infinite."""
    if math.isinf(expected):
        if isinstance(got, bool) or not isinstance(got, (int, float)) and not hasattr(got, "__float__"):
            fail(f"{what} is {got!r}; expected math.inf (flag nothing)", hint)
        if float(got) != expected:
            fail(f"{what}: expected inf (flag nothing), got {float(got):.6g}", hint)
        return
    assert_close(got, expected, what, rtol=1e-9, hint=hint)


def quality(y, score, predicted):
    from sklearn.metrics import average_precision_score, recall_score, roc_auc_score

    y = np.asarray(y)
    return {
        "pr_auc": float(average_precision_score(y, score)),
        "roc_auc": float(roc_auc_score(y, score)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
    }


@pytest.fixture(scope="module")
def public_split():
    from grader.data import load_transactions

    return time_split(load_transactions())


def sigmoid_model():
    """A logistic regression set by hand: score = 1 / (1 + exp(-x)) on one column x."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = np.array([[1.0]])
    model.intercept_ = np.array([0.0])
    model.n_features_in_ = 1
    return model


# --- baselines -----------------------------------------------------------------------------


@pytest.mark.question("baselines", points=1)
def test_baselines_hand_built(learner):
    """The majority-class baseline on labels built by hand."""
    y_train = np.array([0, 0, 0, 1])  # majority 0, prevalence 0.25
    y_test = pd.Series([0, 1, 0, 0, 0], index=[10, 11, 12, 13, 14])  # prevalence 0.2
    got = learner.baselines(y_train, y_test)
    # Flags nothing: accuracy 4/5, precision 0 (nothing flagged), recall 0/1;
    # a constant score: average precision = prevalence, ROC-AUC = 0.5.
    expected = {"prevalence": 0.2, "accuracy": 0.8, "precision": 0.0, "recall": 0.0, "pr_auc": 0.2, "roc_auc": 0.5}
    assert_dict_close(
        got, expected, "baselines(y_train=[0, 0, 0, 1], y_test=[0, 1, 0, 0, 0])",
        hint="prevalence, accuracy, precision and recall are of y_test; PR-AUC of a constant score is the prevalence "
        "(average precision, not the trapezoidal area).",
    )


# --- train_model -----------------------------------------------------------------------------


@pytest.mark.question("train_model", points=1)
def test_train_model_returns_a_fitted_pipeline(learner, public_split):
    """Returns a fitted Pipeline that scores raw feature rows."""
    X_train, y_train, X_test, _ = public_split
    n = len(X_train) // 2  # about 17,000 rows: the first two weeks
    model = learner.train_model(X_train.iloc[:n], y_train.iloc[:n], 0)
    what = "train_model(X, y, random_state=0)"
    expect_pipeline(model, what)
    score = scores_of(model, X_test.head(500), what)
    if not (np.isfinite(score).all() and (score >= 0).all() and (score <= 1).all()):
        fail(f"{what}: predict_proba gave scores outside [0, 1] (min {np.nanmin(score):.3g}, max {np.nanmax(score):.3g})")
    labels = labels_of(model, X_test.head(500), what)
    if not set(np.unique(labels)) <= {0, 1}:
        fail(f"{what}: predict gave labels {sorted(set(np.unique(labels)))}; expected 0s and 1s")


@pytest.mark.question("train_model", points=1)
def test_train_model_is_deterministic(learner, public_split):
    """Two calls with the same random_state give identical predictions."""
    X_train, y_train, X_test, _ = public_split
    n = len(X_train) // 2  # about 17,000 rows: the first two weeks
    what = "train_model(X, y, random_state=0)"
    hint = ("pass random_state to the estimator and to every random step (subsampling, shuffling); "
            "HistGradientBoosting's early stopping draws a random validation set on more than 10,000 rows")
    first = learner.train_model(X_train.iloc[:n], y_train.iloc[:n], 0)
    second = learner.train_model(X_train.iloc[:n], y_train.iloc[:n], 0)
    a, b = scores_of(first, X_test, what), scores_of(second, X_test, what)
    diff = float(np.max(np.abs(a - b)))
    if diff > 1e-9:
        fail(f"{what} called twice gave models whose predictions differ: max abs difference of predict_proba "
             f"{diff:.3g} on the test weeks; expected identical predictions", hint)


# The floors of the public split, as the notebook states them: the grading ratios (PR-AUC 0.5x,
# ROC-AUC 0.95x, recall 0.75x) applied to the reference's scores on this split, rounded down.
PUBLIC_FLOORS = {"roc_auc": 0.89, "pr_auc": 0.10, "recall": 0.69}


@pytest.mark.question("train_model", points=1)
def test_train_model_public_holdout(learner, public_split):
    """Trained on the first four weeks, it beats the floors on the weeks after."""
    X_train, y_train, X_test, y_test = public_split
    what = "train_model(X_train, y_train, random_state=0) on the public test weeks"
    model = learner.train_model(X_train, y_train, 0)
    got = quality(y_test, scores_of(model, X_test, what), labels_of(model, X_test, what))
    floors = PUBLIC_FLOORS
    hints = {
        "roc_auc": "keep every feature column; scale the numbers for a linear model",
        "pr_auc": "keep every feature column; scale the numbers for a linear model",
        "recall": "fraud is under 1% of the rows: weigh it up (class_weight='balanced'), or predict() misses most of it",
    }
    for key, floor in floors.items():
        if not got[key] >= floor:
            name = "recall of predict()" if key == "recall" else key
            fail(f"{what}: {name} is {got[key]:.3f}; expected at least {floor:.3f}", hints[key])


@pytest.mark.question("train_model", points=1)
def test_train_model_on_the_clinic_data(learner):
    """The same function trains the clinic's model on 30 numeric columns."""
    X_train, y_train, X_test, y_test = clinic_split(seed=0)
    what = "train_model(X, y, random_state=0) on breast_cancer"
    model = learner.train_model(X_train, y_train, 0)
    expect_pipeline(model, what)
    got = quality(y_test, scores_of(model, X_test, what), labels_of(model, X_test, what))
    if not got["roc_auc"] >= 0.95:
        fail(f"{what}: ROC-AUC on the held-out tumours is {got['roc_auc']:.3f}; expected at least 0.95",
             "choose columns by dtype, so that 30 numeric columns are all used and scaled")


# --- evaluate ---------------------------------------------------------------------------------

# x and labels of a hand-set model whose score is sigmoid(x). By score, highest first:
# x = 3.5 (fraud), 2.5, 1.5 (fraud), 0.5, -0.5, -1.5 (fraud), -2.5, -3.5.
X_HAND = np.array([[-3.5], [-2.5], [-1.5], [-0.5], [0.5], [1.5], [2.5], [3.5]])
Y_HAND = np.array([0, 0, 1, 0, 0, 1, 0, 1])


@pytest.mark.question("evaluate", points=1)
def test_evaluate_hand_built(learner):
    """Metrics of a hand-set model, worked out on paper."""
    model = sigmoid_model()
    got = learner.evaluate(model, X_HAND, Y_HAND, threshold=0.8)
    # Average precision: frauds at ranks 1, 3 and 6 -> (1/1 + 2/3 + 3/6) / 3 = 13/18.
    # ROC-AUC: the frauds outrank 5, 4 and 2 of the 5 genuine rows -> 11/15.
    # threshold 0.8 <=> x >= log(4) = 1.39: flags x = 3.5, 2.5, 1.5 -> 2 of 3 flags are fraud, 2 of 3 frauds.
    expected = {"pr_auc": 13 / 18, "roc_auc": 11 / 15, "precision": 2 / 3, "recall": 2 / 3}
    assert_dict_close(
        got, expected, "evaluate(model, X, y, threshold=0.8) on a hand-set model",
        hint="AUCs from the probability of class 1 (predict_proba), not from predict(); alerts are score >= threshold",
    )


# --- pick_threshold ---------------------------------------------------------------------------

# score:      0.9  0.8  0.7  0.6  0.5  0.4  0.3  0.2
# label:      1    0    1    1    0    0    1    0
# precision:  1    1/2  2/3  3/4  3/5  1/2  4/7  1/2    (of the alerts score >= t)
# recall:     1/4  1/4  1/2  3/4  3/4  3/4  1    1
PICK_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
PICK_LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0])


@pytest.mark.question("pick_threshold", points=1)
def test_pick_threshold_hand_built(learner):
    """Thresholds for several precision targets, worked out on paper."""
    cases = [
        (0.7, 0.6, "0.9 and 0.6 reach 0.7; 0.6 catches more fraud"),
        (0.75, 0.6, "0.6 has precision exactly 3/4, which meets 0.75 (>=)"),
        (0.5, 0.3, "every threshold reaches 0.5; 0.3 and 0.2 catch all the fraud, and 0.3 is the higher"),
        (0.95, 0.9, "only 0.9 reaches 0.95"),
    ]
    labels = pd.Series(PICK_LABELS, index=range(100, 108))
    for min_precision, expected, why in cases:
        got = learner.pick_threshold(labels, PICK_SCORES, min_precision)
        assert_threshold(got, expected, f"pick_threshold(y_true, scores, min_precision={min_precision}) ({why})",
                     hint="highest recall among the thresholds with precision >= min_precision; on a tie, the highest threshold")


# --- cheapest_threshold -----------------------------------------------------------------------

# score:   0.9  0.8  0.7  0.6  0.5
# label:   1    0    1    0    1
# amount:  100  50   8    30   2
# With review_cost 5: cost(inf) = 110, cost(0.9) = 5 + 10 = 15, cost(0.8) = 10 + 10 = 20,
# cost(0.7) = 15 + 2 = 17, cost(0.6) = 20 + 2 = 22, cost(0.5) = 25 + 0 = 25  -> 0.9.
# With review_cost 200 every alert costs more than the fraud it can catch  -> inf.
COST_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
COST_LABELS = np.array([1, 0, 1, 0, 1])
COST_AMOUNTS = np.array([100.0, 50.0, 8.0, 30.0, 2.0])


@pytest.mark.question("cheapest_threshold", points=1)
def test_cheapest_threshold_hand_built(learner):
    """The cheapest threshold for two review costs, worked out on paper."""
    for review_cost, expected in [(5.0, 0.9), (200.0, math.inf)]:
        got = learner.cheapest_threshold(COST_LABELS, COST_SCORES, COST_AMOUNTS, review_cost)
        assert_threshold(
            got, expected, f"cheapest_threshold(y_true, scores, amounts, review_cost={review_cost})",
            hint="cost = review_cost x alerts (fraud or not) + amounts of the missed frauds; math.inf (flag nothing) is a candidate",
        )
