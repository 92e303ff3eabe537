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


def test_fitted_estimators_are_keyed_by_their_state():
    from sklearn.linear_model import LogisticRegression

    calls = []

    def coef_sum(model):
        calls.append(1)
        return float(model.coef_.sum())

    ref = Reference({"coef_sum": coef_sum})
    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    ref.coef_sum(LogisticRegression().fit(X, y))
    ref.coef_sum(LogisticRegression().fit(X, y))  # another object, the same fitted state
    ref.coef_sum(LogisticRegression(C=0.01).fit(X, y))
    assert len(calls) == 2


def test_arguments_are_not_kept_alive():
    import gc
    import weakref

    class Model:
        def __init__(self, w):
            self.w = w

    ref = Reference({"weight": lambda m: m.w})
    model = Model(2.0)
    alive = weakref.ref(model)
    assert ref.weight(model) == 2.0
    del model
    gc.collect()
    assert alive() is None


def test_unpicklable_arguments_are_computed_every_time():
    calls = []

    def apply(fn):
        calls.append(1)
        return fn(2)

    ref = Reference({"apply": apply})
    assert ref.apply(lambda x: x + 1) == 3
    assert ref.apply(lambda x: x + 1) == 3
    assert len(calls) == 2


def test_the_memo_keeps_only_the_latest_values():
    ref = Reference({"square": lambda x: x * x}, memo_size=3)
    for x in range(10):
        ref.square(pd.DataFrame({"x": [x]}))
    assert len(ref._memo) == 3


def test_frames_differing_only_in_index_name_are_not_confused():
    ref = Reference({"index_name": lambda df: df.index.name})
    df = pd.DataFrame({"x": [1, 2]})
    named = df.rename_axis("day")
    assert ref.index_name(df) is None
    assert ref.index_name(named) == "day"
