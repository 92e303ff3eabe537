"""Run notebook cells in one namespace, the way a kernel would."""

from __future__ import annotations

import builtins
import linecache
import re
import sys
import types

from .._invoke import cell_filename, describe_exception, failure

# IPython syntax that plain Python cannot compile: line magics, cell magics, shell escapes.
_MAGIC = re.compile(r"^(\s*)(%%?|!)(.*)$")
# Cell magics whose body IPython runs as Python; any other cell magic's body is not Python.
_RUNS_BODY = ("time", "timeit", "capture", "prun")


def strip_magics(source: str) -> str:
    """Turn IPython magics and shell escapes into no-ops, keeping line numbers."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        name = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].lstrip()[2:].strip() else ""
        if name in _RUNS_BODY:
            return "\n".join([f"# {lines[0]}", *lines[1:]])
        return "\n".join(f"# {line}" for line in lines)
    out, depth = [], 0
    for line in lines:
        match = _MAGIC.match(line)
        continued = depth > 0 or (out and out[-1].rstrip().endswith("\\"))
        if match and not continued:
            out.append(f"{match.group(1)}pass  # {match.group(2)}{match.group(3)}")
        else:
            out.append(line)
            depth = max(0, depth + _bracket_balance(line))
    return "\n".join(out)


def _bracket_balance(line: str) -> int:
    # Rough: brackets inside strings or comments count too, which only makes a
    # following magic-looking line stay Python (the safe side).
    code = line.split("#", 1)[0]
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _display(*objs, **kwargs):
    """A stand-in for IPython's display(): grading has no screen."""


def new_main_module() -> types.ModuleType:
    """A fresh ``__main__`` whose dict is the notebook's namespace."""
    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=builtins, display=_display)
    sys.modules["__main__"] = main
    return main


def run_cell(namespace: dict, index: int, source: str) -> dict:
    """Execute one cell; describe an error as data instead of raising it."""
    filename = cell_filename(index)
    code_text = strip_magics(source)
    linecache.cache[filename] = (len(code_text), None, code_text.splitlines(True), filename)
    try:
        code = compile(code_text, filename, "exec")
    except SyntaxError as exc:
        return failure("error", f"cell {index} has a syntax error: {exc.msg} (line {exc.lineno})")
    try:
        exec(code, namespace)  # noqa: S102 - this process exists to run the learner's code
    except SystemExit:
        return failure("error", f"cell {index} called sys.exit(); the notebook went on with the next cell")
    except BaseException as exc:  # noqa: BLE001
        return describe_exception(f"cell {index}", exc)
    return {"ok": True}
