"""Attacks that try to raise the grade: the cheat on ``total`` earns 0, the honest ``double`` 3.

Every test grades a hostile submission at each level (see conftest), then checks the
grade, the status and message, survival and leaks with ``check_outcome``.
"""

from __future__ import annotations

import builtins
import os
import time
import uuid

import pytest

import grader._invoke
import grader._wire
import grader.testing
from grader._outcomes import Status
from grader._store import read_result, result_path

from ._build import (
    FAST,
    STRONGEST,
    check_outcome,
    check_real_outcome,
    grade,
    grade_real,
    new_marker,
    real_submission,
    require,
    submission,
)

WRONG = "got -1"


def _hostile(wb, level, tmp_path, total, limits=FAST, **kwargs):
    return grade(wb, submission(wb, total, **kwargs), level, tmp_path / "submissions", limits=limits)


# -- values that pretend to be right ----------------------------------------------------------

EQ_ALWAYS_TRUE = '''
class Anything:
    """Equal to everything, less than nothing."""
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__

def total(values):
    return Anything()
'''

FLOAT_SUBCLASS = '''
class Cheat(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __float__(self):
        return 6.0
    def __repr__(self):
        return "6"
    __hash__ = float.__hash__

def total(values):
    return Cheat(0.0)
'''

NDARRAY_SUBCLASS = '''
import numpy as np

class Cheat(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)
    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)
    def all(self, *args, **kwargs):
        return True
    def __bool__(self):
        return True

def total(values):
    return np.zeros(3).view(Cheat)
'''

DATAFRAME_SUBCLASS = '''
import pandas as pd

class Cheat(pd.DataFrame):
    @property
    def _constructor(self):
        return Cheat
    def equals(self, other):
        return True
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False

def total(values):
    return Cheat({"total": [0]})
'''


@pytest.mark.parametrize(
    "attack", [FLOAT_SUBCLASS, NDARRAY_SUBCLASS, DATAFRAME_SUBCLASS], ids=["float-subclass", "ndarray-subclass", "dataframe-subclass"]
)
def test_subclasses_of_data_types_with_patched_methods_are_refused(wb, level, tmp_path, attack):
    require(level, "process", "subclasses of float, ndarray and DataFrame")
    result = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.ERROR, message="total returned an object of type __main__.Cheat")


def test_object_whose_eq_is_always_true_earns_nothing(wb, level, tmp_path):
    require(level, "process", "__eq__ always true")
    result = _hostile(wb, level, tmp_path, EQ_ALWAYS_TRUE)
    # It crosses as a handle to the learner's instance, never as a value compared here.
    check_outcome(
        wb, result, level, tmp_path, status=Status.FAILED,
        message="is a grader.RemoteObject <the learner's Anything instance>; expected an int",
    )


# -- patching the checkers and the grader ------------------------------------------------------

PATCH_LIBRARIES = '''
import builtins, numpy.testing, pandas.testing, pytest

def _quiet(*args, **kwargs):
    return None

numpy.testing.assert_allclose = numpy.testing.assert_array_equal = numpy.testing.assert_equal = _quiet
pandas.testing.assert_frame_equal = pandas.testing.assert_series_equal = _quiet
pytest.approx = lambda expected, *a, **k: expected
pytest.fail = _quiet
builtins.print = _quiet
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.sum = lambda values, start=0: -1

def total(values):
    return sum(values)
'''

PATCH_GRADER = '''
import grader, grader.testing, grader._invoke, grader._outcomes, grader._wire, grader._wire._codec

def _quiet(*args, **kwargs):
    return None

for _name in grader.testing.__all__:
    setattr(grader.testing, _name, _quiet)
grader._outcomes.classify = lambda exc: (grader._outcomes.Status.PASSED, "")
grader._wire.decode = grader._wire._codec.decode = lambda tree, blobs, handles=None: tree
_real_encode_reply = grader._invoke.encode_reply

def _forged_reply(name, verb, value, max_bytes, handles=None):
    reply, blobs = _real_encode_reply(name, verb, value, max_bytes, handles)
    reply.update(status="passed", score=2, max_score=2, passed=True, kind="value")
    return reply, blobs

grader._invoke.encode_reply = _forged_reply

def total(values):
    return -1
'''


def test_patching_numpy_pandas_pytest_builtins_changes_nothing_here(wb, level, tmp_path):
    require(level, "process", "monkeypatching the test libraries")
    real = (builtins.print, builtins.sum, builtins.AssertionError, pytest.approx, grader.testing.assert_equal)
    result = _hostile(wb, level, tmp_path, PATCH_LIBRARIES)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
    assert (builtins.print, builtins.sum, builtins.AssertionError, pytest.approx, grader.testing.assert_equal) == real


def test_patching_the_graders_own_modules_in_the_worker_changes_nothing_here(wb, level, tmp_path):
    require(level, "process", "monkeypatching the grader")
    real = (grader._invoke.encode_reply, grader._wire.decode, grader.testing.assert_equal)
    result = _hostile(wb, level, tmp_path, PATCH_GRADER)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
    assert (grader._invoke.encode_reply, grader._wire.decode, grader.testing.assert_equal) == real


# -- looking for the expected values --------------------------------------------------------------

SEARCH_FRAMES_GC_MODULES = '''
import gc, sys

def _clues():
    found = []
    frame = sys._getframe()
    while frame is not None:
        if "test" in frame.f_code.co_filename or "reference" in frame.f_code.co_name:
            found.append(frame.f_code.co_filename)
        found += [k for k in frame.f_locals if k in ("reference", "expected", "hidden_log")]
        frame = frame.f_back
    found += [m for m in sys.modules if "hidden" in m or "reference" in m or m.startswith("test_")]
    for obj in gc.get_objects():
        code = getattr(obj, "__code__", None)
        filename = getattr(code, "co_filename", None)  # a class's __code__ is a descriptor
        if isinstance(filename, str) and ("/tests/" in filename or filename.endswith("_hidden.py")):
            found.append(code.co_filename)
        if isinstance(obj, dict) and "test_total_hidden" in obj:
            found.append("a namespace of the hidden tests")
    return found

def total(values):
    clues = _clues()
    return repr(clues) if clues else -1
'''


def test_caller_frames_gc_and_sys_modules_hold_no_expected_value(wb, level, tmp_path):
    require(level, "process", "reading expected values from frames, gc or sys.modules")
    result = _hostile(wb, level, tmp_path, SEARCH_FRAMES_GC_MODULES)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


#: A value that exists only in this (the grading) process's memory, never on disk.
_EXPECTED_IN_MEMORY = "EXPECTED-" + uuid.uuid4().hex

READ_GRADER_MEMORY = '''
import os, re

def _scan(pid):
    found = []
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
            for line in maps:
                addr, perms = line.split()[:2]
                if not perms.startswith("r"):
                    continue
                lo, hi = (int(x, 16) for x in addr.split("-"))
                for start in range(lo, hi, 64 << 20):
                    try:
                        mem.seek(start)
                        chunk = mem.read(min(64 << 20, hi - start))
                    except (OSError, OverflowError, ValueError):
                        break
                    found += [m.decode() for m in re.findall(rb"EXPECTED-[0-9a-f]{32}", chunk)]
                if found:
                    return found
    except OSError:
        pass
    return found

FOUND = _scan(os.getppid())

def total(values):
    return FOUND[0] if FOUND else -1
'''

def test_grading_process_memory_cannot_be_read_through_proc(wb, level, tmp_path):
    require(level, "sandbox", "reading the grading process's memory through /proc/<pid>/mem")
    assert _EXPECTED_IN_MEMORY  # kept alive in this process's memory during the grading
    result = _hostile(wb, level, tmp_path, READ_GRADER_MEMORY, limits=FAST.replace(cell_seconds=20))
    assert all(_EXPECTED_IN_MEMORY not in t.message for t in result.tests)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


def read_hidden_from_disk(wb) -> str:
    return f'''
import glob, os
from pathlib import Path
import grader

FOUND = []
_roots = {{Path(grader.__file__).resolve().parents[1], Path(os.environ.get("MLDAY_DATASETS", "/nonexistent")).parent,
          Path("{wb.root}"), Path.cwd(), *Path.cwd().parents}}
for _root in _roots:
    for _pattern in ("solutions/tests/*.py", "solutions/*.ipynb", "solutions/data/*", "solutions/tests/__pycache__/*"):
        for _path in glob.glob(str(_root / _pattern)):
            try:
                with open(_path, "rb") as _file:
                    FOUND.append(_file.read().decode(errors="replace"))
            except OSError:
                pass

def total(values):
    return "\\n".join(FOUND) if FOUND else -1
'''


def test_hidden_tests_solutions_and_data_cannot_be_read_from_disk(wb, level, tmp_path):
    require(level, "sandbox", "reading the hidden tests, solutions or hidden data from disk")
    result = _hostile(wb, level, tmp_path, read_hidden_from_disk(wb))
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


# -- the output folder ------------------------------------------------------------------------------


def forge_results(out) -> str:
    return f'''
import json, os
from pathlib import Path

FORGED = {{"score": 100.0, "tests": [], "output": "forged", "extra_data": {{}}}}
_targets = [Path("{out}") / who / "99_toy" / "results.json" for who in ("hostile", "victim")]
_targets += [p / "mlday-grades" / "victim" / "99_toy" / "results.json" for p in (Path.cwd(), *Path.cwd().parents)]
WROTE = []
for _target in _targets:
    try:
        _target.parent.mkdir(parents=True, exist_ok=True)
        _target.write_text(json.dumps(FORGED))
        WROTE.append(str(_target))
    except OSError:
        pass

def total(values):
    return -1
'''


def test_results_files_cannot_be_forged_from_the_worker(wb, level, tmp_path):
    require(level, "sandbox", "writing the output folder")
    out = tmp_path / "out"
    result = _hostile(wb, level, tmp_path, forge_results(out))
    assert not out.exists()
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["hostile"]
    assert read_result(result_path(out, "hostile", "99_toy")).score == 3.0


def act_later(out, beat, atexit_marker, learner="hostile") -> str:
    return f'''
import atexit, json, threading, time
from pathlib import Path

def _forge_when_written():
    target = Path("{out}") / "{learner}" / "99_toy" / "results.json"
    while True:
        with open("{beat}", "a") as beat:
            beat.write(".")
        if target.exists():
            target.write_text(json.dumps({{"score": 100.0}}))
        time.sleep(0.05)

threading.Thread(target=_forge_when_written).start()
atexit.register(lambda: open("{atexit_marker}", "w").write("ran at exit"))

def total(values):
    return -1
'''


def test_atexit_handler_and_thread_do_not_act_after_the_tests(wb, level, tmp_path):
    require(level, "process", "a thread or atexit handler that acts after the tests")
    out = tmp_path / "out"
    beat, at_exit = (f"/tmp/{new_marker(kind)}" for kind in ("beat", "atexit"))
    try:
        result = _hostile(wb, level, tmp_path, act_later(out, beat, at_exit))
        check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
        size = _size(beat)
        if level == "basic":
            assert size > 0  # the thread did run, in the grader's /tmp
        time.sleep(1.0)
        assert _size(beat) == size  # and it is gone
        assert read_result(result_path(out, "hostile", "99_toy")).score == 3.0
        assert not os.path.exists(at_exit)
    finally:
        for path in (beat, at_exit):
            if os.path.exists(path):
                os.unlink(path)


def _size(path: str) -> int:
    return os.path.getsize(path) if os.path.exists(path) else 0


# -- the real exercise 01 ----------------------------------------------------------------------------

DICT_WITH_PATCHED_EQ = '''
import math

class Cheat(dict):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __getitem__(self, key):
        return math.nan
    __hash__ = object.__hash__

def daily_metrics(log, day, threshold=0.5):
    return Cheat(n_scored=0)
'''


def test_real_exercise_dict_with_patched_eq_earns_nothing(wb, real_root, tmp_path):
    nb = real_submission(daily_metrics=DICT_WITH_PATCHED_EQ)
    result = grade_real(nb, STRONGEST, tmp_path / "submissions", ["daily_metrics", "regressions"])
    check_real_outcome(
        wb, result, STRONGEST, tmp_path, cheat="daily_metrics", status=Status.ERROR,
        message="daily_metrics returned an object of type __main__.Cheat",
    )


ARRAY_IN_A_LIST = '''
import numpy as np

def regressions(today, baseline, tolerance=0.1):
    # compared element by element, an array has no truth value: the comparison raises
    return [np.array([0, 1])]
'''


def test_real_exercise_answer_cannot_make_its_tests_ungradable(wb, real_root, tmp_path):
    nb = real_submission(regressions=ARRAY_IN_A_LIST)
    result = grade_real(nb, STRONGEST, tmp_path / "submissions", ["regressions", "missed_fraud"])
    check_real_outcome(wb, result, STRONGEST, tmp_path, cheat="regressions", status=Status.FAILED, message="regressions(")
