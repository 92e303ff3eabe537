"""mlday doctor: which isolation levels work on this machine, and what is missing."""

from __future__ import annotations

from . import _status

_PROTECTS = {
    "strict": "hidden tests, solutions and other learners' files are invisible; no network; unprivileged uid",
    "standard": "hidden tests, solutions and other learners' files are invisible; no network (user namespace)",
    "basic": "process separation, data-only wire, rlimits; does NOT stop file reads or network",
}


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from grader._sandbox import LEVELS, available, resolve

    reasons = available()
    for level in LEVELS:
        state = "available" if not reasons[level] else f"not available: {reasons[level]}"
        print(f"{level:<9} {state}")
        print(f"{'':<9} {_PROTECTS[level]}")
    print(f"mlday grade will use: {resolve('auto')}")
    return _status.SUCCESS
