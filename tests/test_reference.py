"""grader/_reference: the reference namespace memoises on argument content and returns copies."""

import pandas as pd
import pytest

from grader._outcomes import Ungradable
from grader._reference import Reference, exercise_of_test_file


def _counting_reference():
    calls = []

    def total(df, column="amount"):
        calls.append(1)
        return {"sum": float(df[column].sum()), "frame": df.head(1)}

    return Reference({"total": total, "CONSTANT": 3}), calls


def test_calls_with_equal_frames_are_computed_once():
    ref, calls = _counting_reference()
    df = pd.DataFrame({"amount": [1.0, 2.5], "name": ["a", "b"]})
    first = ref.total(df)
    second = ref.total(df.copy())  # same content, another object
    assert first["sum"] == second["sum"] == 3.5
    assert len(calls) == 1


def test_different_content_is_computed_again():
    ref, calls = _counting_reference()
    ref.total(pd.DataFrame({"amount": [1.0]}))
    ref.total(pd.DataFrame({"amount": [2.0]}))
    ref.total(pd.Series([1.0], name="amount").to_frame())
    assert len(calls) == 2  # the last frame equals the first


def test_results_are_copies():
    ref, _ = _counting_reference()
    df = pd.DataFrame({"amount": [1.0, 2.0]})
    result = ref.total(df)
    frame = result["frame"]
    frame.loc[0, "amount"] = 99.0
    result["sum"] = -1.0
    again = ref.total(df)
    assert again["frame"].loc[0, "amount"] == 1.0
    assert again["sum"] == 3.0


def test_constants_and_missing_names():
    ref, _ = _counting_reference()
    assert ref.CONSTANT == 3
    with pytest.raises(Ungradable, match="does not define nope"):
        ref.nope


@pytest.mark.parametrize(
    ("name", "exercise"),
    [("test_01_morning_review.py", "01_morning_review"), ("test_02_debugging_hidden.py", "02_debugging")],
)
def test_exercise_of_test_file(name, exercise, tmp_path):
    assert exercise_of_test_file(tmp_path / name) == exercise


def test_exercise_of_an_unrelated_file_is_ungradable(tmp_path):
    with pytest.raises(Ungradable, match="cannot tell the exercise"):
        exercise_of_test_file(tmp_path / "conftest.py")
