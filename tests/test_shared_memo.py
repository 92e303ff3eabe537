"""grader/_shared_memo: a run's grading processes compute each shared value once."""

import multiprocessing
from pathlib import Path

from grader import _shared_memo


def _count_and_compute(folder: str, counter: str, digest: str):
    _shared_memo.use(folder)

    def compute():
        with open(counter, "a") as fh:
            fh.write("x")
        return {"value": 42}

    return _shared_memo.get_or_compute(digest, compute)


def test_without_a_folder_every_call_computes():
    calls = []
    assert _shared_memo.current() is None
    for _ in range(2):
        _shared_memo.get_or_compute("d", lambda: calls.append(1) or 7)
    assert len(calls) == 2


def test_processes_of_one_run_compute_a_value_once(tmp_path):
    counter = tmp_path / "computed"
    with _shared_memo.run_folder() as folder:
        context = multiprocessing.get_context("forkserver")
        with context.Pool(3) as pool:
            values = pool.starmap(_count_and_compute, [(str(folder), str(counter), "same")] * 6)
        assert values == [{"value": 42}] * 6
        assert counter.read_text() == "x"
        _count_and_compute(str(folder), str(counter), "other")
        assert counter.read_text() == "xx"
    assert not folder.exists()  # removed with the run
    assert _shared_memo.current() is None


def test_values_that_do_not_pickle_are_computed_where_needed():
    with _shared_memo.run_folder() as folder:
        first = _shared_memo.get_or_compute("gen", lambda: (i for i in range(3)))
        second = _shared_memo.get_or_compute("gen", lambda: (i for i in range(3)))
        assert list(first) == list(second) == [0, 1, 2]
        assert not list(Path(folder).glob("*.pickle"))
