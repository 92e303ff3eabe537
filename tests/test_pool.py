"""Tests of grader._pool: warm workers, one submission each."""

from __future__ import annotations

import pytest

from grader._limits import Limits
from grader._pool import WarmPool
from grader._session import WorkerSession

FAST = Limits(cell_seconds=20, call_seconds=5)
PROBE = "import os, sys\nWARM = 'sklearn.ensemble' in sys.modules\nPID = os.getpid()\nCWD = os.getcwd()\nSEEN = sorted(os.listdir('.'))\nopen('mine.txt', 'w').write('x')\nSECRET = 42"


@pytest.fixture
def pool():
    p = WarmPool(spares=1, modules=("sklearn.ensemble",))
    yield p
    p.close()


def _probe(pool):
    s = WorkerSession([(0, PROBE)], FAST, pool=pool).start()
    try:
        return {name: s.describe(name)[1] for name in ("WARM", "PID", "CWD", "SEEN")}, s
    finally:
        s.close()


def test_a_warm_worker_has_imported_the_modules_before_the_submission():
    cold = WorkerSession([(0, PROBE)], FAST).start()
    try:
        assert cold.describe("WARM") == ("value", False)
    finally:
        cold.close()
    with_pool = WarmPool(spares=0, modules=("sklearn.ensemble",))
    try:
        seen, _ = _probe(with_pool)
    finally:
        with_pool.close()
    assert seen["WARM"] is True


def test_no_worker_serves_two_submissions(pool):
    first, s1 = _probe(pool)
    second, s2 = _probe(pool)
    assert first["PID"] != second["PID"]
    assert first["CWD"] != second["CWD"]
    assert second["SEEN"] == []  # the first submission's file is not there
    assert s1._scratch is None and s2._scratch is None  # each scratch removed on close


def test_taking_a_worker_starts_its_replacement(pool):
    proc, scratch = pool.take(None, "basic")
    try:
        spares = pool._ready[(None, "basic")]
        assert len(spares) == 1
        spare_proc, spare_scratch = spares[0]
        assert spare_proc.poll() is None and spare_proc.pid != proc.pid
        assert spare_scratch != scratch and spare_scratch.is_dir()
    finally:
        from grader._pool import _discard

        _discard(proc, scratch)


def test_a_dead_spare_is_not_handed_out(pool):
    proc, scratch = pool.take(None, "basic")
    from grader._pool import _discard

    _discard(proc, scratch)
    spare_proc, spare_scratch = pool._ready[(None, "basic")][0]
    spare_proc.kill()
    spare_proc.wait()
    proc, scratch = pool.take(None, "basic")
    try:
        assert proc.pid != spare_proc.pid and proc.poll() is None
        assert not spare_scratch.exists()
    finally:
        _discard(proc, scratch)


def test_close_stops_the_spares_and_removes_their_folders():
    p = WarmPool(spares=2, modules=())
    proc, scratch = p.take(None, "basic")
    spares = list(p._ready[(None, "basic")])
    p.close()
    from grader._pool import _discard

    _discard(proc, scratch)
    assert len(spares) == 2
    for spare, folder in spares:
        assert spare.poll() is not None
        assert not folder.exists()


def test_an_exercise_warms_what_its_source_notebook_imports(tmp_path):
    import nbformat

    from grader import _authoring as A
    from grader._pool import BASE_MODULES, exercise_modules

    cells = [
        A.code("%matplotlib inline\nimport json, sklearn.ensemble as ens\nfrom scipy import stats\nfrom . import nothing"),
        A.code("def f():\n    from sklearn.tree import DecisionTreeClassifier\n    return 1"),
        A.code("this is not python"),
        A.markdown("import os"),
    ]
    source = tmp_path / "99_x.ipynb"
    nbformat.write(A.notebook(cells, "99_x", "x"), source)
    modules = exercise_modules(source)
    assert modules[: len(BASE_MODULES)] == BASE_MODULES
    assert set(modules) == {*BASE_MODULES, "json", "sklearn.ensemble", "scipy", "sklearn.tree", "skops.io"}
    nbformat.write(A.notebook([A.code("import json")], "99_x", "x"), source)
    assert set(exercise_modules(source)) == {*BASE_MODULES, "json"}  # no scikit-learn, no skops


def test_the_spare_imports_the_modules_of_the_exercise_just_taken():
    pool = WarmPool(spares=1, modules=())
    try:
        WorkerSession([(0, "x = 1")], FAST, pool=pool, warm=("sklearn.ensemble",)).start().close()
        seen, _ = _probe(pool)  # the spare started by the take above
        assert seen["WARM"] is True
        seen, _ = _probe(pool)  # started by _probe's own take: the pool's default, nothing
        assert seen["WARM"] is False
    finally:
        pool.close()
