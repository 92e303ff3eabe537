"""Hidden tests of exercise 07, shipping the model: run only at grading.

Each question has tests with a model trained here on the hidden transactions (another
seed and period), its features in another order, another threshold and version, so
that an answer fitted to the notebook's model fails.
"""

from __future__ import annotations

import functools
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from grader.testing import expect_keys, expect_type, fail, public_tests

public = public_tests(__file__)

HIDDEN_FEATURES = ["merchant_category", "amount", "channel", "hour"]


@functools.cache
def _hidden_setup():
    from grader.data import load_transactions

    return public.train_bundle(
        load_transactions(hidden=True), HIDDEN_FEATURES, threshold=0.15, version="fraud-lr-h-0522", seed=11, C=0.5
    )


@pytest.fixture
def hidden():
    """(bundle, the 30 days after the training month) for a model trained on the hidden transactions."""
    bundle, later = _hidden_setup()
    return {"model": bundle["model"], "metadata": dict(bundle["metadata"])}, later


# -- save_model ---------------------------------------------------------------------------

@pytest.mark.question("save_model", points=1)
def test_save_model_records_the_models_features(learner, hidden):
    """Another model: the features in its own order, the running version, the caller's keys kept."""
    import sklearn

    bundle, _ = hidden
    given = dict(public.caller_metadata(bundle), notes=["retrained on hidden data"], features=["stale"],
                 sklearn_version="0.0")
    path = "hidden07_save.skops"
    what = f"save_model(another model, {path!r}, metadata)"
    learner.save_model(bundle["model"], path, given)
    content = public.read_saved(learner, path, what, public.SAVE_HINT)
    expect_type(content, dict, f"the content of the file {what} wrote", public.SAVE_HINT)
    expect_keys(content, ["model", "metadata"], f"the content of the file {what} wrote", public.SAVE_HINT)
    expected = dict(given, sklearn_version=sklearn.__version__, features=HIDDEN_FEATURES)
    public.check_metadata(content["metadata"], expected, f"the metadata in {path!r}",
                          "The features are the model's feature_names_in_, in its order, and the version the "
                          "running sklearn.__version__: both replace what the caller gave.")


@pytest.mark.question("save_model", points=1)
def test_save_model_file_holds_the_model(learner, hidden):
    """Another model, in a skops file: it gives the same scores on the hidden data."""
    bundle, later = hidden
    path = "hidden07_model.skops"
    what = f"save_model(another model, {path!r}, metadata)"
    learner.save_model(bundle["model"], path, public.caller_metadata(bundle))
    content = public.read_saved(learner, path, what, public.SAVE_HINT)
    expect_type(content, dict, f"the content of the file {what} wrote", public.SAVE_HINT)
    expect_keys(content, ["model", "metadata"], f"the content of the file {what} wrote", public.SAVE_HINT)
    public.check_same_model(content["model"], bundle["model"], later.head(2000)[HIDDEN_FEATURES],
                            f"the model in {path!r}", public.SAVE_HINT)


# -- load_model ---------------------------------------------------------------------------

def _write(learner, name, content) -> str:
    public.write_file(learner, name, public.skops_bytes(content))
    return name


@pytest.mark.question("load_model", points=1)
def test_load_model_hidden_round_trip(learner, hidden):
    """Another model's file comes back whole, extra metadata keys included."""
    bundle, later = hidden
    saved = {"model": bundle["model"], "metadata": dict(bundle["metadata"], notes=["a", "b"], reviewed=True)}
    path = _write(learner, "hidden07_good.skops", saved)
    got = learner.load_model(path)
    public.check_loaded(got, saved, later.head(2000)[HIDDEN_FEATURES], f"load_model({path!r})")


@pytest.mark.question("load_model", points=1)
def test_load_model_refuses_missing_metadata(learner, hidden):
    """Each of the six keys missing in turn, no metadata at all, a bare estimator: refused."""
    bundle, _ = hidden
    model, meta = bundle["model"], bundle["metadata"]
    for key in public.METADATA_KEYS:
        path = _write(learner, f"hidden07_no_{key}.skops",
                      {"model": model, "metadata": {k: v for k, v in meta.items() if k != key}})
        public.expect_refusal(learner.load_model, path, what=f"load_model on a file whose metadata has no {key!r}",
                              name=key, hint=public.LOAD_HINT)
    for label, content in (("holds no metadata", {"model": model}), ("holds a bare estimator", model),
                           ("holds metadata that is a list", {"model": model, "metadata": list(meta.items())})):
        path = _write(learner, "hidden07_shape.skops", content)
        public.expect_refusal(learner.load_model, path, what=f"load_model on a file that {label}", types=(),
                              hint=public.LOAD_HINT)


@pytest.mark.question("load_model", points=1)
def test_load_model_refuses_inconsistent_metadata(learner, hidden):
    """Another scikit-learn version, features out of order, bad threshold, period, hash or version: refused."""
    bundle, _ = hidden
    model, meta = bundle["model"], bundle["metadata"]
    start, end = meta["training_period"]
    cases = [
        ("sklearn_version", "1.3.2"),
        ("features", list(reversed(meta["features"]))),
        ("features", meta["features"][:-1]),
        ("threshold", 1.5),
        ("threshold", -0.1),
        ("threshold", "0.15"),
        ("threshold", True),
        ("training_period", [end, start]),
        ("training_period", [start]),
        ("training_period", [start, "next month"]),
        ("data_hash", "not-a-hash"),
        ("data_hash", "g" * 64),
        ("model_version", ""),
        ("model_version", 7),
    ]
    for key, value in cases:
        path = _write(learner, "hidden07_inconsistent.skops", {"model": model, "metadata": dict(meta, **{key: value})})
        public.expect_refusal(learner.load_model, path, what=f"load_model on a file whose metadata[{key!r}] is "
                              f"{value!r}", name=key, hint=public.LOAD_HINT)


@pytest.mark.question("load_model", points=1)
def test_load_model_refuses_unsafe_files(learner, hidden):
    """A pickle, a skops file that needs untrusted types, bytes that are no model, an empty file: refused."""
    import functools as ft

    bundle, _ = hidden
    model, meta = bundle["model"], bundle["metadata"]
    untrusted = {"model": model, "metadata": dict(meta, on_load=ft.partial(print, "this was built at load time"))}
    files = [
        ("a pickle file", pickle.dumps({"model": model, "metadata": dict(meta)})),
        ("a skops file that needs the untrusted type functools.partial", public.skops_bytes(untrusted)),
        ("a file of text", b"model v2, see the shared drive"),
        ("an empty file", b""),
    ]
    hint = ("skops.io.load(path) without trusted= refuses what it does not trust by default. Never pass it the "
            "output of get_untrusted_types: that trusts whatever the file asks for.")
    for label, data in files:
        path = "hidden07_unsafe.skops"
        public.write_file(learner, path, data)
        public.expect_refusal(learner.load_model, path, what=f"load_model on {label}", types=(), hint=hint)


# -- predict_one --------------------------------------------------------------------------

@pytest.mark.question("predict_one", points=1)
def test_predict_one_hidden_payloads(learner, hidden):
    """Another model: payloads with keys in any order and extra keys, plain types, the model's scores."""
    bundle, later = hidden
    rng = np.random.default_rng(5)
    rows = pd.concat([public.rows_around_threshold(bundle, later, n_per_band=6), later.sample(12, random_state=3)])
    for _, row in rows.iterrows():
        order = [str(name) for name in rng.permutation(HIDDEN_FEATURES)]
        payload = public.payload_of(row, HIDDEN_FEATURES, order=order,
                                    extra={"transaction_id": int(row["transaction_id"]), "note": None})
        what = f"predict_one(another model, {payload})"
        got = public.call_valid(learner.predict_one, bundle, payload, what=what,
                                hint="Keys may come in any order, and extra keys are ignored: build the row from "
                                "bundle['metadata']['features'], in that order.")
        public.check_prediction(got, bundle, payload, what)
    payload = dict(public.payload_of(rows.iloc[-1], HIDDEN_FEATURES), amount=int(round(rows.iloc[-1]["amount"])))
    what = f"predict_one(another model, {payload}) (a whole amount, as JSON sends 42)"
    got = public.call_valid(learner.predict_one, bundle, payload, what=what,
                            hint="amount may be an int or a float: JSON has one kind of number.")
    public.check_prediction(got, bundle, payload, what)


@pytest.mark.question("predict_one", points=1)
def test_predict_one_rejects_bad_fields(learner, hidden):
    """Every field missing, ill-typed or out of range in turn: an error that names it."""
    bundle, later = hidden
    base = public.payload_of(later.iloc[10], HIDDEN_FEATURES)
    for name in HIDDEN_FEATURES:
        payload = {k: v for k, v in base.items() if k != name}
        public.expect_refusal(learner.predict_one, bundle, payload, what=f"predict_one(bundle, {payload})",
                              name=name, hint=public.FIELD_HINT)
    cases = [
        ("amount", "12.50"), ("amount", True), ("amount", None), ("amount", float("nan")), ("amount", float("inf")),
        ("amount", -5.0), ("hour", 3.5), ("hour", "3"), ("hour", 24), ("hour", -1), ("hour", False),
        ("channel", 1), ("channel", None), ("merchant_category", ["fuel"]),
    ]
    for name, value in cases:
        payload = dict(base, **{name: value})
        public.expect_refusal(learner.predict_one, bundle, payload, what=f"predict_one(bundle, {payload})",
                              name=name, types=("ValueError", "TypeError"), hint=public.FIELD_HINT)
    for payload in ([base], "amount=12"):
        public.expect_refusal(learner.predict_one, bundle, payload, what=f"predict_one(bundle, {payload!r})",
                              types=("ValueError", "TypeError"), hint="A payload that is not a dict is refused too.")


# -- predict_batch ------------------------------------------------------------------------

@pytest.mark.question("predict_batch", points=1)
def test_predict_batch_hidden_data(learner, hidden):
    """Another model on 3,000 hidden payments: its scores and decisions, the batch's index."""
    bundle, later = hidden
    df = public.batch_of(later, 3000, seed=2)
    got = public.call_valid(learner.predict_batch, bundle, df, what="predict_batch(another model, df)",
                            hint=public.BATCH_HINT)
    public.check_batch(got, bundle, df, "predict_batch(another model, 3000 hidden rows)")


@pytest.mark.question("predict_batch", points=1)
def test_predict_batch_small_batches(learner, hidden):
    """Batches of one and two rows score as single payments; a missing column is named."""
    bundle, later = hidden
    for n, seed in ((1, 4), (2, 6)):
        df = public.batch_of(later, n, seed=seed)
        df.index = [f"payment-{i}" for i in range(n)]
        got = public.call_valid(learner.predict_batch, bundle, df, what=f"predict_batch(bundle, {n} row(s))",
                                hint=public.BATCH_HINT)
        public.check_batch(got, bundle, df, f"predict_batch(another model, {n} row(s))",
                           hint="A batch of one row must give predict_one's score: fit nothing at serving time, "
                           "not even a scaler on the batch.")
    df = public.batch_of(later, 5, seed=8).drop(columns=["hour"])
    public.expect_refusal(learner.predict_batch, bundle, df, what="predict_batch(bundle, df without 'hour')",
                          name="hour", hint=public.BATCH_HINT)


# -- make_app -----------------------------------------------------------------------------

@pytest.mark.question("make_app", points=1)
def test_make_app_hidden_model(learner, hidden):
    """Another model behind the service: its version on /health, its scores on /predict."""
    bundle, later = hidden
    public.expect_attempted(learner, bundle)
    what = "GET /health (another model)"
    body = public.expect_response(public.request(learner, bundle, "GET", "/health", what=what), 200, what)
    expect_keys(body, ["status", "model_version"], f"{what}: the JSON body", public.APP_HINT)
    if body != {"status": "ok", "model_version": bundle["metadata"]["model_version"]}:
        fail(f"{what}: expected the body {{'status': 'ok', 'model_version': "
             f"{bundle['metadata']['model_version']!r}}}, got {body}", public.APP_HINT)
    rng = np.random.default_rng(9)
    for _, row in public.rows_around_threshold(bundle, later, n_per_band=2).iterrows():
        payload = public.payload_of(row, HIDDEN_FEATURES, order=[str(name) for name in rng.permutation(HIDDEN_FEATURES)],
                                    extra={"currency": "EUR"})
        what = f"POST /predict {json.dumps(payload)} (another model)"
        response = public.request(learner, bundle, "POST", "/predict", json.dumps(payload).encode(), what=what)
        public.check_predict_response(response, bundle, payload, what)


@pytest.mark.question("make_app", points=1)
def test_make_app_never_500(learner, hidden):
    """Bodies that are empty, not JSON, not UTF-8, not an object, or with a bad field: all 400, never 500."""
    bundle, later = hidden
    public.expect_attempted(learner, bundle)
    base = public.payload_of(later.iloc[20], HIDDEN_FEATURES)
    bodies = [
        (b"", None), (b"{", None), (b"\xff\xfe\xfa", None), (b"[1, 2]", None), (b"null", None),
        (b'"amount"', None), (b"42", None),
        (json.dumps(dict(base, amount=float("nan"))).encode(), "amount"),
        (json.dumps(dict(base, amount="12,50")).encode(), "amount"),
        (json.dumps(dict(base, hour=25)).encode(), "hour"),
        (json.dumps(dict(base, channel=None)).encode(), "channel"),
        (json.dumps({k: v for k, v in base.items() if k != "merchant_category"}).encode(), "merchant_category"),
    ]
    for body, name in bodies:
        what = f"POST /predict with the body {body[:80]!r}"
        public.expect_error(public.request(learner, bundle, "POST", "/predict", body, what=what), 400, what,
                            name=name)


@pytest.mark.question("make_app", points=1)
def test_make_app_routes(learner, hidden):
    """Unknown paths are 404, known paths with another method 405, with a JSON error."""
    bundle, _ = hidden
    public.expect_attempted(learner, bundle)
    hint = "Route first: a path other than /health and /predict is a 404; GET /predict or POST /health is a 405."
    for method, path, code in (("GET", "/", 404), ("POST", "/predictions", 404), ("GET", "/predict", 405),
                               ("POST", "/health", 405), ("PUT", "/predict", 405)):
        what = f"{method} {path}"
        public.expect_error(public.request(learner, bundle, method, path, b"", what=what, hint=hint), code, what,
                            hint=hint)


# -- model_card ---------------------------------------------------------------------------

@pytest.mark.question("model_card", points=1)
def test_model_card_hidden_model(learner, hidden):
    """Another model, other metrics and data summary: every value in its place."""
    bundle, _ = hidden
    metrics = {"pr_auc": 0.22695, "recall_at_threshold": 0.21739, "alerts_per_day": 11, "precision": 0.4545}
    data_summary = {"rows": 4123, "fraud_rate": 0.02983, "genuine_sample_seed": 11, "source": "hidden seed"}
    card = learner.model_card(bundle, metrics, data_summary)
    public.check_card(card, bundle, metrics, data_summary, "model_card(another model, metrics, data_summary)")


@pytest.mark.question("model_card", points=1)
def test_model_card_reads_the_bundle(learner, hidden):
    """The same model with other metadata: the card follows the bundle, not the notebook."""
    bundle, _ = hidden
    bundle["metadata"].update(model_version="fraud-lr-rc-3", threshold=0.35,
                              training_period=["2024-02-01", "2024-03-15"])
    metrics = {"average_precision": 0.3, "recall": 0.41666}
    data_summary = {"payments": 12345}
    card = learner.model_card(bundle, metrics, data_summary)
    public.check_card(card, bundle, metrics, data_summary, "model_card(bundle with other metadata, ...)")
