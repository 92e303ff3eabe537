"""Escapes from the sandbox: the network, files outside the scratch folder, symlinks.

SECURITY.md: basic stops none of these but the removal of the scratch folder, so the
others are skipped at basic.
"""

from __future__ import annotations

import hashlib
import os
import select
import socket
import sysconfig
from pathlib import Path

import pytest

from grader._outcomes import Status
from grader._session import WorkerSession

from ._build import (
    FAST,
    REPO,
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


def _hostile(wb, level, tmp_path, total):
    return grade(wb, submission(wb, total), level, tmp_path / "submissions")


# -- the network -----------------------------------------------------------------------------


def connect_back(port: int, abstract: str) -> str:
    return f'''
import socket

REACHED = []
for _family, _address in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_UNIX, "\\0{abstract}")):
    _sock = socket.socket(_family, socket.SOCK_STREAM)
    _sock.settimeout(1.0)
    try:
        _sock.connect(_address)
        _sock.sendall(b"escaped")
        REACHED.append(repr(_address))
    except OSError:
        pass
    finally:
        _sock.close()

def total(values):
    return sum(values) if REACHED else -1
'''


def test_worker_cannot_connect_to_the_graders_loopback(wb, level, tmp_path):
    require(level, "sandbox", "network connections")
    abstract = new_marker("socket")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        tcp.bind(("127.0.0.1", 0))
        unix.bind("\0" + abstract)
        for listener in (tcp, unix):
            listener.listen(8)
        result = _hostile(wb, level, tmp_path, connect_back(tcp.getsockname()[1], abstract))
        ready, _, _ = select.select([tcp, unix], [], [], 0)
        assert ready == []  # nobody knocked
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


# -- files outside the scratch folder ------------------------------------------------------------


def _targets(wb, marker: str) -> list[Path]:
    site = Path(sysconfig.get_paths()["purelib"])
    return [
        Path("/tmp") / f"{marker}.txt",
        REPO / f"{marker}.txt",
        REPO / "grader" / f"{marker}.py",
        site / f"{marker}.pth",
        wb.root / f"{marker}.txt",
        wb.root / "solutions" / "tests" / f"test_{marker.replace('-', '_')}.py",
        wb.datasets / f"{marker}.txt",
        wb.datasets / "public.csv",
    ]


def write_everywhere(targets) -> str:
    return f'''
from pathlib import Path

WROTE = []
for _target in {[str(t) for t in targets]!r}:
    try:
        Path(_target).write_text("import os  # planted by a learner\\n")
        WROTE.append(_target)
    except OSError:
        pass

def total(values):
    return repr(WROTE) if WROTE else -1
'''


def test_worker_cannot_write_outside_its_scratch_folder(wb, level, tmp_path):
    require(level, "sandbox", "writing outside the scratch folder")
    marker, before = new_marker("write"), wb.datasets_snapshot()
    targets = _targets(wb, marker)
    try:
        result = _hostile(wb, level, tmp_path, write_everywhere(targets))
        assert [t for t in targets[:-1] if t.exists()] == []
        assert wb.datasets_snapshot() == before
        check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
    finally:
        for target in targets[:-1]:  # only if the test failed: never leave a planted file
            target.unlink(missing_ok=True)


DELETE_DATASETS = '''
import os, shutil

DELETED = []
_datasets = os.environ["MLDAY_DATASETS"]
for _root, _dirs, _files in os.walk(_datasets, topdown=False):
    for _name in _files:
        try:
            os.unlink(os.path.join(_root, _name))
            DELETED.append(_name)
        except OSError:
            pass
shutil.rmtree(_datasets, ignore_errors=True)
try:
    os.rename(_datasets, _datasets + ".gone")
    DELETED.append("renamed")
except OSError:
    pass

def total(values):
    return repr(DELETED) if DELETED else -1
'''


def test_worker_cannot_delete_the_datasets(wb, level, tmp_path):
    require(level, "sandbox", "deleting the datasets")
    before = wb.datasets_snapshot()
    result = _hostile(wb, level, tmp_path, DELETE_DATASETS)
    assert wb.datasets_snapshot() == before and len(before) == 2
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


def symlinks_to_solutions(wb) -> str:
    return f'''
import os

FOUND = []
for _i, _target in enumerate([{str(wb.root / "solutions")!r}, {str(REPO / "solutions")!r}, "/proc/1/root", "/proc/self/root/../.."]):
    _link = f"link{{_i}}"
    try:
        os.symlink(_target, _link)
    except OSError:
        continue
    for _rel in ("tests/test_99_toy_hidden.py", "99_toy.ipynb", "data/toy_hidden.json", "tests/test_01_morning_review_hidden.py",
                 {str(wb.hidden_tests)[1:]!r}):
        try:
            with open(os.path.join(_link, _rel)) as _file:
                FOUND.append(_file.read())
        except OSError:
            pass
try:
    os.link({str(wb.hidden_tests)!r}, "hardlink")
    FOUND.append(open("hardlink").read())
except OSError:
    pass

def total(values):
    return "\\n".join(FOUND) if FOUND else -1
'''


def test_symlinks_from_the_scratch_folder_reach_no_solution(wb, level, tmp_path):
    require(level, "sandbox", "symlink tricks")
    result = _hostile(wb, level, tmp_path, symlinks_to_solutions(wb))
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)


# -- the real workbook's hidden data ---------------------------------------------------------------

REGENERATE_HIDDEN = '''
import hashlib, os, runpy

DIGEST = "not regenerated"
try:
    import pandas as pd
    _gen = runpy.run_path(os.path.join(os.environ["MLDAY_DATASETS"], "generate.py"))
    _hidden = _gen["generate_transactions"](_gen["HIDDEN_SEED"], start=_gen["HIDDEN_START"])
    DIGEST = hashlib.sha256(pd.util.hash_pandas_object(_hidden, index=False).to_numpy().tobytes()).hexdigest()
except Exception as exc:
    DIGEST = f"not regenerated: {type(exc).__name__}"
'''

HIDDEN_DATA = REPO / "solutions" / "data" / "transactions.parquet"


@pytest.mark.skipif(not HIDDEN_DATA.is_file() or not (REPO / "datasets" / "generate.py").is_file(), reason="the real workbook's hidden data is not here")
def test_hidden_data_cannot_be_regenerated_inside_the_sandbox():
    require(STRONGEST, "sandbox", "reading the hidden data")
    import pandas as pd

    hidden = pd.read_parquet(HIDDEN_DATA)
    truth = hashlib.sha256(pd.util.hash_pandas_object(hidden, index=False).to_numpy().tobytes()).hexdigest()
    with WorkerSession([(0, REGENERATE_HIDDEN)], FAST.replace(cell_seconds=30), REPO / "datasets", isolation=STRONGEST) as session:
        kind, digest = session.describe("DIGEST")
    assert kind == "value" and session.records == {}
    assert digest != truth


def test_scratch_folder_of_a_finished_worker_is_gone(wb, level, tmp_path):
    require(level, "process", "files left behind in the scratch folder")
    marker = new_marker("scratch")
    attack = f'''
import os
open("{marker}.txt", "w").write(os.getcwd())
SCRATCH = os.getcwd()

def total(values):
    return -1
'''
    result = _hostile(wb, level, tmp_path, attack)
    check_outcome(wb, result, level, tmp_path, status=Status.FAILED, message=WRONG)
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"mlday-worker-*/{marker}.txt"))


READ_REAL_HIDDEN = '''
import glob, os
from pathlib import Path
import grader

FOUND = []
for _root in {Path(grader.__file__).resolve().parents[1], Path(os.environ["MLDAY_DATASETS"]).resolve().parent}:
    for _path in glob.glob(str(_root / "solutions" / "**" / "*"), recursive=True):
        try:
            FOUND.append(Path(_path).read_text(errors="replace"))
        except OSError:
            pass

def regressions(today, baseline, tolerance=0.1):
    return ["\\n".join(FOUND)] if FOUND else []
'''


def test_real_exercise_hidden_tests_cannot_be_read_through_the_grader_package(wb, real_root, tmp_path):
    require(STRONGEST, "sandbox", "reading the hidden tests from disk")
    nb = real_submission(regressions=READ_REAL_HIDDEN)
    result = grade_real(nb, STRONGEST, tmp_path / "submissions", ["regressions", "ALERTS_BY_DAY_SQL"])
    check_real_outcome(wb, result, STRONGEST, tmp_path, cheat="regressions", status=Status.FAILED, message="got 0 items []")
