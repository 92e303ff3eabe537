"""Tests of grader._outcomes: one status and one message per test, from what it raised."""

from __future__ import annotations

import warnings

import pytest

from grader._outcomes import (
    LearnerError,
    LearnerWarning,
    NotAttempted,
    OutOfMemory,
    Status,
    Timeout,
    Ungradable,
    classify,
    emit_warnings,
    from_reply,
    value_from_reply,
)


def test_status_values_are_the_documented_words():
    assert [s.value for s in Status] == [
        "passed",
        "failed",
        "not attempted",
        "error",
        "timeout",
        "out of memory",
        "ungradable",
    ]


def test_nothing_raised_is_passed():
    assert classify(None) == (Status.PASSED, "")


@pytest.mark.parametrize(
    "exc, status",
    [
        (NotAttempted("double is not defined"), Status.NOT_ATTEMPTED),
        (LearnerError("double raised ValueError: bad"), Status.ERROR),
        (Timeout("the call of double ran past its limit of 2 s"), Status.TIMEOUT),
        (OutOfMemory("double ran out of memory"), Status.OUT_OF_MEMORY),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None,
)
def test_learner_outcomes_keep_their_status_and_message(exc, status):
    assert classify(exc) == (status, exc.message)


def test_learner_traceback_follows_the_message():
    exc = LearnerError("double raised ZeroDivisionError: division by zero", traceback="  cell 3, line 2, in double\n    1 / 0\n")
    status, message = classify(exc)
    assert status is Status.ERROR
    assert message == "double raised ZeroDivisionError: division by zero\n  cell 3, line 2, in double\n    1 / 0"


def test_assertion_keeps_the_authors_text_only():
    exc = AssertionError("double(2): expected 4, got 5\nHint: multiply by two\nassert 5 == 4\n +  where 5 = f(2)")
    assert classify(exc) == (Status.FAILED, "double(2): expected 4, got 5\nHint: multiply by two")


def test_pytest_rewritten_assert_loses_its_tail():
    # A real assertion, rewritten by pytest in this module: "msg\nassert 5 == 4".
    got = 5
    try:
        assert got == 4, "double(2): expected 4, got 5"
    except AssertionError as exc:
        assert "\nassert " in str(exc)  # the tail that classify must strip
        assert classify(exc) == (Status.FAILED, "double(2): expected 4, got 5")
    else:  # pragma: no cover
        pytest.fail("the assertion did not fail")


def test_bare_assertion_has_a_default_message():
    assert classify(AssertionError()) == (Status.FAILED, "the check failed")


def test_bare_rewritten_assert_does_not_show_the_test_source():
    hidden_rows = [3, 1, 4]
    try:
        assert sum(hidden_rows) == 9
    except AssertionError as exc:
        status, message = classify(exc)
    else:  # pragma: no cover
        pytest.fail("the assertion did not fail")
    assert status is Status.FAILED
    assert "hidden_rows" not in message and "[3, 1, 4]" not in message


def test_ungradable_is_ungradable_with_its_message():
    assert classify(Ungradable("the reference solution does not define double")) == (
        Status.UNGRADABLE,
        "the reference solution does not define double",
    )


@pytest.mark.parametrize(
    "exc, text",
    [
        (KeyError("precision"), "the grader failed: KeyError: 'precision'"),
        (TypeError("'NoneType' object is not subscriptable"), "the grader failed: TypeError: 'NoneType' object is not subscriptable"),
        (ZeroDivisionError("division by zero"), "the grader failed: ZeroDivisionError: division by zero"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None,
)
def test_unexpected_exception_in_a_test_is_the_graders_fault(exc, text):
    assert classify(exc) == (Status.UNGRADABLE, text)


@pytest.mark.parametrize(
    "kind, cls",
    [
        ("not_attempted", NotAttempted),
        ("error", LearnerError),
        ("timeout", Timeout),
        ("out_of_memory", OutOfMemory),
    ],
)
def test_from_reply_maps_each_kind(kind, cls):
    exc = from_reply({"ok": False, "kind": kind, "message": "what happened", "traceback": "  cell 2, line 1, in f"})
    assert type(exc) is cls
    assert exc.message == "what happened"
    assert exc.traceback == "  cell 2, line 1, in f"
    assert exc.status is classify(exc)[0]


def test_from_reply_ungradable_is_the_learners_error():
    """The learner's side cannot declare its own failure the grader's fault."""
    exc = from_reply({"ok": False, "kind": "ungradable", "message": "bad arguments: x"})
    assert type(exc) is LearnerError
    assert exc.message == "bad arguments: x"


@pytest.mark.parametrize("reply", [{"ok": False, "kind": "no such kind", "message": "m"}, {"ok": False, "message": "m"}])
def test_from_reply_unknown_or_missing_kind_is_a_learner_error(reply):
    exc = from_reply(reply)
    assert type(exc) is LearnerError
    assert exc.message == "m"


def test_from_reply_bounds_message_and_traceback():
    exc = from_reply({"ok": False, "kind": "error", "message": "m" * 5000, "traceback": "t" * 5000})
    assert exc.message == "m" * 1000
    assert exc.traceback == "t" * 2000


def test_from_reply_stringifies_non_string_fields():
    exc = from_reply({"ok": False, "kind": "error", "message": ["not", "a", "string"], "traceback": None})
    assert exc.message == "['not', 'a', 'string']"
    assert exc.traceback == "None"


def test_value_from_reply_decodes_the_value():
    assert value_from_reply("double", {"ok": True, "value": {"$tuple": [1, 2]}}, []) == (1, 2)


def test_value_from_reply_with_bad_data_is_the_learners_error():
    with pytest.raises(LearnerError, match=r"^double returned data that cannot be read: unknown tag '\$nope'"):
        value_from_reply("double", {"ok": True, "value": {"$nope": 1}}, [])


def test_emit_warnings_re_emits_as_learner_warning():
    with pytest.warns(LearnerWarning) as record:
        emit_warnings("double", {"warnings": ["UserWarning: careful", "FutureWarning: soon"]})
    assert [str(w.message) for w in record] == ["double: UserWarning: careful", "double: FutureWarning: soon"]


def test_emit_warnings_without_warnings_is_silent():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emit_warnings("double", {"ok": True})
    assert caught == []
