"""Public tests of exercise 07, shipping the model.

They run in your notebook when you call ``check("name")``, and again at grading. They
train their own copy of the notebook's model on the public transactions, and compare
your functions with what that model gives. They reach your files and your web service
through the notebook's tools cell (``read_bytes``, ``write_bytes``, ``serve``), and
write a few small files named ``check07_*.skops`` in your notebook's folder. More tests
run at grading, with a model trained on data you have not seen.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import types
import zipfile

import numpy as np
import pandas as pd
import pytest

from grader import LearnerError
from grader.testing import assert_close, assert_equal, assert_frame_close, expect_keys, expect_type, fail

HINTS = {
    "save_model": [
        "`full = dict(metadata)`, then set `full['sklearn_version'] = sklearn.__version__` and "
        "`full['features'] = [str(f) for f in model.feature_names_in_]`.",
        "Write one file: `skops.io.dump({'model': model, 'metadata': full}, path)`. Not pickle, not joblib "
        "(joblib pickles too), and no second file for the metadata.",
        "The features come from the model, never from a list in your notebook: the grader saves a model whose "
        "columns are in another order.",
    ],
    "load_model": [
        "Start with `content = skops.io.load(path)` and no `trusted=`: it raises for a pickle and for any type "
        "skops does not trust by default. Turn those exceptions into a ValueError that says what the file is.",
        "Then check the shape (a dict with exactly 'model' and 'metadata'), then that each of the six keys is "
        "there: raise ValueError naming the first missing one.",
        "Last, the consistency of each key: the running sklearn.__version__, `list(model.feature_names_in_)`, "
        "a number in [0, 1] (`isinstance(x, bool)` first: True is an int), two ISO dates in order "
        "(`datetime.date.fromisoformat`), 64 hex digits (`re.fullmatch('[0-9a-fA-F]{64}', h)`), a non-empty "
        "string. Put the key's name in each message.",
    ],
    "predict_one": [
        "Loop over `bundle['metadata']['features']`: a name not in the payload is a ValueError naming it; then "
        "check the value's type and range. `isinstance(True, int)` is True: test for bool first.",
        "Build a one-row DataFrame with the columns in the metadata's order: "
        "`pd.DataFrame([row], columns=features)`. Extra keys of the payload must not reach the model.",
        "`score = float(model.predict_proba(X)[0, 1])`; `decision = score >= threshold` is then a plain bool. "
        "Never `model.predict`: it uses 0.5, not the model's threshold.",
    ],
    "predict_batch": [
        "`model.predict_proba(df[features])[:, 1]`: select the columns in the metadata's order, then score. "
        "Fit nothing: not the model, not a scaler.",
        "`pd.DataFrame({'score': scores, 'decision': scores >= threshold}, index=df.index)`: keep the batch's "
        "index, do not reset it.",
        "Check the columns first: the feature names missing from `df.columns` go into a ValueError's message.",
    ],
    "make_app": [
        "Write `def app(environ, start_response)` inside `make_app` and return it. Route on "
        "`environ['REQUEST_METHOD']` and `environ['PATH_INFO']`: an unknown path is a 404, a known path with "
        "the wrong method a 405.",
        "One helper for every answer: `data = json.dumps(body).encode()`, `start_response('400 Bad Request', "
        "[('Content-Type', 'application/json')])`, `return [data]` (a list of bytes, not bytes).",
        "For POST /predict, put reading, parsing and `predict_one` in one `try` and catch `(ValueError, "
        "TypeError)`: json's errors, a UnicodeDecodeError and your own refusals are all ValueErrors. Read "
        "`environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))`.",
    ],
    "model_card": [
        "Build a list of lines and `'\\n'.join` it: the title `# Model card: <version>`, then the six `## ` "
        "headings in the order of the instructions.",
        "Loop over `metrics.items()` and `data_summary.items()` to write every item in its section; write a "
        "float with `f'{value:.3f}'`, anything else with `str(value)` (the threshold too).",
        "Read every value from `bundle['metadata']`, and write real sentences in Intended use, Limitations and "
        "Ethical considerations: no TODO.",
    ],
}

FEATURES = ["amount", "hour", "channel", "merchant_category"]
NUMERIC = ("amount", "hour")
METADATA_KEYS = ["model_version", "sklearn_version", "features", "threshold", "training_period", "data_hash"]
SECTIONS = ["Model details", "Intended use", "Training data", "Metrics", "Limitations", "Ethical considerations"]


# -- the model the tests deploy ---------------------------------------------------------

def data_hash(df) -> str:
    """The notebook's fingerprint of a table."""
    return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()).hexdigest()


def train_bundle(transactions, features, *, threshold, version, seed=7, n_genuine=4000, C=1.0):
    """A loaded model as load_model returns it, trained on the first 30 days of ``transactions``.

    Returns (bundle, transactions with an ``hour`` column, the 30 days after the training month).
    """
    import sklearn
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    tx = transactions.copy()
    tx["hour"] = tx["timestamp"].dt.hour
    start = tx["timestamp"].min().normalize()
    end = start + pd.Timedelta(days=30)
    month = tx[tx["timestamp"] < end]
    train = pd.concat(
        [month[month["is_fraud"] == 1], month[month["is_fraud"] == 0].sample(n_genuine, random_state=seed)]
    ).sort_index()
    numeric = [f for f in features if f in NUMERIC]
    categorical = [f for f in features if f not in NUMERIC]
    parts = [(StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)]
    if features[0] not in NUMERIC:
        parts.reverse()
    model = make_pipeline(make_column_transformer(*parts), LogisticRegression(C=C, max_iter=1000))
    model.fit(train[features], train["is_fraud"])
    metadata = {
        "model_version": version,
        "threshold": threshold,
        "training_period": [start.date().isoformat(), (end - pd.Timedelta(days=1)).date().isoformat()],
        "data_hash": data_hash(train[features + ["is_fraud"]]),
        "sklearn_version": sklearn.__version__,
        "features": list(features),
    }
    later = tx[(tx["timestamp"] >= end) & (tx["timestamp"] < end + pd.Timedelta(days=30))]
    return {"model": model, "metadata": metadata}, later


# check() loads this file afresh each time: keep the trained model in a module of its own,
# so that it is trained once per kernel (and once per grading process).
_CACHE = sys.modules.setdefault("mlday_07_deployment_cache", types.ModuleType("mlday_07_deployment_cache"))


def _public_setup():
    if not hasattr(_CACHE, "public"):
        from grader.data import load_transactions

        _CACHE.public = train_bundle(load_transactions(), FEATURES, threshold=0.2, version="fraud-lr-2024-05-01")
    return _CACHE.public


@pytest.fixture
def public():
    """(bundle, the public transactions of May) for the notebook's model, trained here."""
    bundle, later = _public_setup()
    return {"model": bundle["model"], "metadata": dict(bundle["metadata"])}, later


def caller_metadata(bundle) -> dict:
    """The keys a caller gives save_model (and one extra key it must keep)."""
    meta = bundle["metadata"]
    return {
        "model_version": meta["model_version"],
        "threshold": meta["threshold"],
        "training_period": list(meta["training_period"]),
        "data_hash": meta["data_hash"],
        "owner": "card-fraud team",
    }


def scores_of(model, df, features) -> np.ndarray:
    return model.predict_proba(df[features])[:, 1]


def payload_of(row, features, *, order=None, extra=None) -> dict:
    """A JSON-like payload (plain Python values) from a transactions row."""
    values = {
        "amount": float(row["amount"]),
        "hour": int(row["hour"]),
        "channel": str(row["channel"]),
        "merchant_category": str(row["merchant_category"]),
    }
    payload = {name: values[name] for name in (order or features)}
    payload.update(extra or {})
    return payload


def score_of_payload(bundle, payload) -> float:
    features = bundle["metadata"]["features"]
    X = pd.DataFrame([{name: payload[name] for name in features}], columns=features)
    return float(bundle["model"].predict_proba(X)[0, 1])


def rows_around_threshold(bundle, later, n_per_band=1) -> pd.DataFrame:
    """Rows whose scores fall below the threshold, between it and 0.5, and above 0.5."""
    from grader import Ungradable

    threshold = bundle["metadata"]["threshold"]
    scores = scores_of(bundle["model"], later, bundle["metadata"]["features"])
    picks = []
    for low, high in ((0.0, threshold * 0.8), (threshold * 1.05, 0.45), (0.55, 1.0)):
        band = later[(scores >= low) & (scores < high)]
        if len(band) < n_per_band:
            raise Ungradable(f"no rows with scores in [{low:.3f}, {high:.3f}) to test with")
        picks.append(band.iloc[np.linspace(0, len(band) - 1, n_per_band).astype(int)])
    return pd.concat(picks)


# -- helpers: refusals, files -----------------------------------------------------------

def _short(value, limit=100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_RAISED = re.compile(r"^\S+ raised (\w+)(?::\s*(.*))?", re.DOTALL)


def expect_refusal(fn, *args, what, name=None, types=("ValueError",), hint=""):
    """Call the learner's ``fn``; it must raise (one of ``types``, when given) naming ``name``."""
    try:
        got = fn(*args)
    except LearnerError as exc:
        match = _RAISED.match(exc.message)
        if not match:
            fail(f"{what} did not refuse the input: {_short(exc.message.splitlines()[0], 300)}", hint)
        kind, text = match.group(1), match.group(2) or ""
        wanted = " or ".join(types) if types else "an exception"
        if types and kind not in types:
            fail(f"{what} raised {kind}: {_short(text, 200)}; expected {wanted}"
                 + (f" naming {name!r}" if name else ""), hint)
        if name and name not in text:
            fail(f"{what} raised {kind}, but its message does not name {name!r}: {_short(text, 200)}", hint)
        return text
    fail(f"{what} returned {_short(got)}; expected it to refuse and raise "
         f"{' or '.join(types) if types else 'an exception'}" + (f" naming {name!r}" if name else ""), hint)


def call_valid(fn, *args, what, hint=""):
    """Call the learner's ``fn`` on a valid input: raising is a wrong answer here."""
    try:
        return fn(*args)
    except LearnerError as exc:
        fail(f"{what} raised on a valid input: {_short(exc.message, 300)}", hint)


def write_file(learner, path, data: bytes):
    learner.write_bytes(path, data)


def skops_bytes(content) -> bytes:
    import skops.io as sio

    return sio.dumps(content)


def read_saved(learner, path, what, hint):
    """The content of the file the learner's save_model wrote, opened here with skops' default trust."""
    import skops.io as sio

    try:
        data = learner.read_bytes(path)
    except LearnerError as exc:
        fail(f"{what} wrote no file at {path!r}: {_short(exc.message, 200)}", hint)
    expect_type(data, bytes, f"the file {path!r}", hint)
    if data[:1] == b"\x80":
        fail(f"{what} wrote a pickle (the file starts with pickle's protocol byte 0x80), not a skops file", hint)
    if not zipfile.is_zipfile(io.BytesIO(data)) or "schema.json" not in zipfile.ZipFile(io.BytesIO(data)).namelist():
        fail(f"{what} wrote a file that is not a skops file (a zip holding schema.json); it starts with "
             f"{data[:16]!r}", hint)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # noqa: BLE001 - a broken file is the learner's
        fail(f"{what} wrote a skops file that skops cannot read: {type(exc).__name__}: {exc}", hint)
    if untrusted:
        fail(f"{what} wrote a file that needs types skops does not trust by default: {untrusted}", hint)
    try:
        return sio.loads(data)
    except Exception as exc:  # noqa: BLE001
        fail(f"{what} wrote a skops file that skops cannot load: {type(exc).__name__}: {exc}", hint)


def check_same_model(got_model, model, X, what, hint):
    """``got_model`` gives ``model``'s scores on ``X``."""
    if not hasattr(got_model, "predict_proba"):
        fail(f"{what} is {_short(got_model)}; expected the fitted estimator", hint)
    got = got_model.predict_proba(X)[:, 1]
    expected = model.predict_proba(X)[:, 1]
    err = float(np.max(np.abs(got - expected)))
    if not err <= 1e-12:
        fail(f"{what} gives other scores than the model that was saved (max abs difference {err:.3g})", hint)


def check_metadata(got, expected, what, hint):
    """Every key of ``expected``, with an equal value and type."""
    expect_type(got, dict, what, hint)
    expect_keys(got, list(expected), what, hint)
    for key, value in expected.items():
        assert_equal(got[key], value, f"{what}[{key!r}]", hint=hint)


# -- save_model ---------------------------------------------------------------------------

SAVE_HINT = (
    "One skops file holding {'model': model, 'metadata': full}, where full is the caller's metadata (every key) "
    "plus 'sklearn_version' = sklearn.__version__ and 'features' = list(model.feature_names_in_)."
)


@pytest.mark.question("save_model", points=1)
def test_save_model_writes_skops_with_metadata(learner, public):
    """One skops file, not a pickle: the model, and the metadata with versions and features."""
    import sklearn

    bundle, later = public
    given = caller_metadata(bundle)
    path = "check07_save_model.skops"
    what = f"save_model(model, {path!r}, metadata)"
    learner.save_model(bundle["model"], path, given)
    content = read_saved(learner, path, what, SAVE_HINT)
    expect_type(content, dict, f"the content of the file {what} wrote", SAVE_HINT)
    expect_keys(content, ["model", "metadata"], f"the content of the file {what} wrote", SAVE_HINT)
    check_same_model(content["model"], bundle["model"], later.head(500)[FEATURES], f"the model in {path!r}", SAVE_HINT)
    expected = dict(given, sklearn_version=sklearn.__version__, features=FEATURES)
    check_metadata(content["metadata"], expected, f"the metadata in {path!r}", SAVE_HINT)


# -- load_model ---------------------------------------------------------------------------

LOAD_HINT = (
    "skops.io.load(path) with no trusted= argument; then check the dict's keys, the six metadata keys, and "
    "each key's consistency; raise ValueError naming the key."
)


def check_loaded(got, bundle, X, what, hint=LOAD_HINT):
    expect_type(got, dict, what, hint)
    expect_keys(got, ["model", "metadata"], what, hint)
    check_same_model(got["model"], bundle["model"], X, f"{what}['model']", hint)
    check_metadata(got["metadata"], bundle["metadata"], f"{what}['metadata']", hint)


@pytest.mark.question("load_model", points=1)
def test_load_model_round_trip(learner, public):
    """A good file comes back: the model, and the metadata exactly as saved."""
    bundle, later = public
    saved = {"model": bundle["model"], "metadata": dict(bundle["metadata"], owner="card-fraud team")}
    path = "check07_good.skops"
    write_file(learner, path, skops_bytes(saved))
    got = learner.load_model(path)
    check_loaded(got, saved, later.head(500)[FEATURES], f"load_model({path!r})")


@pytest.mark.question("load_model", points=1)
def test_load_model_refuses_bad_files(learner, public):
    """Refuses a file without the scikit-learn version, and a pickle."""
    import pickle

    bundle, _ = public
    meta = {k: v for k, v in bundle["metadata"].items() if k != "sklearn_version"}
    path = "check07_no_version.skops"
    write_file(learner, path, skops_bytes({"model": bundle["model"], "metadata": meta}))
    expect_refusal(learner.load_model, path, what=f"load_model({path!r}) on a file whose metadata has no "
                   "'sklearn_version'", name="sklearn_version", hint=LOAD_HINT)
    path = "check07_pickled.skops"
    write_file(learner, path, pickle.dumps({"model": bundle["model"], "metadata": dict(bundle["metadata"])}))
    expect_refusal(learner.load_model, path, what=f"load_model({path!r}) on a pickle file (whatever its name says)",
                   types=(), hint="Opening a pickle runs code. skops.io.load raises for anything that is not a "
                   "skops file: let it, or turn its exception into a ValueError.")


# -- predict_one --------------------------------------------------------------------------

PREDICT_HINT = (
    "Return {'score': float(proba), 'decision': score >= threshold, 'model_version': version}: plain Python "
    "float, bool and str, with the threshold and version from bundle['metadata']."
)
FIELD_HINT = (
    "Check each feature of bundle['metadata']['features'] before scoring: missing → ValueError naming it; "
    "wrong type or out of range → ValueError (or TypeError) naming it. A KeyError is not a clear error."
)


def check_prediction(got, bundle, payload, what, hint=PREDICT_HINT):
    """``got`` is predict_one's answer for ``payload``: plain types, the model's score, the decision."""
    meta = bundle["metadata"]
    expect_type(got, dict, what, hint)
    expect_keys(got, ["score", "decision", "model_version"], what, hint)
    for key, kind in (("score", float), ("decision", bool), ("model_version", str)):
        if type(got[key]) is not kind:
            fail(f"{what}[{key!r}] is {_short(got[key])} of type {type(got[key]).__module__}."
                 f"{type(got[key]).__name__}; expected a plain Python {kind.__name__} (json.dumps must accept it)",
                 hint)
    try:
        json.dumps(got, allow_nan=False)
    except (TypeError, ValueError) as exc:
        fail(f"{what} cannot be encoded as JSON: {exc}", hint)
    expected = score_of_payload(bundle, payload)
    assert_close(got["score"], expected, f"{what}['score']", rtol=0, atol=1e-9, hint=hint)
    decision = expected >= meta["threshold"]
    if got["decision"] is not decision:
        fail(f"{what}['decision'] is {got['decision']}; expected {decision} (score {expected:.4f}, threshold "
             f"{meta['threshold']}: an alert when score >= threshold)", hint)
    assert_equal(got["model_version"], meta["model_version"], f"{what}['model_version']", hint=hint)


@pytest.mark.question("predict_one", points=1)
def test_predict_one_scores_a_payment(learner, public):
    """Scores below, between and above threshold and 0.5: plain JSON types, the model's score, the decision."""
    bundle, later = public
    for _, row in rows_around_threshold(bundle, later).iterrows():
        payload = payload_of(row, FEATURES)
        got = learner.predict_one(bundle, payload)
        check_prediction(got, bundle, payload, f"predict_one(bundle, {payload})")


@pytest.mark.question("predict_one", points=1)
def test_predict_one_names_the_bad_field(learner, public):
    """A missing field, and a number sent as text: an error that names the field."""
    bundle, later = public
    payload = payload_of(later.iloc[0], FEATURES)
    missing = {k: v for k, v in payload.items() if k != "amount"}
    expect_refusal(learner.predict_one, bundle, missing, what=f"predict_one(bundle, {missing})", name="amount",
                   hint=FIELD_HINT)
    as_text = dict(payload, amount="12.50")
    expect_refusal(learner.predict_one, bundle, as_text, what=f"predict_one(bundle, {as_text})", name="amount",
                   types=("ValueError", "TypeError"), hint=FIELD_HINT)


# -- predict_batch ------------------------------------------------------------------------

BATCH_HINT = (
    "predict_proba on df[features] (the metadata's order), fitted on nothing new; a DataFrame with the columns "
    "score, decision and df's own index."
)


def check_batch(got, bundle, df, what, hint=BATCH_HINT):
    meta = bundle["metadata"]
    scores = scores_of(bundle["model"], df, meta["features"])
    expected = pd.DataFrame({"score": scores, "decision": scores >= meta["threshold"]}, index=df.index)
    expect_type(got, pd.DataFrame, what, hint)
    if "decision" in got.columns and not pd.api.types.is_bool_dtype(got["decision"]):
        fail(f"{what}: column 'decision' has dtype {got['decision'].dtype}; expected bool", hint)
    assert_frame_close(got, expected, what, rtol=0, atol=1e-9, hint=hint)


def batch_of(later, n, seed):
    """``n`` rows with extra columns, the columns shuffled, indexed by transaction_id."""
    rows = later.sample(n, random_state=seed).set_index("transaction_id")
    columns = list(rows.columns)
    np.random.default_rng(seed).shuffle(columns)
    return rows[columns]


@pytest.mark.question("predict_batch", points=1)
def test_predict_batch_matches_single_rows(learner, public):
    """300 rows, columns shuffled, an index of transaction ids: the same scores as one at a time."""
    bundle, later = public
    df = batch_of(later, 300, seed=1)
    got = call_valid(learner.predict_batch, bundle, df, what="predict_batch(bundle, df)", hint=BATCH_HINT)
    check_batch(got, bundle, df, "predict_batch(bundle, 300 rows indexed by transaction_id)")


# -- make_app -----------------------------------------------------------------------------

APP_HINT = (
    "Every answer: start_response('<code> <reason>', [('Content-Type', 'application/json')]) and return "
    "[json.dumps(body).encode()]. Catch (ValueError, TypeError) around reading, parsing and predict_one: a 400."
)


def expect_attempted(learner, bundle):
    """Call make_app itself once: its stub is "not attempted" (serve would report its own name).

    The app it returns is a function or an object of the learner's, which stays in the
    worker; only the refusal to send it here comes back, and it is not a failure.
    """
    try:
        learner.make_app(bundle)
    except LearnerError:
        pass


def request(learner, bundle, method, path, body=b"", *, what, hint=APP_HINT):
    """One request through the notebook's ``serve``: (code, headers dict, body bytes)."""
    got = learner.serve(bundle, method, path, body)
    if not (isinstance(got, tuple) and len(got) == 3):
        fail(f"serve(...) returned {_short(got)}; the tools cell's serve returns (status, headers, body): run "
             "that cell again, unchanged", hint)
    status, headers, data = got
    if not isinstance(status, str) or not re.match(r"^[1-5]\d\d ", status):
        fail(f"{what}: the status is {_short(status)}; expected a line like '200 OK'", hint)
    if not isinstance(data, bytes) or not isinstance(headers, (list, tuple)):
        fail(f"{what}: serve(...) returned headers {_short(headers)} and body {_short(data)}; run the tools "
             "cell again, unchanged", hint)
    names = {}
    for item in headers:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            names[item[0].lower()] = item[1]
    return int(status[:3]), status, names, data


def expect_response(response, code, what, hint=APP_HINT):
    """The response has status ``code``, a JSON content type and a JSON object body; return that object."""
    got_code, status, headers, data = response
    if got_code != code:
        body = data[:300].decode("utf-8", errors="replace")
        fail(f"{what}: expected the status {code}, got {status!r} with the body {body!r}", hint)
    content_type = headers.get("content-type", "")
    if not (isinstance(content_type, str) and content_type.startswith("application/json")):
        fail(f"{what}: expected the header Content-Type: application/json, got {_short(content_type or None)}", hint)
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        fail(f"{what}: the body is not JSON in UTF-8: {data[:200]!r}", hint)
    expect_type(body, dict, f"{what}: the JSON body", hint)
    return body


def expect_error(response, code, what, name=None, hint=APP_HINT):
    body = expect_response(response, code, what, hint)
    expect_keys(body, ["error"], f"{what}: the JSON body", hint)
    expect_type(body["error"], str, f"{what}: the body's 'error'", hint)
    if name and name not in body["error"]:
        fail(f"{what}: the error {body['error']!r} does not name the field {name!r}", hint)


def check_predict_response(response, bundle, payload, what, hint=APP_HINT):
    body = expect_response(response, 200, what, hint)
    check_prediction(body, bundle, payload, f"{what}: the JSON body", hint)


@pytest.mark.question("make_app", points=1)
def test_make_app_health_and_predict(learner, public):
    """GET /health and POST /predict answer 200 with JSON."""
    bundle, later = public
    expect_attempted(learner, bundle)
    what = "GET /health"
    body = expect_response(request(learner, bundle, "GET", "/health", what=what), 200, what)
    expect_keys(body, ["status", "model_version"], f"{what}: the JSON body", APP_HINT)
    assert_equal(body["status"], "ok", f"{what}: the body's 'status'", hint=APP_HINT)
    assert_equal(body["model_version"], bundle["metadata"]["model_version"], f"{what}: the body's 'model_version'",
                 hint=APP_HINT)
    for _, row in rows_around_threshold(bundle, later).iterrows():
        payload = payload_of(row, FEATURES)
        what = f"POST /predict {json.dumps(payload)}"
        response = request(learner, bundle, "POST", "/predict", json.dumps(payload).encode(), what=what)
        check_predict_response(response, bundle, payload, what)


@pytest.mark.question("make_app", points=1)
def test_make_app_bad_request_is_400(learner, public):
    """A missing field and a body that is not JSON: 400 with a JSON error, not a 500."""
    bundle, later = public
    expect_attempted(learner, bundle)
    payload = payload_of(later.iloc[0], FEATURES)
    del payload["hour"]
    what = f"POST /predict {json.dumps(payload)}"
    expect_error(request(learner, bundle, "POST", "/predict", json.dumps(payload).encode(), what=what), 400, what,
                 name="hour")
    what = "POST /predict with the body b'{\"amount\": 12'"
    expect_error(request(learner, bundle, "POST", "/predict", b'{"amount": 12', what=what), 400, what)


# -- model_card ---------------------------------------------------------------------------

CARD_HINT = (
    "The title '# Model card: <version>', the six '## ' headings in order, every metric and data_summary item "
    "in its section (floats as f'{v:.3f}', the rest str(v)), values from bundle['metadata'], no TODO."
)
PLACEHOLDERS = re.compile(r"\b(TODO|TBD|FIXME)\b", re.IGNORECASE)


def fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def card_sections(card: str) -> tuple[list[str], dict[str, str]]:
    """The level-2 headings in order, and each one's text (up to the next level-1 or level-2 heading)."""
    order, texts, current = [], {}, None
    for line in card.splitlines():
        heading = re.match(r"^##\s+(.*?)\s*#*\s*$", line)
        if heading:
            current = heading.group(1)
            order.append(current)
            texts[current] = ""
        elif re.match(r"^#\s", line):
            current = None
        elif current is not None:
            texts[current] += line + "\n"
    return order, texts


def check_card(card, bundle, metrics, data_summary, what, hint=CARD_HINT):
    meta = bundle["metadata"]
    expect_type(card, str, what, hint)
    placeholder = PLACEHOLDERS.search(card)
    if placeholder:
        fail(f"{what} still holds the placeholder {placeholder.group(0)!r}", hint)
    lines = [line.rstrip() for line in card.strip().splitlines()]
    title = f"# Model card: {meta['model_version']}"
    if not lines or lines[0] != title:
        fail(f"{what}: expected the first line {title!r}, got {_short(lines[0] if lines else '')}", hint)
    order, texts = card_sections(card)
    missing = [s for s in SECTIONS if s not in order]
    if missing:
        fail(f"{what}: no '## ' heading for {missing}; the level-2 headings are {order}", hint)
    if [s for s in order if s in SECTIONS] != SECTIONS:
        fail(f"{what}: expected the sections in the order {SECTIONS}, got {order}", hint)

    def expect_in(section, text, label):
        # a whole value: 0.165 is not found in 0.16503
        if not re.search(r"(?<![0-9A-Za-z_.])" + re.escape(text) + r"(?![0-9A-Za-z_])", texts[section]):
            fail(f"{what}: the section '{section}' does not show {label} as {text!r}", hint)

    expect_in("Model details", str(meta["model_version"]), "the model version")
    expect_in("Model details", str(meta["sklearn_version"]), "the scikit-learn version")
    expect_in("Model details", fmt(float(meta["threshold"])), "the threshold")
    for name in meta["features"]:
        expect_in("Model details", name, "every feature")
    for day in meta["training_period"]:
        expect_in("Training data", day, "the training period")
    expect_in("Training data", meta["data_hash"], "the data hash")
    for name, value in data_summary.items():
        expect_in("Training data", str(name), f"the data_summary item {name!r}")
        expect_in("Training data", fmt(value), f"the value of {name!r} (floats with 3 decimals)")
    for name, value in metrics.items():
        expect_in("Metrics", str(name), f"the metric {name!r}")
        expect_in("Metrics", fmt(value), f"the value of {name!r} (floats with 3 decimals)")
    for section in ("Intended use", "Limitations", "Ethical considerations"):
        words = re.findall(r"[A-Za-z]{2,}", texts[section])
        if len(words) < 5:
            fail(f"{what}: the section '{section}' has {len(words)} words; expected sentences of at least 5 "
                 "words", hint)


@pytest.mark.question("model_card", points=1)
def test_model_card_sections_and_values(learner, public):
    """The title, the six sections in order, the values where they belong, no placeholder."""
    bundle, _ = public
    metrics = {"average_precision": 0.16503, "recall": 0.18182, "alert_rate": 0.0081,
               "evaluated_on": "2024-05-01 to 2024-05-10"}
    data_summary = {"rows": 4160, "frauds": 160, "fraud_share": 0.03846}
    card = learner.model_card(bundle, metrics, data_summary)
    check_card(card, bundle, metrics, data_summary, "model_card(bundle, metrics, data_summary)")
