"""Common mistakes of exercise 07, shipping the model, and the tests that catch them."""

from grader.catalogue import Mistake

MISTAKES = [
    Mistake(
        name="save_model",
        title="pickle instead of a safe format",
        test="test_save_model_writes_skops_with_metadata",
        message="wrote a pickle",
        code='''
import pickle

import sklearn


def save_model(model, path, metadata):
    """Write the model and its completed metadata to `path`, as one skops file."""
    full = dict(metadata, sklearn_version=sklearn.__version__, features=list(map(str, model.feature_names_in_)))
    with open(path, "wb") as f:
        pickle.dump({"model": model, "metadata": full}, f)
''',
    ),
    Mistake(
        name="save_model",
        title="no versions in the metadata: the caller's dict saved as given",
        test="test_save_model_writes_skops_with_metadata",
        message="missing ['sklearn_version', 'features']",
        code='''
import skops.io as sio


def save_model(model, path, metadata):
    """Write the model and its completed metadata to `path`, as one skops file."""
    sio.dump({"model": model, "metadata": dict(metadata)}, path)
''',
    ),
    Mistake(
        name="save_model",
        title="features from the notebook's list, not from the model",
        test="test_save_model_records_the_models_features",
        message="['features']",
        code='''
import sklearn
import skops.io as sio


def save_model(model, path, metadata):
    """Write the model and its completed metadata to `path`, as one skops file."""
    full = dict(metadata, sklearn_version=sklearn.__version__, features=["amount", "hour", "channel", "merchant_category"])
    sio.dump({"model": model, "metadata": full}, path)
''',
    ),
    Mistake(
        name="load_model",
        title="loads without checking the metadata",
        test="test_load_model_refuses_bad_files",
        message="expected it to refuse",
        code='''
import skops.io as sio


def load_model(path):
    """The saved {"model": ..., "metadata": ...}, after checking it; ValueError if it is not fit to serve."""
    return sio.load(path)
''',
    ),
    Mistake(
        name="load_model",
        title="trusts every type the file asks for",
        test="test_load_model_refuses_unsafe_files",
        message="untrusted type functools.partial",
        code='''
import sklearn
import skops.io as sio

REQUIRED = ["model_version", "sklearn_version", "features", "threshold", "training_period", "data_hash"]


def load_model(path):
    """The saved {"model": ..., "metadata": ...}, after checking it; ValueError if it is not fit to serve."""
    content = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    meta = content["metadata"]
    for key in REQUIRED:
        if key not in meta:
            raise ValueError(f"the metadata lacks {key!r}")
    if meta["sklearn_version"] != sklearn.__version__:
        raise ValueError(f"metadata['sklearn_version'] is {meta['sklearn_version']}, running {sklearn.__version__}")
    if meta["features"] != list(content["model"].feature_names_in_):
        raise ValueError("metadata['features'] differs from the model's")
    t = meta["threshold"]
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 1:
        raise ValueError("metadata['threshold'] must be a number in [0, 1]")
    start, end = meta["training_period"] if len(meta["training_period"]) == 2 else (None, None)
    if not (isinstance(start, str) and isinstance(end, str) and len(start) == len(end) == 10 and start <= end):
        raise ValueError("bad metadata['training_period']")
    import datetime
    try:
        datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    except ValueError:
        raise ValueError("bad metadata['training_period']") from None
    h = meta["data_hash"]
    if not (isinstance(h, str) and len(h) == 64 and all(c in "0123456789abcdefABCDEF" for c in h)):
        raise ValueError("bad metadata['data_hash']")
    if not isinstance(meta["model_version"], str) or not meta["model_version"]:
        raise ValueError("bad metadata['model_version']")
    return {"model": content["model"], "metadata": meta}
''',
    ),
    Mistake(
        name="load_model",
        title="checks the keys are there, not that they fit the model and the environment",
        test="test_load_model_refuses_inconsistent_metadata",
        message="metadata['sklearn_version'] is '1.3.2'",
        code='''
import skops.io as sio

REQUIRED = ["model_version", "sklearn_version", "features", "threshold", "training_period", "data_hash"]


def load_model(path):
    """The saved {"model": ..., "metadata": ...}, after checking it; ValueError if it is not fit to serve."""
    try:
        content = sio.load(path)
    except Exception as exc:
        raise ValueError(f"{path} is not a safe skops file: {exc}") from None
    if not isinstance(content, dict) or set(content) != {"model", "metadata"} or not isinstance(content["metadata"], dict):
        raise ValueError(f"{path} does not hold a model and its metadata")
    for key in REQUIRED:
        if key not in content["metadata"]:
            raise ValueError(f"the metadata lacks {key!r}")
    return content
''',
    ),
    Mistake(
        name="predict_one",
        title="numpy types in the response, which JSON cannot encode",
        test="test_predict_one_scores_a_payment",
        message="numpy.float64; expected a plain Python float",
        code='''
import pandas as pd


def predict_one(bundle, payload):
    """Validate one payment's fields and score it: {"score": float, "decision": bool, "model_version": str}."""
    meta = bundle["metadata"]
    for name in meta["features"]:
        if name not in payload:
            raise ValueError(f"missing field {name!r}")
    X = pd.DataFrame([{name: payload[name] for name in meta["features"]}])
    score = bundle["model"].predict_proba(X)[:, 1][0]
    return {"score": score, "decision": score >= meta["threshold"], "model_version": meta["model_version"]}
''',
    ),
    Mistake(
        name="predict_one",
        title="no validation: a missing field is a KeyError",
        test="test_predict_one_names_the_bad_field",
        message="raised KeyError",
        code='''
import pandas as pd


def predict_one(bundle, payload):
    """Validate one payment's fields and score it: {"score": float, "decision": bool, "model_version": str}."""
    meta = bundle["metadata"]
    X = pd.DataFrame([{name: payload[name] for name in meta["features"]}])
    score = float(bundle["model"].predict_proba(X)[0, 1])
    return {"score": score, "decision": score >= meta["threshold"], "model_version": meta["model_version"]}
''',
    ),
    Mistake(
        name="predict_one",
        title="decision from model.predict, which uses 0.5 and not the model's threshold",
        test="test_predict_one_scores_a_payment",
        message="['decision'] is False; expected True",
        code='''
import pandas as pd


def predict_one(bundle, payload):
    """Validate one payment's fields and score it: {"score": float, "decision": bool, "model_version": str}."""
    meta = bundle["metadata"]
    for name in meta["features"]:
        if name not in payload:
            raise ValueError(f"missing field {name!r}")
        if name == "amount" and (isinstance(payload[name], bool) or not isinstance(payload[name], (int, float))):
            raise TypeError("field 'amount' must be a number")
    X = pd.DataFrame([{name: payload[name] for name in meta["features"]}])
    score = float(bundle["model"].predict_proba(X)[0, 1])
    decision = bool(bundle["model"].predict(X)[0])
    return {"score": score, "decision": decision, "model_version": meta["model_version"]}
''',
    ),
    Mistake(
        name="predict_one",
        title="True accepted as an amount (bool is a subclass of int)",
        test="test_predict_one_rejects_bad_fields",
        message="'amount': True",
        code='''
import math

import pandas as pd


def predict_one(bundle, payload):
    """Validate one payment's fields and score it: {"score": float, "decision": bool, "model_version": str}."""
    if not isinstance(payload, dict):
        raise ValueError("the payload must be a JSON object")
    meta = bundle["metadata"]
    for name in meta["features"]:
        if name not in payload:
            raise ValueError(f"missing field {name!r}")
    v = payload["amount"]
    if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise ValueError("field 'amount' must be a finite number >= 0")
    h = payload["hour"]
    if not isinstance(h, int) or not 0 <= h <= 23:
        raise ValueError("field 'hour' must be an integer from 0 to 23")
    for name in ("channel", "merchant_category"):
        if not isinstance(payload[name], str):
            raise ValueError(f"field {name!r} must be a string")
    X = pd.DataFrame([{name: payload[name] for name in meta["features"]}])
    score = float(bundle["model"].predict_proba(X)[0, 1])
    return {"score": score, "decision": score >= meta["threshold"], "model_version": meta["model_version"]}
''',
    ),
    Mistake(
        name="predict_batch",
        title="refits the preprocessing on the batch at serving time",
        test="test_predict_batch_matches_single_rows",
        message="column 'score'",
        code='''
import pandas as pd
from sklearn.base import clone


def predict_batch(bundle, df):
    """Scores and decisions for every row of `df`, indexed like `df`."""
    meta, model = bundle["metadata"], bundle["model"]
    X = df[meta["features"]]
    preprocess = clone(model[:-1]).fit(X)
    scores = model[-1].predict_proba(preprocess.transform(X))[:, 1]
    return pd.DataFrame({"score": scores, "decision": scores >= meta["threshold"]}, index=df.index)
''',
    ),
    Mistake(
        name="predict_batch",
        title="loses the batch's index, so joining the scores back misaligns them",
        test="test_predict_batch_matches_single_rows",
        message="expected the index named ['transaction_id']",
        code='''
import pandas as pd


def predict_batch(bundle, df):
    """Scores and decisions for every row of `df`, indexed like `df`."""
    meta = bundle["metadata"]
    scores = bundle["model"].predict_proba(df[meta["features"]])[:, 1]
    return pd.DataFrame({"score": scores, "decision": scores >= meta["threshold"]})
''',
    ),
    Mistake(
        name="make_app",
        title="catches only JSON errors: a missing field is a 500",
        test="test_make_app_bad_request_is_400",
        message="got '500 Internal Server Error'",
        code='''
import json


def make_app(bundle):
    """A WSGI application serving `bundle`: POST /predict and GET /health."""

    def respond(start_response, status, body):
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/health":
            return respond(start_response, "200 OK", {"status": "ok", "model_version": bundle["metadata"]["model_version"]})
        if path == "/predict":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            try:
                payload = json.loads(environ["wsgi.input"].read(length))
            except json.JSONDecodeError as exc:
                return respond(start_response, "400 Bad Request", {"error": str(exc)})
            return respond(start_response, "200 OK", predict_one(bundle, payload))
        return respond(start_response, "404 Not Found", {"error": "no such path"})

    return app
''',
    ),
    Mistake(
        name="make_app",
        title="returns the body as bytes, not as an iterable of bytes",
        test="test_make_app_health_and_predict",
        message="500 Internal Server Error",
        code='''
import json


def make_app(bundle):
    """A WSGI application serving `bundle`: POST /predict and GET /health."""

    def app(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        code, body = 404, {"error": "no such path"}
        if path == "/health" and method == "GET":
            code, body = 200, {"status": "ok", "model_version": bundle["metadata"]["model_version"]}
        elif path == "/predict" and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                code, body = 200, predict_one(bundle, json.loads(environ["wsgi.input"].read(length)))
            except (ValueError, TypeError) as exc:
                code, body = 400, {"error": str(exc)}
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[code]
        start_response(f"{code} {reason}", [("Content-Type", "application/json")])
        return json.dumps(body).encode()

    return app
''',
    ),
    Mistake(
        name="make_app",
        title="every path goes to the model: no 404, no 405",
        test="test_make_app_routes",
        message="expected the status 404",
        code='''
import json


def make_app(bundle):
    """A WSGI application serving `bundle`: POST /predict and GET /health."""

    def respond(start_response, status, body):
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/health":
            return respond(start_response, "200 OK", {"status": "ok", "model_version": bundle["metadata"]["model_version"]})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            result = predict_one(bundle, json.loads(environ["wsgi.input"].read(length)))
        except (ValueError, TypeError) as exc:
            return respond(start_response, "400 Bad Request", {"error": str(exc)})
        return respond(start_response, "200 OK", result)

    return app
''',
    ),
    Mistake(
        name="model_card",
        title="a placeholder left in the card",
        test="test_model_card_sections_and_values",
        message="placeholder 'TODO'",
        code='''
def model_card(bundle, metrics, data_summary):
    """The model card of `bundle`, in Markdown."""
    meta = bundle["metadata"]
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)
    lines = [f"# Model card: {meta['model_version']}", "", "## Model details", "",
             f"Version {meta['model_version']}, a logistic regression, scikit-learn {meta['sklearn_version']}.",
             f"Features: {', '.join(meta['features'])}. Threshold: {fmt(float(meta['threshold']))}.", "",
             "## Intended use", "", "Flags card payments for review by the fraud analysts.", "",
             "## Training data", "", f"From {meta['training_period'][0]} to {meta['training_period'][1]}, "
             f"hash {meta['data_hash']}."]
    lines += [f"- {k}: {fmt(v)}" for k, v in data_summary.items()]
    lines += ["", "## Metrics", ""] + [f"- {k}: {fmt(v)}" for k, v in metrics.items()]
    lines += ["", "## Limitations", "", "TODO: ask the team what the model cannot do.", "",
              "## Ethical considerations", "", "False alerts delay genuine customers' payments."]
    return "\\n".join(lines)
''',
    ),
    Mistake(
        name="model_card",
        title="the notebook's model written into the card, not the bundle's",
        test="test_model_card_reads_the_bundle",
        message="the model version",
        code='''
def model_card(bundle, metrics, data_summary):
    """The model card of `bundle`, in Markdown."""
    meta = bundle["metadata"]
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)
    lines = ["# Model card: " + meta["model_version"], "", "## Model details", "",
             "Version fraud-lr-2024-05-01, a logistic regression, scikit-learn " + meta["sklearn_version"] + ".",
             "Features: amount, hour, channel, merchant_category. Threshold: 0.200.", "",
             "## Intended use", "", "Flags card payments for review by the fraud analysts.", "",
             "## Training data", "", "From 2024-04-01 to 2024-04-30, hash " + meta["data_hash"] + "."]
    lines += [f"- {k}: {fmt(v)}" for k, v in data_summary.items()]
    lines += ["", "## Metrics", ""] + [f"- {k}: {fmt(v)}" for k, v in metrics.items()]
    lines += ["", "## Limitations", "", "It sees only four fields of a payment, and no history.", "",
              "## Ethical considerations", "", "False alerts delay genuine customers' payments."]
    return "\\n".join(lines)
''',
    ),
]
