"""Tests of the synthetic card-transactions generator and the files it made."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "mlday_generate", ROOT / "datasets" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

PUBLIC_TX, PUBLIC_LOG, HIDDEN_TX, HIDDEN_LOG = gen.FILES


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Every data set, freshly generated (about a second for all four)."""
    return gen.build_all()


@pytest.fixture(scope="module", params=[PUBLIC_TX, HIDDEN_TX])
def transactions(request, frames) -> pd.DataFrame:
    return frames[request.param]


@pytest.fixture(
    scope="module", params=[(PUBLIC_TX, PUBLIC_LOG), (HIDDEN_TX, HIDDEN_LOG)]
)
def pair(request, frames) -> tuple[pd.DataFrame, pd.DataFrame]:
    tx_path, log_path = request.param
    return frames[tx_path], frames[log_path]


def _after_drift(tx: pd.DataFrame) -> np.ndarray:
    return (tx["timestamp"] >= gen.drift_day(tx["timestamp"].min())).to_numpy()


@pytest.mark.parametrize("relative", gen.FILES)
def test_committed_file_matches_generator(relative, frames):
    path = ROOT / relative
    assert path.exists(), f"{relative} is missing: run `python datasets/generate.py`"
    committed = pd.read_parquet(path)
    # Default float tolerance, as in `generate.py --check`: numpy's vectorised
    # exp and log may differ in the last bit between CPUs.
    pd.testing.assert_frame_equal(committed, frames[relative])


@pytest.mark.parametrize("relative", gen.FILES)
def test_committed_file_is_small(relative):
    assert (ROOT / relative).stat().st_size < 3_000_000


def test_generation_is_deterministic():
    first = gen.generate_transactions(11, n_customers=300, n_terminals=600)
    second = gen.generate_transactions(11, n_customers=300, n_terminals=600)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    log_a = gen.prediction_log(first, seed=11)
    log_b = gen.prediction_log(second.sample(frac=1, random_state=0), seed=11)
    pd.testing.assert_frame_equal(log_a, log_b, check_exact=True)


def test_transactions_schema(transactions):
    assert tuple(transactions.columns) == gen.TRANSACTION_COLUMNS
    dtypes = transactions.dtypes
    for column in (
        "transaction_id",
        "customer_id",
        "terminal_id",
        "is_fraud",
        "fraud_scenario",
    ):
        assert dtypes[column] == np.int64, column
    assert dtypes["amount"] == np.float64
    assert dtypes["timestamp"] == "datetime64[ns]"
    assert dtypes["label_available_at"] == "datetime64[ns]"
    assert set(transactions["channel"]) == set(gen.CHANNELS)
    assert set(transactions["merchant_category"]) == set(gen.CATEGORIES)
    assert set(transactions["fraud_scenario"]) == {0, 1, 2, 3}
    assert 40_000 <= len(transactions) <= 90_000


def test_prediction_log_schema(pair):
    _, log = pair
    assert tuple(log.columns) == gen.PREDICTION_LOG_COLUMNS
    assert log["label"].dtype == "Int64"
    assert log["timestamp"].dtype == "datetime64[ns]"
    assert log["score"].dtype == np.float64


def test_fraud_rate_in_range(transactions):
    assert 0.002 <= transactions["is_fraud"].mean() <= 0.01
    assert (transactions["is_fraud"] == (transactions["fraud_scenario"] > 0)).all()


def test_large_amounts_are_fraud(transactions):
    large = transactions["amount"] > gen.LARGE_AMOUNT_THRESHOLD
    assert (transactions.loc[large, "is_fraud"] == 1).all()


def test_transaction_ids_unique_and_increasing_with_time(transactions):
    ids = transactions["transaction_id"]
    assert ids.is_unique
    assert ids.is_monotonic_increasing
    assert transactions["timestamp"].is_monotonic_increasing


def test_amounts_are_positive_cents(transactions):
    amount = transactions["amount"].to_numpy()
    assert amount.min() >= gen.MIN_AMOUNT
    np.testing.assert_allclose(amount, np.round(amount, 2))


def test_label_delay(pair):
    tx, log = pair
    assert (tx["label_available_at"] > tx["timestamp"]).all()
    start = tx["timestamp"].min().normalize()
    end = tx["timestamp"].max().normalize() + pd.Timedelta(days=1)
    first_week = log["timestamp"] < start + pd.Timedelta(days=7)
    last_week = log["timestamp"] >= end - pd.Timedelta(days=7)
    last_day = log["timestamp"] >= end - pd.Timedelta(days=1)
    assert log.loc[first_week, "label"].notna().all()
    assert log.loc[last_week, "label"].isna().mean() > 0.5
    assert log.loc[last_day, "label"].isna().mean() > 0.95
    known = log["label"].notna()
    truth = (
        tx.set_index("transaction_id").loc[log["transaction_id"], "is_fraud"].to_numpy()
    )
    assert (log.loc[known, "label"].to_numpy() == truth[known.to_numpy()]).all()


def test_as_of_controls_labels(frames):
    tx = frames[PUBLIC_TX]
    early = gen.prediction_log(tx, seed=gen.PUBLIC_SEED, as_of="2024-04-20")
    late = gen.prediction_log(tx, seed=gen.PUBLIC_SEED)
    assert early["label"].isna().sum() > late["label"].isna().sum()
    assert early.loc[early["timestamp"] >= "2024-04-20", "label"].isna().all()
    pd.testing.assert_series_equal(early["score"], late["score"])


def test_drift_constants_agree():
    assert gen.drift_day(gen.START) == pd.Timestamp(gen.DRIFT_DAY)
    assert gen.drift_day(gen.HIDDEN_START) == pd.Timestamp(gen.HIDDEN_DRIFT_DAY)
    start = pd.Timestamp(gen.START)
    assert start < pd.Timestamp(gen.DRIFT_DAY) < start + pd.Timedelta(days=gen.N_DAYS)


def test_drift_inflates_amounts(transactions):
    after = _after_drift(transactions)
    amount = transactions["amount"].to_numpy()
    assert 1.5 <= amount[after].mean() / amount[~after].mean() <= 2.1
    assert 0.15 <= gen.psi(amount[~after], amount[after]) <= 0.3


def test_drift_moves_electronics_online(transactions):
    after = _after_drift(transactions)
    electronics = (transactions["merchant_category"] == gen.DRIFT_CATEGORY).to_numpy()
    online = (transactions["channel"] == "online").to_numpy()
    before_share = online[electronics & ~after].mean()
    after_share = online[electronics & after].mean()
    assert after_share > before_share + 0.15
    # Other categories keep their channel mix.
    others = ~electronics
    assert abs(online[others & after].mean() - online[others & ~after].mean()) < 0.03


def test_score_is_informative_but_imperfect(pair):
    tx, log = pair
    score = log["score"].to_numpy()
    assert np.isfinite(score).all()
    assert score.min() >= 0.0 and score.max() <= 1.0
    truth = (
        log[["transaction_id"]].merge(tx, on="transaction_id")["is_fraud"].to_numpy()
    )
    assert 0.4 <= gen.average_precision(truth, score) <= 0.8
    # Not a function of the label alone: scores spread within each class,
    # and the classes overlap.
    assert np.std(score[truth == 0]) > 0 and np.std(score[truth == 1]) > 0
    assert score[truth == 1].min() < np.quantile(score[truth == 0], 0.99)


def test_hidden_data_differs_from_public(frames):
    public, hidden = frames[PUBLIC_TX], frames[HIDDEN_TX]
    assert hidden["timestamp"].min().normalize() == pd.Timestamp(gen.HIDDEN_START)
    assert public["timestamp"].min().normalize() == pd.Timestamp(gen.START)
    assert len(public) != len(hidden)
    assert not np.isclose(public["amount"].mean(), hidden["amount"].mean())
    spend_public = public.groupby("customer_id")["amount"].median()
    spend_hidden = hidden.groupby("customer_id")["amount"].median()
    common = spend_public.index.intersection(spend_hidden.index)
    assert not np.allclose(spend_public[common], spend_hidden[common])
    assert (public.dtypes == hidden.dtypes).all()
    offset = pd.Timestamp(gen.HIDDEN_DRIFT_DAY) - pd.Timestamp(gen.HIDDEN_START)
    assert offset == pd.Timestamp(gen.DRIFT_DAY) - pd.Timestamp(gen.START)


def test_fraud_rate_out_of_range_raises(monkeypatch):
    monkeypatch.setattr(gen, "FRAUD_RATE_RANGE", (0.5, 1.0))
    with pytest.raises(RuntimeError, match="fraud rate"):
        gen.generate_transactions(1, n_customers=100, n_terminals=200, n_days=10)


def test_check_passes_on_committed_files(capsys):
    assert gen.main(["--check"]) == 0
    assert "PSI" in capsys.readouterr().out


def test_check_names_every_stale_file(tmp_path, capsys):
    for relative in gen.FILES[1:3]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    stale = pd.read_parquet(tmp_path / gen.FILES[1])
    stale.loc[0, "score"] += 0.1
    stale.to_parquet(tmp_path / gen.FILES[1])
    assert gen.main(["--check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{gen.FILES[0]}: missing" in err
    assert f"{gen.FILES[1]}: differs" in err
    assert gen.FILES[2] not in err
    assert f"{gen.FILES[3]}: missing" in err
