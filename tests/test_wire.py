"""Tests of grader._wire: the data-only codec and the length-prefixed frames."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import struct

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator

from grader._wire import Unencodable, WireError, decode, encode, read_message, write_message


def roundtrip(value):
    """Encode, send through a frame, read it back and decode: the whole trip a value makes."""
    tree, blobs = encode(value)
    buf = io.BytesIO()
    write_message(buf, {"value": tree}, blobs)
    buf.seek(0)
    header, got_blobs = read_message(buf, max_bytes=1 << 30)
    return decode(header["value"], got_blobs)


def same(a, b) -> bool:
    """Equal values of exactly the same types, recursively; nan equals nan."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return (
            list(a) == list(b)
            and [type(k) for k in a] == [type(k) for k in b]
            and all(same(a[k], b[k]) for k in a)
        )
    return a == b


# -- round trips ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -17,
        2**63 - 1,
        2**63,
        -(2**70),
        10**40,
        1.5,
        -0.0,
        float("nan"),
        float("inf"),
        float("-inf"),
        "",
        "héllo ✓",
        "$not-a-tag",
        [1, "a", None, [2.5, [True]]],
        (1, "a", (2, 3)),
        (),
        {"a": 1, "b": [1, 2], "c": {"d": (1, 2)}},
        {1: "one", 2.5: "two and a half", (1, 2): "pair", None: "none", False: "no"},
        {"$tuple": 1, "$x": [1], "plain": 2},
        b"\x00\x01bytes\xff",
        b"",
        dt.datetime(2024, 5, 14, 8, 30, 15, 123456),
        dt.datetime(2024, 5, 14, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.date(2024, 5, 14),
    ],
    ids=repr,
)
def test_plain_values_round_trip(value):
    got = roundtrip(value)
    assert same(got, value), (got, value)


@pytest.mark.parametrize(
    "value",
    [np.float32(1.25), np.float64(2.5), np.int64(-3), np.int32(7), np.uint8(255), np.bool_(True), np.datetime64("2024-05-14")],
    ids=lambda v: type(v).__name__,
)
def test_numpy_scalars_keep_their_numpy_type(value):
    got = roundtrip(value)
    assert type(got) is type(value)
    assert got == value


def test_numpy_nan_scalar_round_trips():
    got = roundtrip(np.float64("nan"))
    assert type(got) is np.float64 and np.isnan(got)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.int64),
        np.arange(12, dtype=np.float64).reshape(3, 4),
        np.array([[1.5, np.nan], [np.inf, -2.0]], dtype=np.float32),
        np.array(["a", "bc"]),
        np.array([True, False]),
        np.zeros((0, 3)),
        np.array(["2024-05-14", "NaT"], dtype="datetime64[ns]"),
    ],
    ids=["int64", "2-D", "float32", "unicode", "bool", "empty", "datetime64"],
)
def test_ndarrays_round_trip_with_dtype_and_shape(array):
    got = roundtrip(array)
    assert type(got) is np.ndarray
    assert got.dtype == array.dtype and got.shape == array.shape
    np.testing.assert_array_equal(got, array)


def test_dataframe_round_trips_with_dtypes_and_named_index():
    df = pd.DataFrame(
        {
            "label": pd.array([1, None, 0], dtype="Int64"),
            "merchant": ["a", "b", None],
            "ts": pd.to_datetime(["2024-05-14 08:00", "2024-05-14 09:30", None]),
            "amount": [1.5, np.nan, 3.0],
        },
        index=pd.Index([10, 11, 12], name="tx_id"),
    )
    got = roundtrip(df)
    assert type(got) is pd.DataFrame
    pd.testing.assert_frame_equal(got, df)
    assert str(got["label"].dtype) == "Int64"
    assert got.index.name == "tx_id"


def test_series_round_trips_with_its_name():
    s = pd.Series([1.5, 2.5, np.nan], index=pd.Index(["x", "y", "z"], name="key"), name="amount")
    got = roundtrip(s)
    assert type(got) is pd.Series
    assert got.name == "amount"
    pd.testing.assert_series_equal(got, s)


def test_series_without_a_name_round_trips():
    s = pd.Series(pd.array([1, None], dtype="Int64"))
    got = roundtrip(s)
    assert got.name is None
    pd.testing.assert_series_equal(got, s)


@pytest.mark.parametrize("value", [pd.NA, pd.NaT], ids=repr)
def test_pandas_missing_values_keep_their_identity(value):
    assert roundtrip(value) is value


@pytest.mark.parametrize(
    "value",
    [
        pd.Timestamp("2024-05-14 08:30:00.000000001"),
        pd.Timestamp("2024-05-14 08:30", tz="UTC"),
        pd.Timedelta("1 days 02:03:04.000000005"),
        pd.Timedelta(-5, unit="s"),
    ],
    ids=repr,
)
def test_timestamps_and_timedeltas_round_trip(value):
    got = roundtrip(value)
    assert type(got) is type(value)
    assert got == value
    assert str(getattr(got, "tz", None)) == str(getattr(value, "tz", None))


def test_fitted_pipeline_round_trips_through_skops():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    tree, blobs = encode(model)
    assert blobs and blobs[0][:2] == b"PK"  # a skops zip, not a pickle
    got = roundtrip(model)
    assert type(got) is type(model)
    assert [type(step) for _, step in got.steps] == [StandardScaler, LogisticRegression]
    np.testing.assert_array_equal(got.predict_proba(X), model.predict_proba(X))


# -- refusals ---------------------------------------------------------------------


class FloatSub(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class StrSub(str):
    pass


class DictSub(dict):
    pass


class ListSub(list):
    pass


class ArraySub(np.ndarray):
    pass


class FrameSub(pd.DataFrame):
    pass


class Custom:
    pass


class SneakyEstimator(BaseEstimator):
    """A learner-defined estimator: skops can save it, but it must not load in the trusted process."""

    def __init__(self, k=1):
        self.k = k

    def fit(self, X, y=None):
        self.seen_ = len(X)
        return self


_REDUCED: list[str] = []


def _record(what):
    _REDUCED.append(what)
    return what


class Reducer:
    def __reduce__(self):
        return (_record, ("unpickled",))


@pytest.mark.parametrize(
    "value, type_fragment",
    [
        (FloatSub(1.0), "FloatSub"),
        (StrSub("a"), "StrSub"),
        (DictSub(a=1), "DictSub"),
        (ListSub([1]), "ListSub"),
        (np.zeros(3).view(ArraySub), "ArraySub"),
        (FrameSub({"a": [1]}), "FrameSub"),
        (np.array([1, "a", None], dtype=object), "numpy.ndarray"),
        (Custom(), "Custom"),
        (Reducer(), "Reducer"),
        ({1, 2}, "set"),
        (lambda x: x, "function"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_unencodable_types_are_refused_naming_the_type(value, type_fragment):
    with pytest.raises(Unencodable, match=rf"^an object of type \S*{type_fragment}") as info:
        encode(value)
    assert info.value.type_name.endswith(type_fragment)


def test_refusal_inside_a_container_names_the_inner_type():
    with pytest.raises(Unencodable, match="FloatSub"):
        encode({"ok": [1, 2, (3, FloatSub(0.5))]})


def test_object_array_refusal_says_why():
    with pytest.raises(Unencodable, match="an array of Python objects"):
        encode(np.array([{"a": 1}], dtype=object))


def test_frame_with_an_object_column_is_refused():
    with pytest.raises(Unencodable, match=r"pandas\.DataFrame.*cannot be converted"):
        encode(pd.DataFrame({"x": [Custom(), Custom()]}))


def test_reduce_is_never_called():
    _REDUCED.clear()
    with pytest.raises(Unencodable):
        encode([Reducer()])
    assert _REDUCED == []


# -- hostile input ------------------------------------------------------------------


def _npy(array, **kwargs) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize(
    "tree, blobs, message",
    [
        ({"$evil": 1}, [], r"unknown tag '\$evil'"),
        ({"$tuple": [1], "$bytes": 0}, [b"x"], r"ambiguous tags"),
        ({"$bytes": 3}, [b"only one"], r"missing blob 3"),
        ({"$ndarray": -1}, [b"x"], r"missing blob -1"),
        ({"$frame": "0"}, [b"x"], r"missing blob '0'"),
        ({"$float": "1e400"}, [], r"bad float '1e400'"),
        ({"$tuple": "abc"}, [], r"expected a list"),
        ({"$dict": [[1]]}, [], r"bad dict entry"),
        ({"$timedelta": "1 day"}, [], r"bad timedelta"),
        ({"$datetime": 5}, [], r"bad datetime"),
        ({"$ndarray": 0}, [b"\x93NUMPY not really"], r"malformed data"),
        ({"$ndarray": 0}, [b"plain garbage"], r"malformed data"),
        ({"$frame": 0}, [b"this is not arrow"], r"malformed data"),
        ({"$series": 0}, [b"this is not arrow"], r"malformed data"),
        ({"$estimator": 0}, [b"not a zip file"], r"malformed data"),
        ({"$bigint": "12abc"}, [], r"malformed data"),
        ({1, 2}, [], r"unexpected JSON type set"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_malformed_input_raises_wire_error(tree, blobs, message):
    with pytest.raises(WireError, match=message):
        decode(tree, blobs)


def test_nesting_deeper_than_the_limit_is_refused():
    tree = 1
    for _ in range(200):
        tree = [tree]
    with pytest.raises(WireError, match="nested more than"):
        decode(tree, [])


def test_unhashable_dict_key_is_refused():
    with pytest.raises(WireError):
        decode({"$dict": [[[1, 2], "value"]]}, [])


@pytest.mark.parametrize("tag", ["$ndarray", "$np"])
def test_pickled_npy_is_never_unpickled(tag):
    _REDUCED.clear()
    payload = _npy(np.array([Reducer()], dtype=object), allow_pickle=True)
    with pytest.raises(WireError, match="allow_pickle=False"):
        decode({tag: 0}, [payload])
    assert _REDUCED == []


def test_series_blob_with_extra_columns_is_refused():
    # A well-formed frame that is not what the series encoder writes.
    tree, blobs = encode(pd.DataFrame({"__value__": [1], "other": [2]}))
    with pytest.raises(WireError, match="exactly one value column"):
        decode({"$series": tree["$frame"], "name": None}, blobs)


def test_skops_payload_with_an_untrusted_type_is_refused():
    import skops.io

    payload = skops.io.dumps(SneakyEstimator().fit([[1], [2]]))
    assert any(t.endswith("SneakyEstimator") for t in skops.io.get_untrusted_types(data=payload))
    with pytest.raises(WireError, match=r"not trusted: \S*SneakyEstimator"):
        decode({"$estimator": 0}, [payload])


def test_learner_estimator_subclass_is_refused_on_the_way_back():
    from sklearn.preprocessing import StandardScaler

    class PatchedScaler(StandardScaler):
        def __eq__(self, other):
            return True

    tree, blobs = encode(PatchedScaler().fit([[0.0], [1.0]]))
    with pytest.raises(WireError, match="PatchedScaler"):
        decode(tree, blobs)


# -- known gaps (grader bugs) ---------------------------------------------------------


def test_timestamp_keeps_a_named_time_zone():
    value = pd.Timestamp("2024-05-14 08:30", tz="Europe/Paris")
    got = roundtrip(value)
    assert got == value
    assert str(got.tz) == "Europe/Paris"


@pytest.mark.parametrize(
    "key", [np.int64(3), pd.Timestamp("2024-05-14"), dt.date(2024, 5, 14)], ids=lambda k: type(k).__name__
)
def test_dict_with_hashable_non_str_keys_round_trips(key):
    value = {key: 0.25}
    got = roundtrip(value)
    assert list(got) == [key] and got[key] == 0.25


def test_huge_int_round_trips_or_is_refused_as_unencodable():
    value = 10**5000
    try:
        got = roundtrip(value)
    except Unencodable:
        return
    assert got == value


def test_deeply_nested_header_is_a_wire_error():
    header = b"[" * 100_000 + b"]" * 100_000
    stream = io.BytesIO(struct.pack("!Q", len(header)) + header)
    with pytest.raises(WireError):
        read_message(stream, max_bytes=1 << 30)


# -- frames -----------------------------------------------------------------------------


def test_messages_round_trip_through_a_stream():
    buf = io.BytesIO()
    write_message(buf, {"op": "call", "args": [1, "two"]}, [b"first", b"", b"\x00" * 1000])
    write_message(buf, {"op": "bye"})
    buf.seek(0)
    assert read_message(buf, max_bytes=1 << 20) == ({"op": "call", "args": [1, "two"]}, [b"first", b"", b"\x00" * 1000])
    assert read_message(buf, max_bytes=1 << 20) == ({"op": "bye"}, [])
    assert read_message(buf, max_bytes=1 << 20) is None


def test_frame_layout_is_a_length_prefixed_json_header_then_blobs():
    buf = io.BytesIO()
    write_message(buf, {"k": 1}, [b"abc"])
    data = buf.getvalue()
    (size,) = struct.unpack("!Q", data[:8])
    assert json.loads(data[8 : 8 + size]) == {"k": 1, "blobs": [3]}
    assert data[8 + size :] == b"abc"


def test_header_over_the_limit_is_rejected():
    buf = io.BytesIO()
    write_message(buf, {"pad": "x" * 1000})
    buf.seek(0)
    with pytest.raises(WireError, match="exceeds the limit of 100 bytes"):
        read_message(buf, max_bytes=100)


def test_blobs_over_the_limit_are_rejected():
    buf = io.BytesIO()
    write_message(buf, {}, [b"x" * 5000])
    buf.seek(0)
    with pytest.raises(WireError, match="exceeds the limit of 1000 bytes"):
        read_message(buf, max_bytes=1000)


def test_absurd_length_prefix_is_rejected_before_reading():
    stream = io.BytesIO(struct.pack("!Q", 2**62) + b"{}")
    with pytest.raises(WireError, match="exceeds the limit"):
        read_message(stream, max_bytes=1 << 40)


@pytest.mark.parametrize("cut", [3, 8 + 5, -2], ids=["in the prefix", "in the header", "in a blob"])
def test_truncated_stream_raises_eof_error(cut):
    buf = io.BytesIO()
    write_message(buf, {"op": "x"}, [b"0123456789"])
    stream = io.BytesIO(buf.getvalue()[:cut])
    with pytest.raises(EOFError, match="ended inside a message"):
        read_message(stream, max_bytes=1 << 20)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_json_constants_in_a_header_are_rejected(constant):
    header = b'{"value": ' + constant + b', "blobs": []}'
    stream = io.BytesIO(struct.pack("!Q", len(header)) + header)
    with pytest.raises(WireError, match=r"not valid JSON.*not allowed"):
        read_message(stream, max_bytes=1 << 20)


def test_writing_a_nan_header_is_refused():
    with pytest.raises(ValueError, match="JSON compliant"):
        write_message(io.BytesIO(), {"value": float("nan")})


@pytest.mark.parametrize(
    "header, message",
    [
        (b"[1, 2]", "not a JSON object with a blob list"),
        (b'{"op": "x"}', "not a JSON object with a blob list"),
        (b'{"blobs": [-1]}', "exceeds the limit"),
        (b'{"blobs": ["3"]}', "exceeds the limit"),
        (b"\xff\xfe not utf-8", "not valid JSON"),
        (b"{", "not valid JSON"),
    ],
)
def test_malformed_headers_are_wire_errors(header, message):
    stream = io.BytesIO(struct.pack("!Q", len(header)) + header)
    with pytest.raises(WireError, match=message):
        read_message(stream, max_bytes=1 << 20)


# -- property -----------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary(max_size=20)
)
_keys = st.text() | st.integers()
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4)
    | st.tuples(children, children)
    | st.lists(children, max_size=3).map(tuple)
    | st.dictionaries(_keys, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_values)
def test_json_like_values_round_trip(value):
    got = roundtrip(value)
    assert same(got, value)
    assert same(decode(*encode(value)), value)


def test_same_helper_tells_values_apart():
    # The property is only as strict as its comparison.
    assert same(float("nan"), float("nan"))
    assert not same(1, 1.0) and not same(1, True) and not same((1,), [1])
    assert not same(0.0, -0.0)
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same({1: "x"}, {1.0: "x"})


def test_skops_payload_with_a_function_is_refused_even_from_sklearn(tmp_path):
    """A FunctionTransformer pointed at a function that writes files must not load here."""
    import skops.io
    from sklearn.datasets import dump_svmlight_file
    from sklearn.preprocessing import FunctionTransformer

    target = tmp_path / "written-by-the-learner"
    payload = skops.io.dumps(FunctionTransformer(func=dump_svmlight_file, kw_args={"y": [0], "f": str(target)}))
    with pytest.raises(WireError, match=r"not trusted: sklearn\.datasets\..*dump_svmlight_file"):
        decode({"$estimator": 0}, [payload])
    assert not target.exists()


def test_skops_payload_with_an_elementwise_numpy_function_loads():
    import skops.io
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    model = make_pipeline(FunctionTransformer(np.log1p), StandardScaler()).fit(np.arange(1.0, 7.0).reshape(-1, 1))
    loaded = decode({"$estimator": 0}, [skops.io.dumps(model)])
    assert np.allclose(loaded.transform([[3.0]]), model.transform([[3.0]]))


def test_object_array_of_str_round_trips_as_object_dtype():
    """sklearn's get_feature_names_out convention: an object array of str."""
    names = np.array(["amount", "hour_sin"], dtype=object)
    got = decode(*encode(names))
    assert got.dtype == object and list(got) == ["amount", "hour_sin"]
    grid = np.array([["a", "b"], ["c", "d"]], dtype=object)
    assert decode(*encode(grid)).shape == (2, 2)


def test_object_arrays_of_anything_but_str_are_refused():
    for value in (np.array(["a", None], dtype=object), np.array(["a", b"b"], dtype=object), np.array([b"a"], dtype=object),
                  np.array(["a", 1], dtype=object), np.array([1.5], dtype=object)):
        with pytest.raises(Unencodable, match="an array of Python objects"):
            encode(value)


def test_a_str_subclass_in_an_object_array_is_refused():
    with pytest.raises(Unencodable, match="an array of Python objects"):
        encode(np.array(["a", StrSub("b")], dtype=object))


def _column(values, type_=None) -> bytes:
    import pyarrow as pa

    from grader._wire._codec import _stream_bytes

    return _stream_bytes(pa.table({"str": pa.array(values, type=type_)}))


@pytest.mark.parametrize(
    "tree, blobs",
    [
        ({"$strarray": 0, "shape": [2]}, [_column([1, 2])]),
        ({"$strarray": 0, "shape": [2]}, [_column(["a", None])]),
        ({"$strarray": 0, "shape": [3]}, [_column(["a", "b"])]),
        ({"$strarray": 0, "shape": [-2]}, [_column(["a", "b"])]),
        ({"$strarray": ["a", "b"], "shape": [2]}, []),
        ({"$strarray": 0, "shape": [1]}, [b"not arrow"]),
    ],
    ids=["not strings", "a null", "wrong shape", "negative shape", "a list, not a blob", "not an Arrow stream"],
)
def test_malformed_string_array_is_a_wire_error(tree, blobs):
    with pytest.raises(WireError):
        decode(tree, blobs)


# -- Arrow streams that would inflate in the trusted process ---------------------------------


def _ipc(table, **options) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(**options)) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_a_compressed_arrow_frame_is_refused():
    import pyarrow as pa

    from grader._wire._codec import _dec_frame_bytes

    with pytest.raises(WireError, match="compressed Arrow data is not accepted"):
        _dec_frame_bytes(_ipc(pa.table({"a": pa.array(np.zeros(1000))}), compression="zstd"))


@pytest.mark.parametrize("column", ["nulls", "run_end_encoded"])
def test_a_frame_declaring_far_more_elements_than_its_bytes_is_refused(column):
    import pyarrow as pa

    from grader._wire._codec import _dec_frame_bytes

    n = 20_000_000
    array = pa.nulls(n) if column == "nulls" else pa.RunEndEncodedArray.from_arrays([n], [1.5])
    data = _ipc(pa.table({"x": array}))
    assert len(data) < 2000
    with pytest.raises(WireError, match="declares over"):
        _dec_frame_bytes(data)


def test_honest_frames_with_null_and_categorical_columns_still_decode():
    frame = pd.DataFrame({"a": np.arange(50_000), "b": [None] * 50_000, "c": pd.Categorical(["u", "v"] * 25_000)})
    tree, blobs = encode(frame)
    back = decode(tree, blobs)
    assert back.shape == frame.shape and back["a"].sum() == frame["a"].sum()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_metadata_bytes_raise_only_wire_errors(metadata):
    from grader._wire._arrow_bounds import declared_elements

    try:
        declared_elements(metadata)
    except WireError:
        pass
