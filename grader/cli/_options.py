"""Options shared by the commands that run learner code."""

from __future__ import annotations

import dataclasses

from grader._errors import MldayError
from grader._limits import Limits, check_limit

# rlimits and counts must be whole numbers; wall-clock limits may be fractions.
INTEGER_LIMITS = {f.name for f in dataclasses.fields(Limits) if f.type == "int"}


def add_limit_options(parser) -> None:
    """--cell-timeout and --call-timeout (seconds), and --isolation."""
    add_isolation_option(parser)
    defaults = Limits()
    parser.add_argument("--cell-timeout", type=float, metavar="SECONDS", default=defaults.cell_seconds,
                        help=f"wall-clock limit of one notebook cell (default {defaults.cell_seconds:g})")
    parser.add_argument("--call-timeout", type=float, metavar="SECONDS", default=defaults.call_seconds,
                        help=f"wall-clock limit of one call of a learner's function (default {defaults.call_seconds:g})")
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                        help="any other limit, e.g. submission_seconds=900 or address_space_bytes=8e9 (repeatable; see the README)")


def add_isolation_option(parser) -> None:
    """--isolation strict|standard|basic|auto."""
    parser.add_argument("--isolation", choices=["auto", "strict", "standard", "basic"], default="auto",
                        help="the sandbox level (default: the strongest available; see 'mlday doctor')")


def limits_from(args) -> Limits:
    """The Limits the options ask for; a clear error for a bad value."""
    changes = {"cell_seconds": args.cell_timeout, "call_seconds": args.call_timeout}
    for item in args.limit:
        name, sep, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = None
        if not sep or value is None:
            raise MldayError(f"--limit must be NAME=NUMBER, e.g. submission_seconds=900. Got {item!r} instead.")
        name = name.strip()
        if name in INTEGER_LIMITS and not value.is_integer():
            raise MldayError(f"--limit {name} must be a whole number. Got {text!r} instead.")
        changes[name] = int(value) if name in INTEGER_LIMITS else value
    try:
        for key, value in changes.items():
            check_limit(key, value)
    except ValueError as exc:
        raise MldayError(str(exc)) from None
    return Limits().replace(**changes)
