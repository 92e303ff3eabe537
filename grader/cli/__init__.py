"""The ``mlday`` command. Each command is one module, imported only when it runs."""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys

from . import _status

# name -> (module, one-line summary); keeps --help from importing the commands.
COMMANDS = {
    "check": ("grader.cli.check", "run the public tests on a notebook"),
    "grade": ("grader.cli.grade", "grade submissions with public and hidden tests, in a sandbox"),
    "validate": ("grader.cli.validate", "prove the solutions pass, the stubs score zero, the mistakes are caught"),
    "list": ("grader.cli.list", "list the exercises, their questions, tests and mistakes"),
    "release": ("grader.cli.release", "write exercises/ from solutions/, or check that it is in sync"),
    "doctor": ("grader.cli.doctor", "say which sandbox levels work here, and what a stronger one needs"),
    "export": ("grader.cli.export", "build a Gradescope autograder zip"),
    "report": ("grader.cli.report", "write a class report (HTML with plots) from a grading folder"),
    "progress": ("grader.cli.progress", "show how far you are: public tests passing per exercise"),
    "convert": ("grader.cli.convert", "convert a notebook to a jupytext .py file, or back"),
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: mlday COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "Run 'mlday COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run one mlday command; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return _status.SUCCESS if argv else _status.USAGE_ERROR
    if argv[0] == "--version":
        from grader import __version__

        print(f"mlday {__version__}")
        return _status.SUCCESS
    name = argv[0]
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f" - did you mean '{close[0]}'?" if close else f"; the commands are: {', '.join(COMMANDS)}"
        print(f"mlday: unknown command '{name}'{hint}", file=sys.stderr)
        return _status.USAGE_ERROR
    module_name, summary = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"mlday {name}", description=summary)
    module.add_arguments(parser)
    try:
        args = parser.parse_args(argv[1:])
    except SystemExit as exc:
        return int(exc.code or 0) and _status.USAGE_ERROR
    os.environ.setdefault("MPLBACKEND", "Agg")
    # One BLAS thread per grading process: -j runs several, and small fits in the tests
    # are many times slower when threads fight over the cores.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from grader._errors import MldayError

    try:
        return module.run(args)
    except MldayError as exc:
        print(f"mlday {name}: error: {exc}", file=sys.stderr)
        return _status.BAD_INPUT
    except KeyboardInterrupt:
        print(f"mlday {name}: interrupted", file=sys.stderr)
        return _status.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        if os.environ.get("MLDAY_DEBUG"):
            raise
        print(f"mlday {name}: internal error: {type(exc).__name__}: {exc} (set MLDAY_DEBUG=1 to see the traceback)", file=sys.stderr)
        return _status.INTERNAL_ERROR
