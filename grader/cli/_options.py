"""Options shared by the commands that run learner code."""

from __future__ import annotations

from grader._errors import MldayError
from grader._limits import Limits, check_limit


def add_limit_options(parser) -> None:
    """--cell-timeout and --call-timeout (seconds), and --isolation."""
    add_isolation_option(parser)
    defaults = Limits()
    parser.add_argument("--cell-timeout", type=float, metavar="SECONDS", default=defaults.cell_seconds,
                        help=f"wall-clock limit of one notebook cell (default {defaults.cell_seconds:g})")
    parser.add_argument("--call-timeout", type=float, metavar="SECONDS", default=defaults.call_seconds,
                        help=f"wall-clock limit of one call of a learner's function (default {defaults.call_seconds:g})")


def add_isolation_option(parser) -> None:
    """--isolation strict|standard|basic|auto."""
    parser.add_argument("--isolation", choices=["auto", "strict", "standard", "basic"], default="auto",
                        help="the sandbox level (default: the strongest available; see 'mlday doctor')")


def limits_from(args) -> Limits:
    """The Limits the options ask for; a clear error for a bad value."""
    changes = {"cell_seconds": args.cell_timeout, "call_seconds": args.call_timeout}
    try:
        for key, value in changes.items():
            check_limit(key, value)
    except ValueError as exc:
        raise MldayError(str(exc)) from None
    return Limits().replace(**changes)
