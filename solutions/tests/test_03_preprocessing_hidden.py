"""Hidden tests of 03_preprocessing: they run only at grading, on the hidden transactions
(another seed, another period, drift on 2024-06-01) and on hidden slices of the penguins.

The checking helpers are the public test file's, so that a message reads the same here
and in the learner's kernel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grader.data import data_path, load_transactions
from grader.testing import assert_frame_close, expect_type, fail, public_tests

_public = public_tests(__file__)

HINTS = _public.HINTS
PENGUIN_NUMERIC = _public.PENGUIN_NUMERIC
_pair, _check_partition, _check_strata, _check_sizes = (
    _public._pair, _public._check_partition, _public._check_strata, _public._check_sizes)
_check_temporal, _expected_transform, _fit_and_transform = (
    _public._check_temporal, _public._expected_transform, _public._fit_and_transform)
_check_output, _triple, _check_fit_on_train = _public._check_output, _public._triple, _public._check_fit_on_train

#: The placeholders that clean turns into missing values (as the notebook states them).
MISSING_TOKENS = {"", ".", "?", "na", "n/a", "nan", "null", "none"}

#: The hidden data's drift day (HIDDEN_DRIFT_DAY in datasets/generate.py).
HIDDEN_DRIFT_DAY = pd.Timestamp("2024-06-01")


def _penguins() -> pd.DataFrame:
    return pd.read_csv(data_path("penguins.csv"))


def _hidden_sample(n: int, seed: int) -> pd.DataFrame:
    """n hidden transactions drawn at random, in time order, under their own index labels."""
    return load_transactions(hidden=True).sample(n, random_state=seed).sort_index()


def _restyle(value, style: int):
    """value in one of five spellings; missing values stay missing."""
    if not isinstance(value, str):
        return value
    return [value, value.upper(), f" {value}", f"{value.title()}  ", f"\t{value} "][style]


def _mess_text(values: pd.Series, rng, *, share_placeholders=0.03, share_missing=0.01) -> pd.Series:
    """Random case and whitespace, placeholders and missing values, as upstream systems send them."""
    styles = rng.integers(0, 5, len(values))
    out = np.array([_restyle(v, s) for v, s in zip(values.astype(object), styles)], dtype=object)
    holes = rng.random(len(values)) < share_placeholders
    out[holes] = rng.choice(["", ".", "N/A", " null ", "None", "?", "NaN", "  ", "na"], int(holes.sum()))
    out[rng.random(len(values)) < share_missing] = None
    return pd.Series(out, index=values.index, dtype=object)


def _messy_batch(df: pd.DataFrame, text_cols, numeric_cols, seed: int, duplicates: int = 40) -> pd.DataFrame:
    """df with messy text, infinities and missing numbers, repeated rows, shuffled, relabelled."""
    rng = np.random.default_rng(seed)
    batch = df.copy()
    for col in text_cols:
        batch[col] = _mess_text(batch[col], rng)
    for col in numeric_cols:
        values = batch[col].astype("float64").to_numpy(copy=True)
        draw = rng.random(len(values))
        values[draw < 0.01] = np.inf
        values[(draw >= 0.01) & (draw < 0.015)] = -np.inf
        values[(draw >= 0.015) & (draw < 0.025)] = np.nan
        batch[col] = values
    batch = pd.concat([batch, batch.sample(duplicates, random_state=seed)])
    batch = batch.sample(frac=1.0, random_state=seed)
    batch.index = rng.permutation(len(batch)) * 3 + 11
    return batch


def _expected_clean(df: pd.DataFrame) -> pd.DataFrame:
    """What clean must make of df, from the notebook's contract, value by value."""
    out = df.copy()
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            continue
        if pd.api.types.is_float_dtype(s.dtype):
            out[col] = s.mask(np.isinf(s))
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            cleaned = [v.strip().lower() if isinstance(v, str) else None for v in s]
            out[col] = pd.Series([None if v in MISSING_TOKENS else v for v in cleaned], index=s.index, dtype=object)
    return out


def _check_clean(learner, batch, what: str):
    got = learner.clean(batch)
    expect_type(got, pd.DataFrame, what, HINTS["clean"][0])
    if len(got) != len(batch):
        fail(f"{what} returned {len(got)} rows; expected all {len(batch)} rows of the batch: at inference every "
             "row must come out, to be scored", HINTS["clean"][2])
    assert_frame_close(got, _expected_clean(batch), what, hint=HINTS["clean"][1])


# --- clean ---------------------------------------------------------------------------------


@pytest.mark.question("clean", points=1)
def test_clean_hidden_batch(learner):
    """Cleans a messy batch of hidden transactions, row for row (hidden data)."""
    batch = _messy_batch(_hidden_sample(3000, seed=31), ["channel", "merchant_category"], ["amount"], seed=31)
    _check_clean(learner, batch, "clean(a messy batch of 3,040 transactions)")


@pytest.mark.question("clean", points=1)
def test_clean_messy_penguins(learner):
    """Cleans the penguins with messy text and infinities; keeps every row."""
    df = _penguins()
    batch = _messy_batch(df, ["species", "island", "sex"], ["bill_length_mm", "body_mass_g"], seed=5, duplicates=15)
    _check_clean(learner, batch, "clean(messy penguins)")


# --- stratified_split ----------------------------------------------------------------------


@pytest.mark.question("stratified_split", points=1)
def test_stratified_split_hidden_fraud(learner):
    """Keeps the fraud rate of the hidden transactions for several seeds (hidden data)."""
    df = load_transactions(hidden=True).iloc[::2]
    for seed in (5, 17, 2024):
        what = f"stratified_split(hidden transactions, 'is_fraud', 0.3, {seed})"
        hint = HINTS["stratified_split"][0]
        train, test = _pair(learner.stratified_split(df, "is_fraud", 0.3, seed), what, hint)
        if seed == 5:
            _check_partition(df, train, test, what, HINTS["stratified_split"][1])
        _check_sizes(df, test, 0.3, what, HINTS["stratified_split"][1])
        _check_strata(df, "is_fraud", test, what, hint)


@pytest.mark.question("stratified_split", points=1)
def test_stratified_split_many_classes(learner):
    """Keeps the share of every class when the target has many classes."""
    cases = [
        (load_transactions(hidden=True).iloc[1::3], "merchant_category", 0.15, 9, "hidden transactions"),
        (_penguins(), "island", 0.4, 3, "penguins"),
    ]
    for df, target, test_size, seed, name in cases:
        what = f"stratified_split({name}, {target!r}, {test_size}, {seed})"
        train, test = _pair(learner.stratified_split(df, target, test_size, seed), what, HINTS["stratified_split"][1])
        _check_partition(df, train, test, what, HINTS["stratified_split"][1])
        _check_sizes(df, test, test_size, what, HINTS["stratified_split"][1])
        _check_strata(df, target, test, what, HINTS["stratified_split"][0])


# --- temporal_split ------------------------------------------------------------------------


@pytest.mark.question("temporal_split", points=1)
def test_temporal_split_hidden_drift_day(learner):
    """Splits shuffled hidden transactions at their drift day (hidden data)."""
    df = load_transactions(hidden=True).sample(frac=1.0, random_state=12)
    what = f"temporal_split(shuffled hidden transactions, 'timestamp', {HIDDEN_DRIFT_DAY!r})"
    result = learner.temporal_split(df, "timestamp", HIDDEN_DRIFT_DAY)
    train, test = _check_temporal(df, "timestamp", HIDDEN_DRIFT_DAY, result, what, HINTS["temporal_split"][1])
    expected = int((df["timestamp"] < HIDDEN_DRIFT_DAY).sum())
    if len(train) != expected:
        fail(f"{what}: train_df holds {len(train)} rows; expected the {expected} rows before the cutoff",
             HINTS["temporal_split"][0])


@pytest.mark.question("temporal_split", points=1)
def test_temporal_split_cutoff_on_a_row(learner):
    """A row exactly at the cutoff goes to the test set; any datetime column works (hidden data)."""
    df = load_transactions(hidden=True)
    at = df["timestamp"].sort_values().iloc[30_000]
    copies = df[df["timestamp"] == at].assign(transaction_id=-1)  # a second payment in the same second
    df = pd.concat([df, copies]).sample(frac=1.0, random_state=4)
    df.index = np.arange(len(df)) * 2 + 1
    cases = [("timestamp", at), ("label_available_at", "2024-06-10 12:00:00")]
    for time_col, cutoff in cases:
        what = f"temporal_split(hidden transactions, {time_col!r}, {cutoff!r})"
        _check_temporal(df, time_col, cutoff, learner.temporal_split(df, time_col, cutoff), what,
                        HINTS["temporal_split"][1])


# --- build_preprocessor --------------------------------------------------------------------


@pytest.mark.question("build_preprocessor", points=1)
def test_build_preprocessor_unseen_island(learner):
    """Fitted without Torgersen island, it encodes Torgersen's penguins as zeros, with training statistics."""
    df = _penguins()
    train, test = df[df["island"] != "Torgersen"], df[df["island"] == "Torgersen"]
    categorical = ["species", "island", "sex"]
    what = "build_preprocessor(PENGUIN_NUMERIC, ['species', 'island', 'sex'])"
    got_train, got_test = _fit_and_transform(learner.build_preprocessor(PENGUIN_NUMERIC, categorical), train,
                                             [("Torgersen's penguins", test)], what, HINTS["build_preprocessor"][1])
    hint = HINTS["build_preprocessor"][0]
    _check_output(got_train, _expected_transform(train, train, PENGUIN_NUMERIC, categorical),
                  f"{what} fitted without Torgersen, .transform(train)", hint)
    _check_output(got_test, _expected_transform(train, test, PENGUIN_NUMERIC, categorical),
                  f"{what} fitted without Torgersen, .transform(Torgersen's penguins)", hint)


def _hidden_with_gaps(n: int, seed: int):
    """Hidden transactions with missing amounts and channels; the test set after the drift also holds
    a channel and a category that the training set never saw."""
    rng = np.random.default_rng(seed)
    df = _hidden_sample(n, seed)
    df.loc[rng.random(len(df)) < 0.05, "amount"] = np.nan
    df.loc[rng.random(len(df)) < 0.03, "channel"] = np.nan  # a str column: NaN, as on the learner's side
    train, test = df[df["timestamp"] < HIDDEN_DRIFT_DAY].copy(), df[df["timestamp"] >= HIDDEN_DRIFT_DAY].copy()
    test.loc[test.index[::40], "channel"] = "crypto"
    test.loc[test.index[5::50], "merchant_category"] = "pharmacy"
    return train, test


@pytest.mark.question("build_preprocessor", points=1)
def test_build_preprocessor_hidden_transactions(learner, reference):
    """Matches the reference preprocessor on hidden transactions with gaps and unseen categories (hidden data)."""
    numeric, categorical = ["amount"], ["channel", "merchant_category"]
    train, test = _hidden_with_gaps(6000, seed=77)
    what = "build_preprocessor(['amount'], ['channel', 'merchant_category'])"
    got_train, got_test = _fit_and_transform(learner.build_preprocessor(numeric, categorical), train,
                                             [("test", test)], what, HINTS["build_preprocessor"][1])
    hint = HINTS["build_preprocessor"][0]
    ref = reference.build_preprocessor(numeric, categorical).fit(train)
    _check_output(got_train, ref.transform(train), f"{what} fitted on hidden train, .transform(train)", hint)
    _check_output(got_test, ref.transform(test), f"{what} fitted on hidden train, .transform(test)", hint)


# --- fit_on_train --------------------------------------------------------------------------


@pytest.mark.question("fit_on_train", points=1)
def test_fit_on_train_hidden_drift(learner):
    """Before the drift trains, after it tests: the statistics are the training rows' (hidden data)."""
    numeric, categorical = ["amount"], ["channel", "merchant_category"]
    train, test = _hidden_with_gaps(8000, seed=13)
    what = ("fit_on_train(hidden train before the drift, hidden test after it, ['amount'], "
            "['channel', 'merchant_category'])")
    _check_fit_on_train(learner.fit_on_train(train, test, numeric, categorical), train, test, numeric, categorical,
                        what, HINTS["fit_on_train"][1])


@pytest.mark.question("fit_on_train", points=1)
def test_fit_on_train_matches_reference(learner, reference):
    """Matches the reference on a hidden split of the penguins, and its preprocessor on new rows."""
    df = _penguins()
    train = df.sample(frac=0.7, random_state=41)
    test = df.drop(train.index)
    categorical = ["species", "island", "sex"]
    what = "fit_on_train(a hidden split of the penguins, PENGUIN_NUMERIC, ['species', 'island', 'sex'])"
    hint = HINTS["fit_on_train"][1]
    x_train, x_test, pre = _triple(learner.fit_on_train(train, test, PENGUIN_NUMERIC, categorical), what, hint)
    ref_pre = reference.build_preprocessor(PENGUIN_NUMERIC, categorical).fit(train)
    ref_train, ref_test = ref_pre.transform(train), ref_pre.transform(test)
    _check_output(x_train, ref_train, f"{what}: X_train", hint)
    _check_output(x_test, ref_test, f"{what}: X_test", hint)
    new = test.head(20).assign(island="Anvers", body_mass_g=np.nan)
    try:
        got_new = pre.transform(new)
    except Exception as exc:
        fail(f"{what}: preprocessor.transform(new penguins) raised {type(exc).__name__}: {str(exc)[:300]}", hint)
    _check_output(got_new, ref_pre.transform(new), f"{what}: preprocessor.transform(20 new penguins from Anvers)",
                  hint)
