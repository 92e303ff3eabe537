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


def strip_magics(source: str) -> str:
    """Turn IPython magics and shell escapes into no-ops, keeping line numbers."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n".join(f"# {line}" for line in lines)
    out = []
    for line in lines:
        match = _MAGIC.match(line)
        if match and not _is_modulo_continuation(out):
            out.append(f"{match.group(1)}pass  # {match.group(2)}{match.group(3)}")
        else:
            out.append(line)
    return "\n".join(out)


def _is_modulo_continuation(previous: list[str]) -> bool:
    # "x = (a\n % b)" is arithmetic, not a magic
    return bool(previous) and previous[-1].rstrip().endswith(("(", ",", "\\", "[", "{"))


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
