"""Tests of grader.testing: messages say expected versus received, except the values of hidden tests."""

from __future__ import annotations

import pandas as pd
import pytest

from grader.testing import HIDDEN_VALUES, NOT_SHOWN, NOT_SHOWN_NOTE, assert_close, assert_dict_close, assert_equal, assert_frame_close, expect_keys

SECRET = "s3cr3t-4242"


def _message(check, hidden: bool) -> str:
    token = HIDDEN_VALUES.set(hidden)
    try:
        with pytest.raises(AssertionError) as failed:
            check()
    finally:
        HIDDEN_VALUES.reset(token)
    return str(failed.value)


FRAME = pd.DataFrame({"a": [1.0, 2.0]}, index=["x", "y"])
CHECKS = {
    "equal": lambda: assert_equal([SECRET], ["other"], "f(v)", hint="look again"),
    "equal-type": lambda: assert_equal(SECRET, 3, "f(v)"),
    "close": lambda: assert_close(4242.5, 1.0, "f(v)"),
    "close-not-a-number": lambda: assert_close(SECRET, 1.0, "f(v)"),
    "keys": lambda: expect_keys({SECRET: 1}, ["a"], "f(v)"),
    "dict": lambda: assert_dict_close({"a": 4242.5}, {"a": 1.0}, "f(v)"),
    "frame-columns": lambda: assert_frame_close(pd.DataFrame({SECRET: [1.0, 2.0]}, index=["x", "y"]), FRAME, "f(v)"),
    "frame-index": lambda: assert_frame_close(pd.DataFrame({"a": [1.0, 2.0]}, index=[SECRET, "y"]), FRAME, "f(v)"),
    "frame-values": lambda: assert_frame_close(pd.DataFrame({"a": [1.0, 4242.5]}, index=["x", "y"]), FRAME, "f(v)"),
}


@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_a_public_test_shows_what_it_received(check):
    message = _message(check, hidden=False)
    assert SECRET in message or "4242" in message
    assert NOT_SHOWN_NOTE not in message


@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_a_hidden_test_names_what_differs_but_shows_no_value(check):
    message = _message(check, hidden=True)
    assert SECRET not in message and "4242" not in message
    assert message.startswith("f(v)")
    assert (NOT_SHOWN in message) == (NOT_SHOWN_NOTE in message)  # a value left out is said once


def test_the_hint_is_still_shown_in_a_hidden_test():
    assert _message(CHECKS["equal"], hidden=True).endswith("\nHint: look again")
