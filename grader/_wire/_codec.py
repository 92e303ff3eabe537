"""Encode values as a JSON tree plus binary blobs, and decode them strictly.

The encoder runs on either side of the trust boundary. The decoder runs in the
trusted process and only ever builds plain built-in types, numpy arrays, pandas
objects and scikit-learn estimators of trusted types: an object with a patched
``__eq__`` cannot survive the trip.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
import io
import math
import sys

MAX_DEPTH = 64


@dataclass(frozen=True)
class Handle:
    """A reference to an object that stays in the worker (an instance of a learner's class)."""

    id: int
    type_name: str


class WireError(Exception):
    """Bytes on the wire that do not decode to an accepted value."""


class Unencodable(TypeError):
    """A value of a type that cannot cross the trust boundary."""

    def __init__(self, type_name: str, detail: str = ""):
        self.type_name = type_name
        self.detail = detail
        super().__init__(f"an object of type {type_name}" + (f" ({detail})" if detail else ""))


def encode(value, handles=None) -> tuple[object, list[bytes]]:
    """Return the JSON-able tree for ``value`` and the blobs it refers to.

    ``handles`` (in the worker) may register an otherwise unencodable object and
    return a :class:`Handle` that stands for it.
    """
    blobs: list[bytes] = []
    return _encode(value, blobs, 0, handles), blobs


def decode(tree, blobs: list[bytes], handles=None):
    """Rebuild a value from :func:`encode`'s output; raise WireError if malformed.

    A handle decodes to a :class:`Handle`, or through ``handles.resolve`` (in the
    worker) to the object it stands for.
    """
    try:
        return _decode(tree, blobs, 0, handles)
    except WireError:
        raise
    except Exception as exc:  # malformed npy/arrow/skops bytes
        raise WireError(f"malformed data: {type(exc).__name__}: {exc}") from None


def type_name(value) -> str:
    """The qualified name of ``value``'s type, as messages show it."""
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _blob(blobs: list[bytes], data: bytes) -> int:
    blobs.append(data)
    return len(blobs) - 1


def _encode(v, blobs, depth, handles=None):
    if depth > MAX_DEPTH:
        raise Unencodable(type_name(v), f"nested more than {MAX_DEPTH} levels deep")
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        if t is int and abs(v) >= 2**63:
            try:
                return {"$bigint": str(v)}
            except ValueError:  # more digits than Python will print
                raise Unencodable("int", "too many digits") from None
        return v
    if t is float:
        return v if math.isfinite(v) else {"$float": repr(v)}
    if t is list:
        return [_encode(x, blobs, depth + 1, handles) for x in v]
    if t is tuple:
        return {"$tuple": [_encode(x, blobs, depth + 1, handles) for x in v]}
    if t is dict:
        if all(type(k) is str and not k.startswith("$") for k in v):
            return {k: _encode(x, blobs, depth + 1, handles) for k, x in v.items()}
        return {"$dict": [[_encode(k, blobs, depth + 1, handles), _encode(x, blobs, depth + 1, handles)] for k, x in v.items()]}
    if t is bytes:
        return {"$bytes": _blob(blobs, v)}
    if t is _dt.datetime:
        return {"$datetime": v.isoformat()}
    if t is _dt.date:
        return {"$date": v.isoformat()}
    np = sys.modules.get("numpy")
    if np is not None:
        if t is np.ndarray or isinstance(v, np.generic) and t.__module__ == "numpy":
            if v.dtype.hasobject:
                # sklearn's get_feature_names_out returns object arrays of str: carry those.
                strings = _string_column(v) if t is np.ndarray else None
                if strings is None:
                    raise Unencodable(type_name(v), "an array of Python objects")
                return {"$strarray": _blob(blobs, strings), "shape": list(v.shape)}
            buf = io.BytesIO()
            np.save(buf, np.asarray(v), allow_pickle=False)
            tag = "$ndarray" if t is np.ndarray else "$np"
            return {tag: _blob(blobs, buf.getvalue())}
    pd = sys.modules.get("pandas")
    if pd is not None:
        if v is pd.NA:
            return {"$na": True}
        if v is pd.NaT:
            return {"$nat": True}
        if t is pd.Timestamp:
            return {"$timestamp": v.isoformat(), "tz": str(v.tz) if v.tz is not None else None}
        if t is pd.Timedelta:
            return {"$timedelta": v.value}
        if t is pd.DataFrame:
            return {"$frame": _blob(blobs, _frame_bytes(v))}
        if t is pd.Series:
            frame = v.to_frame(name="__value__")
            return {"$series": _blob(blobs, _frame_bytes(frame)), "name": _encode(v.name, blobs, depth + 1, handles)}
    if t is Handle:
        return {"$handle": v.id, "type": v.type_name}
    if handles is not None:
        handle = handles.register(v)
        if handle is not None:
            return {"$handle": handle.id, "type": handle.type_name}
    if _is_estimator(v):
        return {"$estimator": _blob(blobs, _estimator_bytes(v))}
    raise Unencodable(type_name(v))


def _frame_bytes(df) -> bytes:
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(df)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise Unencodable("pandas.DataFrame", f"a column cannot be converted: {exc}") from None
    return _stream_bytes(table)


def _stream_bytes(table) -> bytes:
    import pyarrow as pa

    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _string_column(v) -> bytes | None:
    """An object array whose every element is a str, as a one-column Arrow stream; None
    for anything else. A million strings take a tenth of a second this way; as a JSON
    list, twice that to write and as much again to read."""
    import pyarrow as pa

    flat = v.reshape(-1)
    if not all(type(x) is str for x in flat):
        return None
    return _stream_bytes(pa.table({"str": pa.array(flat, type=pa.string())}))


def _is_estimator(v) -> bool:
    base = sys.modules.get("sklearn.base")
    return base is not None and isinstance(v, base.BaseEstimator)


def _estimator_bytes(v) -> bytes:
    import skops.io

    try:
        return skops.io.dumps(v)
    except Exception as exc:
        raise Unencodable(type_name(v), f"skops cannot save it: {exc}") from None


def _decode(v, blobs, depth, handles=None):
    if depth > MAX_DEPTH:
        raise WireError(f"data nested more than {MAX_DEPTH} levels deep")
    t = type(v)
    if v is None or t in (bool, int, str, float):
        return v
    if t is list:
        return [_decode(x, blobs, depth + 1, handles) for x in v]
    if t is not dict:
        raise WireError(f"unexpected JSON type {t.__name__}")
    tags = [k for k in v if k.startswith("$")]
    if not tags:
        return {k: _decode(x, blobs, depth + 1, handles) for k, x in v.items()}
    if len(tags) != 1:
        raise WireError(f"ambiguous tags {tags}")
    tag = tags[0]
    arg = v[tag]
    if tag == "$handle":
        if type(arg) is not int or type(v.get("type")) is not str:
            raise WireError("bad handle")
        handle = Handle(arg, v["type"])
        return handles.resolve(handle) if handles is not None else handle
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise WireError(f"unknown tag {tag!r}")
    return decoder(arg, v, blobs, depth, handles)


def _get_blob(blobs, i) -> bytes:
    if type(i) is not int or not 0 <= i < len(blobs):
        raise WireError(f"reference to a missing blob {i!r}")
    return blobs[i]


def _dec_strarray(arg, v, blobs, depth, handles=None):
    import math as _math

    import pyarrow as pa

    shape = v.get("shape")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("bad string array shape")
    if type(arg) is not int:
        raise WireError("bad string array")
    table = _dec_table(_get_blob(blobs, arg))
    if table.num_columns != 1 or table.column(0).type != pa.string() or table.column(0).null_count:
        raise WireError("bad string array: expected one column of strings, without nulls")
    if _math.prod(shape) != table.num_rows:
        raise WireError("bad string array shape")
    return table.column(0).to_numpy().reshape(shape)


def _dec_float(arg, v, blobs, depth, handles=None):
    if arg not in ("nan", "inf", "-inf"):
        raise WireError(f"bad float {arg!r}")
    return float(arg)


def _dec_dict(arg, v, blobs, depth, handles=None):
    out = {}
    for pair in arg:
        if type(pair) is not list or len(pair) != 2:
            raise WireError("bad dict entry")
        key = _decode(pair[0], blobs, depth + 1, handles)
        try:
            hash(key)
        except TypeError:
            raise WireError(f"unhashable dict key of type {type(key).__name__}") from None
        out[key] = _decode(pair[1], blobs, depth + 1, handles)
    return out


def _dec_npy(arg, v, blobs, depth, handles=None):
    import numpy as np

    arr = np.load(io.BytesIO(_get_blob(blobs, arg)), allow_pickle=False)
    return arr[()] if v.get("$np") is not None else arr


def _dec_table(data: bytes):
    import pyarrow as pa

    from ._arrow_bounds import check_stream

    check_stream(data)
    with pa.ipc.open_stream(pa.BufferReader(data)) as reader:
        table = reader.read_all()
    table.validate(full=True)
    return table


def _dec_frame_bytes(data: bytes):
    return _dec_table(data).to_pandas()


def _dec_frame(arg, v, blobs, depth, handles=None):
    return _dec_frame_bytes(_get_blob(blobs, arg))


def _dec_series(arg, v, blobs, depth, handles=None):
    frame = _dec_frame_bytes(_get_blob(blobs, arg))
    if list(frame.columns) != ["__value__"]:
        raise WireError("a series frame must have exactly one value column")
    series = frame["__value__"]
    series.name = _decode(v.get("name"), blobs, depth + 1, handles)
    return series


def _dec_estimator(arg, v, blobs, depth, handles=None):
    from ._estimators import load_trusted

    return load_trusted(_get_blob(blobs, arg))


def _dec_timestamp(arg, v, blobs, depth, handles=None):
    import pandas as pd

    if type(arg) is not str or type(v.get("tz")) not in (str, type(None)):
        raise WireError("bad timestamp")
    stamp = pd.Timestamp(arg)
    return stamp.tz_convert(v["tz"]) if v.get("tz") else stamp


def _dec_str(kind):
    def dec(arg, v, blobs, depth, handles=None):
        if type(arg) is not str:
            raise WireError(f"bad {kind}")

        return {
            "datetime": _dt.datetime.fromisoformat,
            "date": _dt.date.fromisoformat,
            "bigint": int,
        }[kind](arg)

    return dec


def _dec_timedelta(arg, v, blobs, depth, handles=None):
    import pandas as pd

    if type(arg) is not int:
        raise WireError("bad timedelta")
    return pd.Timedelta(arg, unit="ns")


def _dec_na(arg, v, blobs, depth, handles=None):
    import pandas as pd

    return pd.NA if "$na" in v else pd.NaT


_DECODERS = {
    "$float": _dec_float,
    "$strarray": _dec_strarray,
    "$tuple": lambda arg, v, blobs, depth, handles=None: tuple(_decode(x, blobs, depth + 1, handles) for x in _as_list(arg)),
    "$dict": lambda arg, v, blobs, depth, handles=None: _dec_dict(_as_list(arg), v, blobs, depth, handles),
    "$bytes": lambda arg, v, blobs, depth, handles=None: bytes(_get_blob(blobs, arg)),
    "$datetime": _dec_str("datetime"),
    "$date": _dec_str("date"),
    "$timestamp": _dec_timestamp,
    "$bigint": _dec_str("bigint"),
    "$timedelta": _dec_timedelta,
    "$np": _dec_npy,
    "$ndarray": _dec_npy,
    "$na": _dec_na,
    "$nat": _dec_na,
    "$frame": _dec_frame,
    "$series": _dec_series,
    "$estimator": _dec_estimator,
}


def _as_list(arg):
    if type(arg) is not list:
        raise WireError("expected a list")
    return arg
