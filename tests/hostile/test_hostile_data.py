"""Hostile data: what a worker sends back is only ever data, decoded strictly here.

The worker can only return values, so the bad bytes are crafted by patching the grader's
encoder inside the worker (``FORGE``): ``total`` returns a ``Forged`` tree and blobs,
which go on the wire as they are.
"""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys

import pytest

from grader._outcomes import Status

from ._build import (
    check_outcome,
    grade,
    grade_in_subprocess,
    new_marker,
    require,
    submission,
)

UNREADABLE = "total returned data that cannot be read"

FORGE = '''
import grader._invoke

_real_encode = grader._invoke.encode

class Forged:
    """Sent as it is: a JSON tree and its blobs."""
    def __init__(self, tree, blobs=()):
        self.tree, self.blobs = tree, list(blobs)

def _encode(value, handles=None):
    if isinstance(value, Forged):
        return value.tree, value.blobs
    return _real_encode(value, handles)

grader._invoke.encode = _encode
'''


def forging(body: str) -> str:
    """A solution cell of ``total`` that returns forged values."""
    return FORGE + body


def _hostile(wb, level, tmp_path, total, **kwargs):
    return grade(wb, submission(wb, total), level, tmp_path / "submissions", **kwargs)


def _pwned(marker: str) -> str:
    return f"/tmp/{marker}"


# -- malformed .npy and Arrow ----------------------------------------------------------------

MALFORMED = {
    "npy-garbage": '''{"$ndarray": 0}, [b"\\x93NUMPY\\x01\\x00" + bytes(range(256)) * 4]''',
    "npy-huge-shape": '''{"$ndarray": 0}, [b"\\x93NUMPY\\x01\\x00v\\x00{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000,), }" + b" " * 54 + b"\\n" + bytes(64)]''',
    "arrow-garbage": '''{"$frame": 0}, [b"\\xff\\xff\\xff\\xff" + bytes(range(256)) * 4]''',
    "arrow-truncated": '''{"$frame": 0}, [_arrow()[:-40]]''',
}

ARROW = '''
import io, pyarrow as pa

def _arrow():
    table = pa.table({"total": list(range(1000))})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()
'''


@pytest.mark.parametrize("forged", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_npy_or_arrow_bytes_are_the_learners_error(wb, level, tmp_path, forged):
    require(level, "process", "malformed .npy or Arrow bytes")
    attack = forging(ARROW + f"\ndef total(values):\n    return Forged({forged})\n")
    result = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message=UNREADABLE)


# -- payloads that run code if unpickled ------------------------------------------------------------


def npy_pickle_payload(marker: str) -> str:
    return forging(f'''
import io, os
import numpy as np

class Payload:
    def __reduce__(self):
        return (os.system, ("touch {_pwned(marker)}",))

_buf = io.BytesIO()
np.save(_buf, np.array([Payload()], dtype=object), allow_pickle=True)
NPY = _buf.getvalue()

def total(values):
    return Forged({{"$ndarray": 0}}, [NPY])
''')


def arrow_extension_pickle_payload(marker: str) -> str:
    return forging(f'''
import io, os, pickle
import pyarrow as pa

class Payload:
    def __reduce__(self):
        return (os.system, ("touch {_pwned(marker)}",))

_field = pa.field("total", pa.int64(), metadata={{
    b"ARROW:extension:name": b"arrow.py_extension_type",
    b"ARROW:extension:metadata": pickle.dumps(Payload()),
}})
_table = pa.table({{"total": [1, 2]}}, schema=pa.schema([_field]))
_sink = io.BytesIO()
with pa.ipc.new_stream(_sink, _table.schema) as _writer:
    _writer.write_table(_table)
IPC = _sink.getvalue()

def total(values):
    return Forged({{"$frame": 0}}, [IPC])
''')


def skops_untrusted_function(marker: str) -> str:
    return f'''
import os
from sklearn.preprocessing import FunctionTransformer

def total(values):
    # encoded by skops as it is; its function is os.system
    return FunctionTransformer(func=os.system, kw_args={{"command": "touch {_pwned(marker)}"}})
'''


def reduce_getstate_payload(marker: str) -> str:
    return f'''
import os

class Payload(dict):
    def __reduce__(self):
        return (os.system, ("touch {_pwned(marker)}",))
    def __getstate__(self):
        os.system("touch {_pwned(marker)}")
        return {{}}

def total(values):
    return Payload(total=6)
'''


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (npy_pickle_payload, Status.ERROR, "Object arrays cannot be loaded when allow_pickle=False"),
        (arrow_extension_pickle_payload, Status.FAILED, "is a pandas.DataFrame"),
        (skops_untrusted_function, Status.ERROR, "the estimator uses types that are not trusted: posix.system"),
        (reduce_getstate_payload, Status.ERROR, "total returned an object of type __main__.Payload"),
    ],
    ids=["npy-object-pickle", "arrow-extension-pickle", "skops-os-system", "reduce-getstate"],
)
def test_payloads_never_run_in_the_grading_process(wb, level, tmp_path, make, status, message):
    require(level, "process", "pickle payloads")
    marker = new_marker("pwned")
    try:
        result = _hostile(wb, level, tmp_path, make(marker))
        assert not os.path.exists(_pwned(marker))
        check_outcome(wb, result, level, tmp_path, status=status, message=message)
    finally:
        if os.path.exists(_pwned(marker)):
            os.unlink(_pwned(marker))


# -- a decompression bomb ----------------------------------------------------------------------------


@functools.cache
def _arrow_bomb_b64(batches: int) -> str:
    """Arrow IPC, zstd-compressed: ``batches`` x 128 MiB of zeros in a few kilobytes.

    Made in a process of its own: a peak of this process's memory would be inherited
    by the grading process it forks, and spoil the measurement below.
    """
    script = (
        "import base64, io, sys, pyarrow as pa\n"
        "batch = pa.record_batch([pa.repeat(pa.scalar(0, pa.int8()), 128 << 20)], names=['total'])\n"
        "sink = io.BytesIO()\n"
        "with pa.ipc.new_stream(sink, batch.schema, options=pa.ipc.IpcWriteOptions(compression='zstd')) as w:\n"
        f"    for _ in range({batches}):\n"
        "        w.write_batch(batch)\n"
        "sys.stdout.write(base64.b64encode(sink.getvalue()).decode())\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120).stdout


def arrow_bomb(batches: int) -> str:
    return forging(f'''
import base64
BOMB = base64.b64decode("{_arrow_bomb_b64(batches)}")

def total(values):
    return Forged({{"$frame": 0}}, [BOMB])
''')


def test_arrow_decompression_bomb_does_not_inflate_the_grading_process(wb, level, tmp_path):
    require(level, "process", "huge return values")
    baseline = grade_in_subprocess(wb, submission(wb), level, tmp_path / "honest", timeout=60)
    bomb = grade_in_subprocess(wb, submission(wb, arrow_bomb(2)), level, tmp_path / "bomb", timeout=60)
    assert bomb.returncode == 0, bomb.log
    assert [t.score for t in bomb.result.tests if t.question == "total"] == [0, 0]
    # 256 MiB decoded from 9 KB, against a value limit of 1 MB
    assert bomb.maxrss_mb < baseline.maxrss_mb + 64, (baseline.maxrss_mb, bomb.maxrss_mb)


# -- forged JSON trees ---------------------------------------------------------------------------------

TREES = {
    "unknown-tag-and-missing-blob": ('{"$pickle": 0}', '{"$ndarray": 7}'),
    "ambiguous-tags-and-bad-float": ('{"$float": "nan", "$bigint": "1"}', '{"$float": "1e999"}'),
    "huge-bigint-and-bad-timestamp": ('{"$bigint": "9" * 100000}', '{"$timestamp": "yesterday-ish", "tz": "Mars/Olympus"}'),
    "deep-nesting-and-unhashable-key": ('_nested(200)', '{"$dict": [[[1, 2], 3]]}'),
    "bad-strarray-and-bad-tuple": ('{"$strarray": ["a", 1], "shape": [2]}', '{"$tuple": 5}'),
}

CYCLE = '''
def _nested(depth):
    tree = 0
    for _ in range(depth):
        tree = [tree]
    return tree

CALLS = []

def total(values):
    CALLS.append(1)
    return Forged(({first}) if len(CALLS) == 1 else ({second}))
'''


@pytest.mark.parametrize("trees", list(TREES.values()), ids=list(TREES))
def test_forged_json_trees_are_the_learners_error(wb, level, tmp_path, trees):
    require(level, "process", "forged values")
    first, second = trees
    result = _hostile(wb, level, tmp_path, forging(CYCLE.format(first=first, second=second)))
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message=UNREADABLE)


FORGED_HANDLE = forging('''
def total(values):
    return Forged({"$handle": 12345, "type": "int"})
''')


def test_forged_handle_to_nothing_is_the_learners_error(wb, level, tmp_path):
    require(level, "process", "forged values")
    result = _hostile(wb, level, tmp_path, FORGED_HANDLE)
    # The forged handle decodes to a handle, never to an int: the answer fails, scoring 0.
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message="RemoteObject")


# -- raw bytes on the protocol ---------------------------------------------------------------------------

RAW_PROTOCOL = '''
import json, struct, sys

def _protocol_out():
    frame = sys._getframe()
    while "proto_out" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["proto_out"]

GARBAGE = {garbage}
CALLS = []

def total(values):
    CALLS.append(1)
    out = _protocol_out()
    out.write(GARBAGE[min(len(CALLS), len(GARBAGE)) - 1])
    out.flush()
    return -1
'''

PROTOCOL_GARBAGE = {
    "huge-length-and-bad-json": (
        'struct.pack("!Q", 1 << 62)',
        'struct.pack("!Q", 9) + b"{not json"',
    ),
    "nan-and-not-an-object": (
        '(lambda h: struct.pack("!Q", len(h)) + h)(b\'{"ok": true, "value": NaN, "blobs": []}\')',
        '(lambda h: struct.pack("!Q", len(h)) + h)(b\'[1, 2, 3]\')',
    ),
    "blob-sizes-over-the-limit": (
        '(lambda h: struct.pack("!Q", len(h)) + h)(b\'{"ok": true, "value": 1, "blobs": [1152921504606846976]}\')',
        '(lambda h: struct.pack("!Q", len(h)) + h)(b\'{"ok": true, "value": 1, "blobs": [-5]}\')',
    ),
}


@pytest.mark.parametrize("garbage", list(PROTOCOL_GARBAGE.values()), ids=list(PROTOCOL_GARBAGE))
def test_garbage_written_on_the_protocol_is_the_learners_error(wb, level, tmp_path, garbage):
    require(level, "process", "malformed protocol messages")
    attack = RAW_PROTOCOL.format(garbage="[" + ", ".join(garbage) + "]")
    result = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message="the call of total broke the worker's protocol")


# -- honest-looking data of the wrong kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("float('nan')", "got nan"),
        ("float('inf')", "got inf"),
        ("np.int8(6)", "is a numpy.int8 6; expected an int"),
        ("np.array([6])", "is a numpy.ndarray array([6]); expected an int"),
        ("pd.Series([6])", "is a pandas.Series"),
    ],
    ids=["nan", "inf", "int8", "array", "series"],
)
def test_nan_inf_and_wrong_types_fail_with_what_was_received(wb, level, tmp_path, value, message):
    require(level, "process", "NaN, inf and wrong dtypes")
    imports = "import math\nimport numpy as np\n" + ("import pandas as pd\n" if "pd." in value else "")
    attack = f"{imports}\ndef total(values):\n    return {value}\n"
    result = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=message)
    assert math.isfinite(result.score)

