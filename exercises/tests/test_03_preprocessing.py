"""Public tests of 03_preprocessing: they run in your notebook with check("name"), and again
at grading. They use the public data (the transactions, datasets/penguins.csv) and small
frames built by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from grader.data import data_path, load_transactions
from grader.testing import assert_frame_close, expect_type, fail

HINTS = {
    "clean": [
        "Work on df.copy() and change values column by column; never filter rows. "
        "Compare len(out) with len(df) before you return.",
        "Text columns: s.str.strip().str.lower(), then .mask(text.isin(MISSING_TOKENS)) turns the "
        "placeholders into missing values. Numeric columns: s.replace([np.inf, -np.inf], np.nan).",
        "Choose the rule by dtype: pd.api.types.is_bool_dtype first (leave it), then is_numeric_dtype, "
        "then object or string dtype. dropna(), drop_duplicates(), sort_values() and reset_index() "
        "all break the contract.",
    ],
    "stratified_split": [
        "sklearn.model_selection.train_test_split takes a stratify= argument: give it the target column.",
        "Pass test_size and random_state through, and return the two frames train_test_split returns "
        "(train first). Do not reset the index: the tests find each row by its index label.",
    ],
    "temporal_split": [
        "A boolean mask does it: before = df[time_col] < cutoff; train is df[before], test is df[~before].",
        "Rows exactly at the cutoff belong to the test set (<, not <=). Do not assume the rows are "
        "sorted by time, and do not cut by position.",
    ],
    "build_preprocessor": [
        "Two Pipelines inside one ColumnTransformer: SimpleImputer(strategy='median') then "
        "StandardScaler() for the numeric columns; SimpleImputer(strategy='most_frequent') then "
        "OneHotEncoder(...) for the categorical ones.",
        "OneHotEncoder(handle_unknown='ignore', sparse_output=False) encodes an unseen category as "
        "zeros instead of raising, and gives dense output that pandas output can hold.",
        "ColumnTransformer(..., verbose_feature_names_out=False) keeps the names 'amount' and "
        "'channel_online'; .set_output(transform='pandas') makes transform return a DataFrame. "
        "Do not call fit: return the preprocessor unfitted.",
    ],
    "fit_on_train": [
        "Call build_preprocessor(numeric, categorical), fit it on train_df, and transform both frames.",
        "fit_transform(train_df) for X_train, then transform(test_df) for X_test: never fit on the test "
        "rows, nor on train and test together (pd.concat([train_df, test_df]) is the classic leak).",
    ],
}

PENGUIN_NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def _penguins() -> pd.DataFrame:
    return pd.read_csv(data_path("penguins.csv"))


def _show(value) -> str:
    """A label or a time as a message shows it: plain Python, no numpy reprs."""
    if isinstance(value, pd.Timestamp):
        return str(value)
    return repr(value.item() if isinstance(value, np.generic) else value)


def _pair(result, what: str, hint: str):
    """The (train_df, test_df) pair a split returned, checked before it is used."""
    expect_type(result, (tuple, list), what, hint)
    if len(result) != 2:
        fail(f"{what} returned {len(result)} items; expected 2: (train_df, test_df)", hint)
    train, test = result
    expect_type(train, pd.DataFrame, f"{what}[0] (train_df)", hint)
    expect_type(test, pd.DataFrame, f"{what}[1] (test_df)", hint)
    return train, test


def _check_partition(df, train, test, what: str, hint: str):
    """Every row of df is in exactly one of train and test, unchanged, under its index label."""
    if list(train.columns) != list(df.columns) or list(test.columns) != list(df.columns):
        fail(f"{what}: expected both frames to have df's columns {list(df.columns)}; got {list(train.columns)} "
             f"and {list(test.columns)}", hint)
    for name, part in (("train_df", train), ("test_df", test)):
        if part.index.has_duplicates:
            fail(f"{what}: {name} has repeated index labels, e.g. {_show(part.index[part.index.duplicated()][0])}; "
                 "expected each row of df once, under its own index label", hint)
    both = train.index.intersection(test.index)
    if len(both):
        fail(f"{what}: {len(both)} rows are in both train_df and test_df (e.g. index {_show(both[0])}); "
             "expected each row in exactly one of them", hint)
    if len(train) + len(test) != len(df):
        fail(f"{what}: train_df and test_df hold {len(train)} + {len(test)} = {len(train) + len(test)} rows; "
             f"expected all {len(df)} rows of df, each in exactly one of them", hint)
    unknown = train.index.append(test.index).difference(df.index)
    if len(unknown):
        fail(f"{what}: index labels that are not in df, e.g. {_show(unknown[0])}; expected df's own index labels "
             "(do not reset the index)", hint)
    together = pd.concat([train, test]).loc[df.index]
    assert_frame_close(together, df, f"{what}: the rows of train_df and test_df, looked up by index label,",
                       hint=hint)


def _need_column(frame, column: str, name: str, what: str, hint: str):
    if column not in frame.columns:
        fail(f"{what}: {name} has no column {column!r}; expected all of df's columns, {column!r} among them", hint)


def _check_strata(df, target: str, test, what: str, hint: str):
    """Each class's count in test is less than one row away from its share of df times len(test)."""
    _need_column(test, target, "test_df", what, hint)
    n, n_test = len(df), len(test)
    got = test[target].value_counts()
    for cls, n_c in df[target].value_counts().sort_values(kind="stable").items():  # the rarest class first
        share = n_test * n_c / n
        count = int(got.get(cls, 0))
        if abs(count - share) >= 1:
            allowed = sorted({math.floor(share), math.ceil(share)})
            fail(f"{what}: test_df holds {count} rows of class {target}={_show(cls)}; expected "
                 f"{' or '.join(map(str, allowed))} (its share of df, {n_c}/{n}, times the {n_test} test rows is "
                 f"{share:.2f}): the split is not stratified", hint)


def _check_sizes(df, test, test_size: float, what: str, hint: str):
    expected = math.ceil(test_size * len(df))
    if len(test) != expected:
        fail(f"{what}: test_df holds {len(test)} rows; expected ceil({test_size} × {len(df)}) = {expected} "
             "(train_df holds the rest)", hint)


# --- clean ---------------------------------------------------------------------------------


@pytest.mark.question("clean", points=1)
def test_clean_hand_built(learner):
    """Strips and lowercases text, turns placeholders and infinities into missing values."""
    when = pd.to_datetime(["2024-05-11 09:00:00", "2024-05-11 09:01:10", "2024-05-11 09:02:00",
                           "2024-05-11 09:05:30", "2024-05-11 09:07:00"])
    batch = pd.DataFrame(
        {
            "transaction_id": [10, 11, 12, 13, 14],
            "timestamp": when,
            "amount": [12.5, np.inf, -np.inf, np.nan, 7.0],
            "channel": [" Online", "POS", ".", None, "online  "],
            "merchant_category": ["Grocery ", "n/a", "TRAVEL", "  ", " NULL"],
            "is_fraud": [0, 0, 1, 0, 0],
        },
        index=[7, 3, 9, 1, 5],
    )
    expected = pd.DataFrame(
        {
            "transaction_id": [10, 11, 12, 13, 14],
            "timestamp": when,
            "amount": [12.5, np.nan, np.nan, np.nan, 7.0],
            "channel": ["online", "pos", None, None, "online"],
            "merchant_category": ["grocery", None, "travel", None, None],
            "is_fraud": [0, 0, 1, 0, 0],
        },
        index=[7, 3, 9, 1, 5],
    )
    got = learner.clean(batch)
    assert_frame_close(got, expected, "clean(batch)", hint=HINTS["clean"][1])


@pytest.mark.question("clean", points=1)
def test_clean_keeps_every_row(learner):
    """Keeps every row, in order, under its index label: duplicates and empty rows too."""
    tx = load_transactions().iloc[:300]
    batch = pd.concat([tx, tx.iloc[40:60]], ignore_index=True)  # 20 rows sent twice
    batch.loc[[5, 17, 100], "amount"] = np.nan
    batch.loc[[5, 17, 250], "channel"] = None
    batch.loc[[17, 200], "merchant_category"] = "."
    batch.index = np.random.default_rng(3).permutation(len(batch)) + 1000
    got = learner.clean(batch)
    what = "clean(batch)"
    expect_type(got, pd.DataFrame, what, HINTS["clean"][0])
    if len(got) != len(batch):
        fail(f"{what} returned {len(got)} rows; expected all {len(batch)} rows of the batch (it holds 20 repeated "
             "rows and rows with missing values): at inference every row must come out, to be scored",
             HINTS["clean"][2])
    if list(got.index) != list(batch.index):
        fail(f"{what} changed the index or the order of the rows: expected the labels {list(batch.index[:5])}…, "
             f"got {list(got.index[:5])}…", HINTS["clean"][2])
    if list(got.columns) != list(batch.columns):
        fail(f"{what}: expected the columns {list(batch.columns)}, got {list(got.columns)}", HINTS["clean"][0])


# --- stratified_split ----------------------------------------------------------------------


@pytest.mark.question("stratified_split", points=1)
def test_stratified_split_penguins(learner):
    """Splits the penguins 75/25, every row once, each species in proportion."""
    df = _penguins()
    what = "stratified_split(penguins, 'species', 0.25, 0)"
    train, test = _pair(learner.stratified_split(df, "species", 0.25, 0), what, HINTS["stratified_split"][1])
    _check_partition(df, train, test, what, HINTS["stratified_split"][1])
    _check_sizes(df, test, 0.25, what, HINTS["stratified_split"][1])
    _check_strata(df, "species", test, what, HINTS["stratified_split"][0])


@pytest.mark.question("stratified_split", points=1)
def test_stratified_split_keeps_fraud_rate(learner):
    """Keeps the fraud rate: the test set's fraud count is less than one row from its share."""
    df = load_transactions().iloc[::3]
    for seed in (0, 1, 2):
        what = f"stratified_split(transactions, 'is_fraud', 0.25, {seed})"
        train, test = _pair(learner.stratified_split(df, "is_fraud", 0.25, seed), what, HINTS["stratified_split"][1])
        _check_sizes(df, test, 0.25, what, HINTS["stratified_split"][1])
        _check_strata(df, "is_fraud", test, what, HINTS["stratified_split"][0])


@pytest.mark.question("stratified_split", points=1)
def test_stratified_split_is_seeded(learner):
    """The same random_state gives the same split; another gives another."""
    df = _penguins()
    hint = "Pass random_state through to the shuffle (train_test_split(..., random_state=random_state))."
    tests = []
    for seed in (7, 7, 8):
        what = f"stratified_split(penguins with a known sex, 'sex', 0.3, {seed})"
        tests.append(_pair(learner.stratified_split(df.dropna(subset=["sex"]), "sex", 0.3, seed), what, hint)[1])
    first, again, other = (sorted(t.index) for t in tests)
    if first != again:
        fail("stratified_split(penguins with a known sex, 'sex', 0.3, 7) called twice gave two different test "
             "sets; expected the same split for the same random_state", hint)
    if first == other:
        fail("stratified_split(penguins with a known sex, 'sex', 0.3, 8) gave the same test set as "
             "random_state=7; expected random_state to seed the shuffle", hint)


# --- temporal_split ------------------------------------------------------------------------


def _check_temporal(df, time_col, cutoff, result, what: str, hint: str):
    train, test = _pair(result, what, hint)
    for name, part in (("train_df", train), ("test_df", test)):
        _need_column(part, time_col, name, what, hint)
        if part[time_col].dtype != df[time_col].dtype:
            fail(f"{what}: the column {time_col!r} of {name} has dtype {part[time_col].dtype}; expected "
                 f"{df[time_col].dtype}, as in df (return the rows unchanged)", hint)
    late = train[train[time_col] >= cutoff]
    if len(late):
        fail(f"{what}: train_df holds {len(late)} rows at or after the cutoff {_show(cutoff)} (e.g. index "
             f"{_show(late.index[0])} at {_show(late[time_col].iloc[0])}); expected train strictly before the cutoff",
             hint)
    early = test[test[time_col] < cutoff]
    if len(early):
        fail(f"{what}: test_df holds {len(early)} rows before the cutoff {_show(cutoff)} (e.g. index "
             f"{_show(early.index[0])} at {_show(early[time_col].iloc[0])}); expected test at or after the cutoff: "
             "the time ranges of train and test overlap", hint)
    _check_partition(df, train, test, what, hint)
    return train, test


@pytest.mark.question("temporal_split", points=1)
def test_temporal_split_hand_built(learner):
    """Rows before the cutoff train, rows at or after it test; the rows need not be sorted."""
    df = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2024-05-10 23:59:59", "2024-05-11 00:00:00", "2024-05-09 12:00:00",
                                         "2024-05-12 08:00:00", "2024-05-11 00:00:00", "2024-05-10 06:00:00"]),
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        },
        index=[21, 22, 23, 24, 25, 26],
    )
    hint = HINTS["temporal_split"][1]
    for cutoff in ("2024-05-11", pd.Timestamp("2024-05-11")):
        what = f"temporal_split(df, 'timestamp', {cutoff!r})"
        result = learner.temporal_split(df, "timestamp", cutoff)
        train, test = _check_temporal(df, "timestamp", cutoff, result, what, hint)
        if sorted(train.index) != [21, 23, 26] or sorted(test.index) != [22, 24, 25]:
            fail(f"{what}: expected train rows [21, 23, 26] and test rows [22, 24, 25]; got "
                 f"{sorted(train.index.tolist())} and {sorted(test.index.tolist())}", hint)


@pytest.mark.question("temporal_split", points=1)
def test_temporal_split_penguin_years(learner):
    """Works on a numeric time column: penguins before 2009 train, 2009 tests."""
    df = _penguins()
    what = "temporal_split(penguins, 'year', 2009)"
    train, test = _check_temporal(df, "year", 2009, learner.temporal_split(df, "year", 2009), what,
                                  HINTS["temporal_split"][0])
    if sorted(test.index) != sorted(df.index[df["year"] == 2009]):
        fail(f"{what}: expected the {int((df['year'] == 2009).sum())} penguins of 2009 in test_df; got "
             f"{len(test)} rows", HINTS["temporal_split"][0])


# --- build_preprocessor --------------------------------------------------------------------


def _column_transformer_type():
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer


def _expected_transform(train, frame, numeric, categorical):
    """What the preprocessor fitted on ``train`` must make of ``frame``, from the contract:
    median imputation then standard scaling (training statistics); most-frequent imputation
    then one indicator per training category."""
    out = {}
    for col in numeric:
        values = train[col].astype("float64")
        median = values.median()
        filled = values.fillna(median)
        mean, sd = filled.mean(), filled.std(ddof=0)
        out[col] = (frame[col].astype("float64").fillna(median) - mean) / (sd if sd > 0 else 1.0)
    for col in categorical:
        counts = train[col].dropna().value_counts()
        mode = min(counts.index[counts == counts.max()])
        filled = frame[col].astype(object).where(frame[col].notna(), mode)
        for category in sorted(counts.index):
            out[f"{col}_{category}"] = (filled == category).astype("float64")
    return pd.DataFrame(out, index=frame.index)


def _refuse_functions(estimator, what: str):
    """Fail if a parameter of the estimator is a function: the tests run the estimator here, and this
    exercise's preprocessor needs none (no FunctionTransformer, no custom name combiner)."""
    import functools
    import types

    plain_functions = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial, np.ufunc)
    try:
        params = estimator.get_params(deep=True)
    except Exception as exc:  # a broken configuration of scikit-learn objects
        fail(f"{what}.get_params() raised {type(exc).__name__}: {str(exc)[:300]}", HINTS["build_preprocessor"][0])
    for name, value in params.items():
        if isinstance(value, plain_functions):
            fail(f"{what} holds the function {getattr(value, '__name__', type(value).__name__)} in its parameter "
                 f"{name!r}; expected a preprocessor made of scikit-learn transformers only",
                 "Use SimpleImputer, StandardScaler and OneHotEncoder; no FunctionTransformer is needed here.")


def _fit_and_transform(preprocessor, train, frames, what: str, hint: str):
    """Fit the learner's (unfitted) preprocessor on train, transform train and frames; fail clearly if it raises."""
    expect_type(preprocessor, _column_transformer_type(), what, hint)
    _refuse_functions(preprocessor, what)
    try:
        fitted = preprocessor.fit(train)
    except Exception as exc:  # the learner's configuration of sklearn objects: report, do not crash
        fail(f"{what}.fit(train) raised {type(exc).__name__}: {str(exc)[:300]}", hint)
    outputs = []
    for name, frame in [("train", train), *frames]:
        try:
            outputs.append(fitted.transform(frame))
        except Exception as exc:
            fail(f"{what}.transform({name}) raised {type(exc).__name__}: {str(exc)[:300]}", hint)
    return outputs


def _check_output(got, expected, what: str, hint: str):
    """The preprocessor's output: a DataFrame, the contract's column names, no gaps, the expected values."""
    expect_type(got, pd.DataFrame, what, "Call .set_output(transform='pandas') on the ColumnTransformer before "
                "you return it.")
    if set(map(str, got.columns)) != set(map(str, expected.columns)):
        fail(f"{what}: expected the columns {sorted(map(str, expected.columns))} (in any order), got "
             f"{sorted(map(str, got.columns))}", "Numeric columns keep their names, indicators are named "
             "f'{column}_{category}': ColumnTransformer(..., verbose_feature_names_out=False); one indicator per "
             "training category (no drop=).")
    missing = int(np.asarray(got.isna()).sum())
    if missing:
        fail(f"{what} holds {missing} missing values; expected none (missing values are imputed)", hint)
    flags = [col for col in got.columns if pd.api.types.is_bool_dtype(got[col].dtype)]
    got = got.astype({col: "int64" for col in flags})  # True/False indicators count as 1/0
    assert_frame_close(got, expected, what, check_column_order=False, hint=hint)


def _tiny():
    train = pd.DataFrame(
        {"x": [1.0, 2.0, np.nan, 5.0], "c": ["a", "b", "a", None], "note": ["p", "q", "r", "s"]},
        index=[4, 5, 6, 7],
    )
    test = pd.DataFrame({"x": [np.nan, 4.0, 2.5], "c": ["z", "b", None], "note": ["t", "u", "v"]}, index=[10, 11, 12])
    # By hand: median of x is 2, so x becomes [1, 2, 2, 5]: mean 2.5, standard deviation 1.5.
    # The most frequent c is "a". An unseen "z" has no indicator; the column "note" is dropped.
    x_train = pd.DataFrame(
        {"x": [-1.0, -1 / 3, -1 / 3, 5 / 3], "c_a": [1.0, 0.0, 1.0, 1.0], "c_b": [0.0, 1.0, 0.0, 0.0]},
        index=[4, 5, 6, 7],
    )
    x_test = pd.DataFrame(
        {"x": [-1 / 3, 1.0, 0.0], "c_a": [0.0, 0.0, 1.0], "c_b": [0.0, 1.0, 0.0]},
        index=[10, 11, 12],
    )
    return train, test, x_train, x_test


@pytest.mark.question("build_preprocessor", points=1)
def test_build_preprocessor_is_unfitted_column_transformer(learner):
    """Returns a ColumnTransformer that is not fitted yet."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    what = "build_preprocessor(['bill_length_mm', ...], ['island', 'sex'])"
    hint = HINTS["build_preprocessor"][2]
    got = learner.build_preprocessor(PENGUIN_NUMERIC, ["island", "sex"])
    expect_type(got, _column_transformer_type(), what, hint)
    try:
        check_is_fitted(got)
    except NotFittedError:
        return
    fail(f"{what} returned a ColumnTransformer that is already fitted; expected it unfitted, so that the caller "
         "fits it on the training rows only", hint)


@pytest.mark.question("build_preprocessor", points=1)
def test_build_preprocessor_hand_built(learner):
    """Imputes, scales and one-hot encodes with training statistics; an unseen category gives zeros."""
    train, test, x_train, x_test = _tiny()
    pre = learner.build_preprocessor(["x"], ["c"])
    what = "build_preprocessor(['x'], ['c'])"
    got_train, got_test = _fit_and_transform(pre, train, [("test", test)], what, HINTS["build_preprocessor"][1])
    hint = HINTS["build_preprocessor"][0]
    _check_output(got_train, x_train, f"{what} fitted on train, .transform(train)", hint)
    _check_output(got_test, x_test, f"{what} fitted on train, .transform(test)", hint)


# --- fit_on_train --------------------------------------------------------------------------


def _triple(result, what: str, hint: str):
    expect_type(result, (tuple, list), what, hint)
    if len(result) != 3:
        fail(f"{what} returned {len(result)} items; expected 3: (X_train, X_test, preprocessor)", hint)
    x_train, x_test, pre = result
    expect_type(x_train, pd.DataFrame, f"{what}[0] (X_train)", hint)
    expect_type(x_test, pd.DataFrame, f"{what}[1] (X_test)", hint)
    expect_type(pre, _column_transformer_type(), f"{what}[2] (preprocessor)", hint)
    _refuse_functions(pre, f"{what}[2] (preprocessor)")
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(pre)
    except NotFittedError:
        fail(f"{what}[2] (preprocessor) is not fitted; expected the preprocessor fitted on train_df", hint)
    return x_train, x_test, pre


def _check_training_means(x_train, numeric, what: str, hint: str):
    for col in numeric:
        if col in x_train.columns and pd.api.types.is_numeric_dtype(x_train[col].dtype):
            mean = float(x_train[col].mean())
            if abs(mean) > 1e-6:
                fail(f"{what}: the mean of X_train[{col!r}] is {mean:.4g}; expected 0, as a scaler fitted on "
                     "train_df makes it: the preprocessor learned its statistics from rows outside train_df", hint)


def _check_fit_on_train(result, train, test, numeric, categorical, what: str, hint: str):
    x_train, x_test, pre = _triple(result, what, hint)
    _check_training_means(x_train, numeric, what, hint)
    _check_output(x_train, _expected_transform(train, train, numeric, categorical), f"{what}: X_train", hint)
    _check_output(x_test, _expected_transform(train, test, numeric, categorical), f"{what}: X_test", hint)
    try:
        again = pre.transform(test)
    except Exception as exc:
        fail(f"{what}: preprocessor.transform(test_df) raised {type(exc).__name__}: {str(exc)[:300]}", hint)
    _check_output(again, x_test, f"{what}: preprocessor.transform(test_df), compared with X_test,", hint)


@pytest.mark.question("fit_on_train", points=1)
def test_fit_on_train_hand_built(learner):
    """Fits on train_df, transforms both frames, returns the fitted preprocessor."""
    train, test, _, _ = _tiny()
    what = "fit_on_train(train, test, ['x'], ['c'])"
    _check_fit_on_train(learner.fit_on_train(train, test, ["x"], ["c"]), train, test, ["x"], ["c"], what,
                        HINTS["fit_on_train"][1])


@pytest.mark.question("fit_on_train", points=1)
def test_fit_on_train_uses_training_statistics_only(learner):
    """Penguins before 2009 train, 2009 tests: every statistic comes from the training rows."""
    df = _penguins()
    train, test = df[df["year"] < 2009], df[df["year"] >= 2009]
    categorical = ["island", "sex"]
    what = "fit_on_train(penguins before 2009, penguins of 2009, PENGUIN_NUMERIC, ['island', 'sex'])"
    _check_fit_on_train(learner.fit_on_train(train, test, PENGUIN_NUMERIC, categorical), train, test,
                        PENGUIN_NUMERIC, categorical, what, HINTS["fit_on_train"][1])
