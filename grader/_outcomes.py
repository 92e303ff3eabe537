"""Outcomes of a test, and the exceptions that carry them.

A learner's call through the proxy either returns data or raises one of the
exceptions below; the pytest plugin turns whatever a test raised into exactly
one :class:`Status`.
"""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    """The one outcome of one test."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"
    ERROR = "error"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out of memory"
    UNGRADABLE = "ungradable"


class LearnerOutcome(Exception):
    """Base of the outcomes caused by the learner's code, not by the test."""

    status = Status.ERROR

    def __init__(self, message: str, *, traceback: str = "", brief: str = ""):
        super().__init__(message)
        self.message = message
        self.traceback = traceback
        self.brief = brief or message


class NotAttempted(LearnerOutcome):
    """The name is not defined, or its body is still the stub."""

    status = Status.NOT_ATTEMPTED


class LearnerError(LearnerOutcome):
    """The learner's code raised, or returned something that cannot be graded."""

    status = Status.ERROR


class Timeout(LearnerOutcome):
    """A cell or a call ran past its wall-clock or CPU limit."""

    status = Status.TIMEOUT


class OutOfMemory(LearnerOutcome):
    """A cell or a call ran past its memory limit."""

    status = Status.OUT_OF_MEMORY


class Ungradable(Exception):
    """The grader itself failed; never a zero, never full marks."""

    status = Status.UNGRADABLE


class LearnerWarning(UserWarning):
    """A warning that the learner's code emitted in the worker, emitted again here."""


_KINDS = {
    "not_attempted": NotAttempted,
    "error": LearnerError,
    "timeout": Timeout,
    "out_of_memory": OutOfMemory,
}


def from_reply(reply: dict) -> LearnerOutcome:
    """The exception that a failed reply from the learner's side stands for.

    The learner's side is untrusted: whatever it says, it cannot declare its own
    failure the grader's fault, so an unknown kind (or "ungradable") is the learner's error.
    """
    kind = reply.get("kind")
    message = str(reply.get("message", ""))[:1000]
    brief = str(reply.get("brief", ""))[:300]
    return _KINDS.get(kind, LearnerError)(message, traceback=str(reply.get("traceback", ""))[:2000], brief=brief)


def value_from_reply(name: str, reply: dict, blobs: list[bytes]):
    """Decode the value of a successful reply; data that will not decode is the learner's error."""
    from ._wire import WireError, decode

    try:
        return decode(reply.get("value"), blobs)
    except WireError as exc:
        raise LearnerError(f"{name} returned data that cannot be read: {exc}") from None


def emit_warnings(name: str, reply: dict) -> None:
    """Emit again, as LearnerWarning, the warnings the learner's call recorded."""
    import warnings

    for text in reply.get("warnings", []):
        warnings.warn(LearnerWarning(f"{name}: {text}"), stacklevel=4)


def classify(exc: BaseException | None, hidden: bool = False) -> tuple[Status, str]:
    """Map what a test raised to its status and the message a learner sees.

    For a hidden test, the learner's exception is named without its text, which could
    echo the hidden data the call was given.
    """
    if exc is None:
        return Status.PASSED, ""
    if isinstance(exc, LearnerOutcome):
        text = exc.brief if hidden else exc.message
        if exc.traceback:
            text = f"{text}\n{exc.traceback}".rstrip()
        return exc.status, text
    if isinstance(exc, AssertionError) or _is_pytest_failure(exc):
        return Status.FAILED, _author_message(exc)
    if isinstance(exc, Ungradable):
        return Status.UNGRADABLE, str(exc)
    return Status.UNGRADABLE, f"the grader failed: {type(exc).__name__}: {exc}"


def _is_pytest_failure(exc: BaseException) -> bool:
    # pytest.fail() and a pytest.raises() that saw nothing raise this outcome.
    cls = type(exc)
    return cls.__name__ == "Failed" and cls.__module__.startswith("_pytest")


def _author_message(exc: BaseException) -> str:
    # pytest rewrites bare asserts into "assert x == y + where ..." explanations, which
    # would show the test's source and values (hidden data): keep the author's text only.
    kept = []
    for line in str(exc).strip().splitlines():
        if line.startswith("assert ") or line.startswith("AssertionError"):
            break
        kept.append(line)
    return "\n".join(kept).strip() or "the check failed"
