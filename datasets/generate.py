"""Seeded synthetic card transactions for mlday, and the files made from them.

The simulation follows the published design of the transaction simulator in the
*Reproducible Machine Learning for Credit Card Fraud Detection - Practical
Handbook* (Le Borgne et al.), written from scratch and extended with what the
workbook needs: channels, merchant categories, label delays, a model score and a
drift injected on a known day.

Run it as a script from anywhere::

    python datasets/generate.py          # (re)write every committed data file
    python datasets/generate.py --check  # exit 1 if a committed file is stale

or import it by path (``datasets/`` is not a package) and call
:func:`generate_transactions`, :func:`prediction_log` or :func:`write_all`.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "DRIFT_DAY",
    "DRIFT_OFFSET_DAYS",
    "FILES",
    "HIDDEN_DRIFT_DAY",
    "HIDDEN_SEED",
    "HIDDEN_START",
    "N_CUSTOMERS",
    "N_DAYS",
    "N_TERMINALS",
    "PREDICTION_LOG_COLUMNS",
    "PUBLIC_SEED",
    "START",
    "TRANSACTION_COLUMNS",
    "average_precision",
    "build_all",
    "compare_files",
    "drift_day",
    "generate_transactions",
    "main",
    "prediction_log",
    "psi",
    "summary",
    "write_all",
]

# --- seeds and calendar -------------------------------------------------------

PUBLIC_SEED = 2024
START = "2024-04-01"
N_DAYS = 60
# The drift starts the last third of the period in both data sets.
DRIFT_OFFSET_DAYS = 40
DRIFT_DAY = "2024-05-11"


def _hidden_parameters() -> tuple[int | None, str | None, str | None]:
    # The hidden seed is the instructors' secret: it lives with the solutions, which the
    # grading sandbox does not mount, so a submission cannot regenerate the hidden data.
    path = pathlib.Path(__file__).resolve().parents[1] / "solutions" / "data" / "hidden.json"
    try:
        spec = json.loads(path.read_text())
    except (OSError, ValueError):
        return None, None, None
    return int(spec["seed"]), str(spec["start"]), str(spec["drift_day"])


# The hidden data starts three weeks later so that a learner cannot hard-code dates,
# counts or per-day answers read off the public files. None without solutions/.
HIDDEN_SEED, HIDDEN_START, HIDDEN_DRIFT_DAY = _hidden_parameters()

# --- population ---------------------------------------------------------------

N_CUSTOMERS = 800
N_TERMINALS = 1600
GRID_SIZE = 100.0
# With 1,600 terminals on the 100x100 grid a radius of 7 gives each customer
# about 23 terminals, like the handbook's 10,000 terminals with a radius of 5
# give about 80: enough choice that terminal ids are not a proxy for customers.
TERMINAL_RADIUS = 7.0
MIN_TERMINALS_PER_CUSTOMER = 3
MEAN_TX_PER_DAY_RANGE = (0.1, 3.0)
# Per-customer typical spend is log-uniform: many small everyday spenders and a
# few big ones, which gives the amount distribution the width that makes a 1.8x
# inflation land at a PSI near 0.2 (a narrower spread would push it past 0.3).
MEAN_AMOUNT_RANGE = (1.0, 50.0)
AMOUNT_SIGMA_RANGE = (0.35, 0.7)
MIN_AMOUNT = 0.5
ATM_STEP = 10.0
# Transactions happen around midday; the wide spread leaves some at night.
TIME_OF_DAY_MEAN_S = 13 * 3600
TIME_OF_DAY_SD_S = 5 * 3600

CATEGORIES = ("grocery", "restaurants", "fuel", "fashion", "electronics", "travel")
CATEGORY_WEIGHTS = (0.26, 0.22, 0.14, 0.15, 0.12, 0.11)
CATEGORY_AMOUNT_FACTOR = (1.0, 0.8, 1.2, 1.4, 1.8, 2.0)
CHANNELS = ("pos", "online", "atm")
# Channel mix per category, rows in CATEGORIES order, columns in CHANNELS order.
# ATMs stand in supermarkets and petrol stations, so only those see "atm".
CHANNEL_PROBS = np.array(
    [
        [0.80, 0.12, 0.08],  # grocery
        [0.88, 0.12, 0.00],  # restaurants
        [0.88, 0.02, 0.10],  # fuel
        [0.65, 0.35, 0.00],  # fashion
        [0.70, 0.30, 0.00],  # electronics
        [0.30, 0.70, 0.00],  # travel
    ]
)

# --- fraud scenarios (handbook numbering) ---------------------------------------

LARGE_AMOUNT_THRESHOLD = 220.0
TERMINAL_COMPROMISE_DAYS = 28
CUSTOMER_COMPROMISE_DAYS = 14
# Expected number of newly compromised terminals / customers per day, per 1,000
# of them. The handbook compromises 2 of 10,000 terminals and 3 of 5,000
# customers a day; these rates are of the same order, tuned so that the overall
# fraud rate stays well inside 0.2-1% also after the drift (which makes more
# amounts cross the large-amount threshold).
TERMINALS_COMPROMISED_PER_DAY_PER_1000 = 0.12
CUSTOMERS_COMPROMISED_PER_DAY_PER_1000 = 0.35
CUSTOMER_FRAUD_SHARE = 1 / 3
CUSTOMER_FRAUD_AMOUNT_FACTOR = 5.0
FRAUD_RATE_RANGE = (0.002, 0.01)

# --- drift --------------------------------------------------------------------

DRIFT_AMOUNT_FACTOR = 1.8
DRIFT_CATEGORY = "electronics"
DRIFT_ONLINE_SHARE = 0.4

# --- label delay ----------------------------------------------------------------

FRAUD_LABEL_DELAY_DAYS = (1.0, 10.0)
GENUINE_LABEL_DELAY_DAYS = (4.0, 10.0)
# Some genuine labels wait for the end of a dispute or chargeback window.
LATE_GENUINE_SHARE = 0.08
LATE_GENUINE_DELAY_DAYS = (14.0, 30.0)

# --- model score ----------------------------------------------------------------

# The simulated model was trained on the first two weeks: it knows each
# customer's usual spend from then, and so mistakes the drift for anomalies.
SCORE_REFERENCE_DAYS = 14
SCORE_WEIGHTS = {
    "intercept": -5.5,
    "log_amount_ratio": 1.5,
    "large_amount": 6.0,
    "terminal_fraud_share": 8.0,
    "card_frauds": 1.0,
    # Spurious: the model leans a little on channel and hour, which carry no
    # fraud signal in this simulation.
    "online": 0.3,
    "night": 0.3,
}
SCORE_NOISE_SD = 1.0
# Distinguishes the score-noise stream from the generator's streams of the same seed.
SCORE_STREAM = 1

TRANSACTION_COLUMNS = (
    "transaction_id",
    "timestamp",
    "customer_id",
    "terminal_id",
    "amount",
    "channel",
    "merchant_category",
    "is_fraud",
    "fraud_scenario",
    "label_available_at",
)
PREDICTION_LOG_COLUMNS = (
    "transaction_id",
    "timestamp",
    "customer_id",
    "terminal_id",
    "amount",
    "channel",
    "merchant_category",
    "score",
    "label",
)
# Files written by write_all, relative to the project root.
FILES = (
    "datasets/transactions.parquet",
    "datasets/prediction_log.parquet",
    "solutions/data/transactions.parquet",
    "solutions/data/prediction_log.parquet",
)

_DAY_NS = 86_400 * 10**9
_SECOND_NS = 10**9
_ROOT = pathlib.Path(__file__).resolve().parents[1]


def drift_day(start: str | pd.Timestamp = START) -> pd.Timestamp:
    """Return the first day of the drift for a period starting on `start`.

    Parameters
    ----------
    start : str or pandas.Timestamp
        First day of the simulated period.

    Returns
    -------
    pandas.Timestamp
        Midnight of the day ``DRIFT_OFFSET_DAYS`` after `start`.
    """
    return pd.Timestamp(start).normalize() + pd.Timedelta(days=DRIFT_OFFSET_DAYS)


def _rngs(seed: int, n: int) -> list[np.random.Generator]:
    # Independent streams per stage, so that tuning one stage does not reshuffle
    # the random draws of every stage after it.
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def _available_terminals(
    customer_xy: np.ndarray, terminal_xy: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Terminals each customer uses, nearest first, padded to a rectangle.

    Returns ``(table, counts)``: row ``c`` of `table` holds customer ``c``'s
    terminals in its first ``counts[c]`` entries.
    """
    d2 = ((customer_xy[:, None, :] - terminal_xy[None, :, :]) ** 2).sum(axis=2)
    counts = (d2 < radius**2).sum(axis=1)
    # A customer in an empty corner of the grid still shops somewhere.
    counts = np.maximum(counts, MIN_TERMINALS_PER_CUSTOMER)
    order = np.argsort(d2, axis=1, kind="stable")
    return order[:, : counts.max()], counts


def _compromised(
    rng: np.random.Generator,
    n_entities: int,
    n_days: int,
    per_1000: float,
    duration: int,
) -> np.ndarray:
    """Boolean (entity, day) matrix of compromise windows started at random."""
    mask = np.zeros((n_entities, n_days), dtype=bool)
    rate = per_1000 * n_entities / 1000
    new_per_day = rng.poisson(rate, size=n_days)
    for day, k in enumerate(new_per_day):
        if k:
            chosen = rng.choice(n_entities, size=min(k, n_entities), replace=False)
            mask[chosen, day : day + duration] = True
    return mask


def generate_transactions(
    seed: int,
    *,
    n_customers: int = N_CUSTOMERS,
    n_terminals: int = N_TERMINALS,
    start: str | pd.Timestamp = START,
    n_days: int = N_DAYS,
) -> pd.DataFrame:
    """Simulate card transactions with fraud, label delays and an injected drift.

    Parameters
    ----------
    seed : int
        Seed of every random draw; the same seed gives the same frame.
    n_customers : int, optional
        Number of customers (cards).
    n_terminals : int, optional
        Number of merchant terminals.
    start : str or pandas.Timestamp, optional
        First day of the period (the time of day is ignored).
    n_days : int, optional
        Length of the period in days. The drift starts ``DRIFT_OFFSET_DAYS``
        after `start`; a shorter period has no drift.

    Returns
    -------
    pandas.DataFrame
        One row per transaction with the columns ``TRANSACTION_COLUMNS``, sorted
        by ``timestamp`` then ``transaction_id`` (ids increase with time).

    Raises
    ------
    RuntimeError
        If the fraud rate falls outside ``FRAUD_RATE_RANGE``, which means the
        parameters no longer describe the data the workbook was written for.
    """
    rng_pop, rng_tx, rng_fraud, rng_drift, rng_label = _rngs(seed, 5)
    start_ts = pd.Timestamp(start).normalize()

    # Customers and terminals (handbook: profiles on a square grid).
    customer_xy = rng_pop.uniform(0, GRID_SIZE, size=(n_customers, 2))
    mean_amount = np.exp(rng_pop.uniform(*np.log(MEAN_AMOUNT_RANGE), size=n_customers))
    amount_sigma = rng_pop.uniform(*AMOUNT_SIGMA_RANGE, size=n_customers)
    tx_per_day = rng_pop.uniform(*MEAN_TX_PER_DAY_RANGE, size=n_customers)
    terminal_xy = rng_pop.uniform(0, GRID_SIZE, size=(n_terminals, 2))
    terminal_category = rng_pop.choice(
        len(CATEGORIES), size=n_terminals, p=CATEGORY_WEIGHTS
    )
    table, counts = _available_terminals(customer_xy, terminal_xy, TERMINAL_RADIUS)

    # Transactions: a Poisson number per customer and day.
    per_day = rng_tx.poisson(tx_per_day[:, None], size=(n_customers, n_days))
    customer = np.repeat(np.repeat(np.arange(n_customers), n_days), per_day.ravel())
    day = np.repeat(np.tile(np.arange(n_days), n_customers), per_day.ravel())
    n = customer.size
    seconds = np.rint(rng_tx.normal(TIME_OF_DAY_MEAN_S, TIME_OF_DAY_SD_S, size=n))
    outside = (seconds < 0) | (seconds >= 86_400)
    # Redraw the tails uniformly rather than dropping them: this keeps the
    # Poisson counts and puts a few transactions in the small hours.
    seconds[outside] = rng_tx.integers(0, 86_400, size=outside.sum())
    pick = np.minimum(
        (rng_tx.random(n) * counts[customer]).astype(np.int64), counts[customer] - 1
    )
    terminal = table[customer, pick]
    category = terminal_category[terminal]

    channel_u = rng_tx.random(n)
    channel = (channel_u[:, None] > np.cumsum(CHANNEL_PROBS[category], axis=1)).sum(
        axis=1
    )
    channel = np.minimum(channel, len(CHANNELS) - 1)

    sigma = amount_sigma[customer]
    amount = (
        mean_amount[customer]
        * np.asarray(CATEGORY_AMOUNT_FACTOR)[category]
        * np.exp(sigma * rng_tx.standard_normal(n) - sigma**2 / 2)
    )

    # The drift: prices inflate and part of one category's in-store sales move
    # online, from a known day on.
    after = day >= DRIFT_OFFSET_DAYS
    amount = np.where(after, amount * DRIFT_AMOUNT_FACTOR, amount)
    drift_u = rng_drift.random(n)
    moved = (
        after
        & (category == CATEGORIES.index(DRIFT_CATEGORY))
        & (channel == CHANNELS.index("pos"))
        & (drift_u < DRIFT_ONLINE_SHARE)
    )
    channel[moved] = CHANNELS.index("online")

    is_atm = channel == CHANNELS.index("atm")
    # Cash comes in notes.
    amount = np.where(
        is_atm, np.maximum(np.rint(amount / ATM_STEP), 1) * ATM_STEP, amount
    )
    amount = np.round(np.maximum(amount, MIN_AMOUNT), 2)

    # Fraud, applied in the handbook's order; a later scenario overrides.
    scenario = np.zeros(n, dtype=np.int64)
    scenario[amount > LARGE_AMOUNT_THRESHOLD] = 1
    bad_terminal = _compromised(
        rng_fraud,
        n_terminals,
        n_days,
        TERMINALS_COMPROMISED_PER_DAY_PER_1000,
        TERMINAL_COMPROMISE_DAYS,
    )
    scenario[bad_terminal[terminal, day]] = 2
    bad_customer = _compromised(
        rng_fraud,
        n_customers,
        n_days,
        CUSTOMERS_COMPROMISED_PER_DAY_PER_1000,
        CUSTOMER_COMPROMISE_DAYS,
    )
    stolen = bad_customer[customer, day] & (rng_fraud.random(n) < CUSTOMER_FRAUD_SHARE)
    scenario[stolen] = 3
    amount[stolen] = np.round(amount[stolen] * CUSTOMER_FRAUD_AMOUNT_FACTOR, 2)
    is_fraud = (scenario > 0).astype(np.int64)

    # Label delay: fraud is reported by the cardholder within days; a genuine
    # transaction is only confirmed once no dispute came for about a week.
    fraud_delay = rng_label.uniform(*FRAUD_LABEL_DELAY_DAYS, size=n)
    genuine_delay = rng_label.uniform(*GENUINE_LABEL_DELAY_DAYS, size=n)
    late = rng_label.random(n) < LATE_GENUINE_SHARE
    genuine_delay[late] = rng_label.uniform(*LATE_GENUINE_DELAY_DAYS, size=late.sum())
    delay_s = np.rint(np.where(is_fraud == 1, fraud_delay, genuine_delay) * 86_400)

    ts_ns = (
        start_ts.value
        + day.astype(np.int64) * _DAY_NS
        + seconds.astype(np.int64) * _SECOND_NS
    )
    label_ns = ts_ns + delay_s.astype(np.int64) * _SECOND_NS

    order = np.argsort(ts_ns, kind="stable")
    frame = pd.DataFrame(
        {
            "transaction_id": np.arange(n, dtype=np.int64),
            "timestamp": ts_ns[order].astype("datetime64[ns]"),
            "customer_id": customer[order].astype(np.int64),
            "terminal_id": terminal[order].astype(np.int64),
            "amount": amount[order].astype(np.float64),
            "channel": pd.Series(np.asarray(CHANNELS)[channel[order]], dtype="str"),
            "merchant_category": pd.Series(
                np.asarray(CATEGORIES)[category[order]], dtype="str"
            ),
            "is_fraud": is_fraud[order],
            "fraud_scenario": scenario[order],
            "label_available_at": label_ns[order].astype("datetime64[ns]"),
        }
    )
    rate = frame["is_fraud"].mean()
    low, high = FRAUD_RATE_RANGE
    if not low <= rate <= high:
        raise RuntimeError(
            f"fraud rate {rate:.4%} with seed {seed} is outside [{low:.1%}, {high:.1%}]; "
            "retune the fraud-scenario rates"
        )
    return frame


def _known_frauds(
    tx: pd.DataFrame, key: str, window_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Count, for each row, the labels already known for its `key` (card or terminal).

    Returns ``(frauds, labelled)``: among the rows with the same `key` whose
    label arrived in the `window_days` before the row's timestamp, how many
    were fraud and how many there were. A deployed model learns of a
    compromised terminal or card only through such (delayed) labels.
    """
    # One sorted key per (entity, second) turns the per-entity window counts
    # into two binary searches instead of a group-by loop. Seconds are counted
    # from one window before the first transaction so that no key goes negative
    # and spills into the previous entity's range.
    window = window_days * 86_400
    base = tx["timestamp"].min().value // _SECOND_NS - window
    span = np.int64(10**10)  # seconds; far longer than any simulated period

    def seconds(column: str) -> np.ndarray:
        return (
            tx[column].to_numpy().astype("datetime64[ns]").astype(np.int64)
            // _SECOND_NS
            - base
        )

    entity = tx[key].to_numpy().astype(np.int64)
    labelled_at = entity * span + seconds("label_available_at")
    query = entity * span + seconds("timestamp")
    counts = []
    for keep in (tx["is_fraud"].to_numpy() == 1, slice(None)):
        keys = np.sort(labelled_at[keep])
        counts.append(
            np.searchsorted(keys, query, side="right")
            - np.searchsorted(keys, query - window, side="right")
        )
    return counts[0], counts[1]


def _score(tx: pd.DataFrame, seed: int) -> np.ndarray:
    """Simulated fraud score of a model trained on the first weeks of `tx`.

    The score is a logistic function of what such a model would see - the
    amount against the customer's usual spend, large amounts, the share of
    confirmed frauds among the terminal's recent labels, the card's recently
    confirmed frauds, channel and hour - plus seeded noise. It never reads the
    row's own ``is_fraud``, so it misses some fraud (a compromised terminal's
    first days, most stolen-card transactions) and flags some genuine ones, and
    it raises more false alarms after the drift.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, SCORE_STREAM]))
    amount = tx["amount"].to_numpy()
    t0 = tx["timestamp"].min().normalize()
    reference = tx["timestamp"] < t0 + pd.Timedelta(days=SCORE_REFERENCE_DAYS)
    usual = tx.loc[reference].groupby("customer_id")["amount"].median()
    fallback = float(tx.loc[reference, "amount"].median())
    usual_amount = tx["customer_id"].map(usual).fillna(fallback).to_numpy()
    log_ratio = np.clip(np.log(amount / usual_amount), -3.0, 4.0)
    large = 1.0 / (1.0 + np.exp(-(amount - LARGE_AMOUNT_THRESHOLD) / 15.0))
    terminal_frauds, terminal_labelled = _known_frauds(
        tx, "terminal_id", TERMINAL_COMPROMISE_DAYS
    )
    terminal_share = terminal_frauds / np.maximum(terminal_labelled, 1)
    card_frauds, _ = _known_frauds(tx, "customer_id", CUSTOMER_COMPROMISE_DAYS)
    online = (tx["channel"] == "online").to_numpy()
    night = (tx["timestamp"].dt.hour < 6).to_numpy()
    w = SCORE_WEIGHTS
    logit = (
        w["intercept"]
        + w["log_amount_ratio"] * log_ratio
        + w["large_amount"] * large
        + w["terminal_fraud_share"] * terminal_share
        + w["card_frauds"] * np.minimum(card_frauds, 2)
        + w["online"] * online
        + w["night"] * night
        + rng.normal(0.0, SCORE_NOISE_SD, size=len(tx))
    )
    return 1.0 / (1.0 + np.exp(-logit))


def prediction_log(
    transactions: pd.DataFrame,
    *,
    seed: int,
    as_of: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Build the production model's prediction log from simulated transactions.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Output of :func:`generate_transactions`.
    seed : int
        Seed of the score noise.
    as_of : str or pandas.Timestamp, optional
        When the log is read. A row's ``label`` is its ``is_fraud`` if the label
        had arrived by then (``label_available_at <= as_of``), else missing.
        Defaults to the end of the period (midnight after the last day), which
        leaves most of the last week unlabelled. Rows are not filtered: a
        prediction made after `as_of` simply has no label.

    Returns
    -------
    pandas.DataFrame
        Columns ``PREDICTION_LOG_COLUMNS``; ``score`` is a float in [0, 1] and
        ``label`` has the nullable ``Int64`` dtype. Sorted by ``timestamp`` then
        ``transaction_id``.
    """
    # Noise is drawn in transaction_id order so a reordered input scores the same.
    tx = transactions.sort_values(["transaction_id"], kind="stable").reset_index(
        drop=True
    )
    if as_of is None:
        as_of = tx["timestamp"].max().normalize() + pd.Timedelta(days=1)
    as_of = pd.Timestamp(as_of)
    arrived = (tx["label_available_at"] <= as_of).to_numpy()
    label = pd.array(tx["is_fraud"].to_numpy(), dtype="Int64")
    label[~arrived] = pd.NA
    log = tx[list(PREDICTION_LOG_COLUMNS[:7])].copy()
    log["score"] = _score(tx, seed).astype(np.float64)
    log["label"] = label
    return log.sort_values(["timestamp", "transaction_id"], kind="stable").reset_index(
        drop=True
    )


def build_all() -> dict[str, pd.DataFrame]:
    """Generate every committed data set.

    Returns
    -------
    dict of str to pandas.DataFrame
        Frames keyed by their path relative to the project root (``FILES``).
    """
    if HIDDEN_SEED is None:
        raise RuntimeError("the hidden parameters (solutions/data/hidden.json) are not here: they are for instructors")
    public = generate_transactions(PUBLIC_SEED)
    hidden = generate_transactions(HIDDEN_SEED, start=HIDDEN_START)
    return {
        FILES[0]: public,
        FILES[1]: prediction_log(public, seed=PUBLIC_SEED),
        FILES[2]: hidden,
        FILES[3]: prediction_log(hidden, seed=HIDDEN_SEED),
    }


def _write_parquet(frame: pd.DataFrame, path: pathlib.Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # Explicit options rather than pyarrow's defaults, which change between
    # versions, and a single row group keep the files identical from run to run.
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        row_group_size=len(frame) or None,
        use_dictionary=["channel", "merchant_category"],
        # Parquet 2.6 stores nanosecond timestamps as they are; older format
        # versions would silently coarsen them to microseconds.
        version="2.6",
    )


def write_all(root: pathlib.Path) -> list[pathlib.Path]:
    """Write every committed data file under the project root `root`.

    Parameters
    ----------
    root : pathlib.Path
        Project root, the parent of ``datasets/``.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``FILES``.
    """
    root = pathlib.Path(root)
    written = []
    for relative, frame in build_all().items():
        path = root / relative
        _write_parquet(frame, path)
        written.append(path)
    return written


def compare_files(expected_root: pathlib.Path, actual_root: pathlib.Path) -> list[str]:
    """Name the data files whose decoded contents differ between two roots.

    Parameters
    ----------
    expected_root, actual_root : pathlib.Path
        Project roots to compare, file by file over ``FILES``.

    Returns
    -------
    list of str
        One line per differing or missing file: its relative path and why.
    """
    problems = []
    for relative in FILES:
        expected, actual = expected_root / relative, actual_root / relative
        if not actual.exists():
            problems.append(f"{relative}: missing")
            continue
        try:
            pd.testing.assert_frame_equal(
                pd.read_parquet(actual), pd.read_parquet(expected)
            )
        except AssertionError as error:
            first_line = str(error).strip().splitlines()[0]
            problems.append(f"{relative}: differs ({first_line})")
    return problems


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index of `current` against `reference`.

    Bins are the quantiles of `reference`; empty bins are floored at 1e-6 so
    the index stays finite.
    """
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    ref, cur = np.maximum(ref, 1e-6), np.maximum(cur, 1e-6)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def average_precision(y_true: np.ndarray, score: np.ndarray) -> float:
    """Average precision (area under the step precision-recall curve)."""
    y_true = np.asarray(y_true)
    order = np.argsort(-np.asarray(score), kind="stable")
    hits = y_true[order] == 1
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean()) if hits.any() else float("nan")


def summary(transactions: pd.DataFrame, log: pd.DataFrame, name: str) -> str:
    """Describe one data set: size, fraud, drift, label delay and score quality."""
    ts = transactions["timestamp"]
    start = ts.min().normalize()
    after = (ts >= drift_day(start)).to_numpy()
    amount = transactions["amount"].to_numpy()
    electronics = (transactions["merchant_category"] == DRIFT_CATEGORY).to_numpy()
    online = (transactions["channel"] == "online").to_numpy()
    scenarios = transactions["fraud_scenario"].value_counts().sort_index()
    last_day = log["timestamp"].max().normalize()
    last_week = log["timestamp"] >= last_day - pd.Timedelta(days=6)
    truth = log[["transaction_id"]].merge(
        transactions[["transaction_id", "is_fraud"]], on="transaction_id", how="left"
    )["is_fraud"]
    first_week = log["timestamp"] < start + pd.Timedelta(days=7)
    fraud = transactions["is_fraud"]
    by_scenario = ", ".join(f"{k}: {v}" for k, v in scenarios.items())
    mean_ratio = amount[after].mean() / amount[~after].mean()
    amount_psi = psi(amount[~after], amount[after])
    online_before = online[electronics & ~after].mean()
    online_after = online[electronics & after].mean()
    missing = log["label"].isna()
    ap = average_precision(truth, log["score"])
    lines = [
        (
            f"{name}: {len(transactions)} transactions, "
            f"{ts.min():%Y-%m-%d} to {ts.max():%Y-%m-%d}, drift from {drift_day(start):%Y-%m-%d}"
        ),
        f"  fraud rate {fraud.mean():.3%} (by scenario: {by_scenario})",
        f"  fraud rate before drift {fraud[~after].mean():.3%}, after {fraud[after].mean():.3%}",
        (
            f"  amount mean after/before drift {mean_ratio:.2f}, "
            f"PSI(amount, 10 quantile bins) {amount_psi:.3f}"
        ),
        (
            f"  online share of {DRIFT_CATEGORY}: before {online_before:.1%}, "
            f"after {online_after:.1%}"
        ),
        (
            f"  missing labels: first week {missing[first_week].mean():.1%}, "
            f"last 7 days {missing[last_week].mean():.1%}, overall {missing.mean():.1%}"
        ),
        f"  score average precision {ap:.3f} (fraud prevalence {truth.mean():.3f})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the data files, or with ``--check`` verify the committed ones.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 1 if ``--check`` found a file that differs.
    """
    parser = argparse.ArgumentParser(
        prog="generate.py", description="Generate mlday's synthetic card transactions."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and report committed files that differ",
    )
    parser.add_argument(
        "--root",
        type=pathlib.Path,
        default=_ROOT,
        help="project root to write to or check (default: the parent of datasets/)",
    )
    args = parser.parse_args(argv)

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp)
            write_all(fresh)
            problems = compare_files(fresh, args.root)
            for relative in (FILES[:2], FILES[2:]):
                tx = pd.read_parquet(fresh / relative[0])
                log = pd.read_parquet(fresh / relative[1])
                print(summary(tx, log, relative[0]))
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run `python datasets/generate.py` to regenerate", file=sys.stderr)
            return 1
        print(f"all {len(FILES)} data files match the generator")
        return 0

    frames = build_all()
    for relative, frame in frames.items():
        _write_parquet(frame, args.root / relative)
        size = (args.root / relative).stat().st_size
        print(f"wrote {relative} ({len(frame)} rows, {size / 1e6:.2f} MB)")
    for tx_path, log_path in (FILES[:2], FILES[2:]):
        print(summary(frames[tx_path], frames[log_path], tx_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
