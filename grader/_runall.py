"""Let Jupyter's "Run All" go past the cells that use an answer not written yet.

A released notebook has exploration cells that call the learner's functions. While a
function is still the released stub, such a cell raises NotImplementedError, and "Run
All" stops there: the learner never sees the checks of the questions below it.
``bind()`` installs a :class:`StubGuard` as an IPython input transformer. Before a cell
runs, the guard looks at the names it reads: if one still holds the released stub (or
was to be made by a cell the guard skipped for that reason), the cell is replaced by
one that prints a friendly line instead of raising.

Nothing else changes:

- a cell that defines a graded name (a solution cell) and a test cell run untouched;
- the guard lives only in an IPython kernel: mlday's worker runs cells by exec, and it
  is not installed while grading (``MLDAY_GRADING``) nor under nbgrader's autograde and
  validate (``NBGRADER_EXECUTION``), so no grade depends on it;
- a failure of the guard itself leaves the cell as it was.

Why an input transformer: the released notebook must stay exactly what nbgrader makes
from the source, so the cells themselves cannot change; and an exception handler
(``set_custom_exc``) would still end the cell in error, which stops "Run All". Deciding
before the cell runs, from the values the cell would read, never hides an error of the
learner's own code: a cell runs as written as soon as the answers it reads exist.
"""

from __future__ import annotations

import ast
import os
import sys
import types
from dataclasses import dataclass

from ._stub import is_stub_text

__all__ = ["StubGuard", "install"]

_MARK = "_mlday_stub_guard"


def code_key(code: types.CodeType) -> tuple:
    """What makes two functions' code the same wherever, and on whichever line, they
    were compiled: the bytecode, names and constants, nested code included."""
    consts = tuple(
        code_key(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c)) for c in code.co_consts
    )
    return (
        code.co_name, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_code,
        code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars, consts,
    )


def _stub_codes(code: types.CodeType):
    """The keys of the code objects under ``code`` that raise NotImplementedError."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if "NotImplementedError" in const.co_names:
                yield code_key(const)
            yield from _stub_codes(const)


@dataclass(frozen=True)
class ReleasedStubs:
    """What the guard knows of an exercise's released notebook.

    Parameters
    ----------
    codes : frozenset
        The :func:`code_key` of every released stub function (and method).
    names : frozenset
        The graded names: a cell that binds one of them is a solution cell.
    tests : frozenset
        The sources of the test cells, stripped: they always run untouched.
    """

    codes: frozenset
    names: frozenset
    tests: frozenset


def released_stubs(nb) -> ReleasedStubs:
    """The stubs, graded names and test cells of the released notebook ``nb``."""
    from ._notebook import is_grade, is_solution, solution_names

    codes = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and is_solution(cell):
            try:
                codes.update(_stub_codes(compile(cell.source, "<released>", "exec", dont_inherit=True)))
            except (SyntaxError, ValueError):
                continue
    tests = {c.source.strip() for c in nb.cells if c.cell_type == "code" and is_grade(c)}
    return ReleasedStubs(frozenset(codes), frozenset(solution_names(nb)), frozenset(tests))


def is_stub_value(value, codes) -> bool:
    """True for a value that is still the released stub: a stub function, a class with a
    stub method, or a string that holds the stub."""
    if is_stub_text(value):
        return True
    if isinstance(value, types.FunctionType):
        return code_key(value.__code__) in codes
    if isinstance(value, type):
        for member in vars(value).values():
            fn = getattr(member, "__func__", member)
            if isinstance(fn, types.FunctionType) and code_key(fn.__code__) in codes:
                return True
    return False


class _Names(ast.NodeVisitor):
    """The names a cell reads and binds as it runs: function and lambda bodies run
    later, if ever, so only their decorators and defaults count."""

    def __init__(self):
        self.reads: set[str] = set()
        self.binds: set[str] = set()

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.reads.add(node.id)
        elif isinstance(node.ctx, ast.Store):
            self.binds.add(node.id)

    def visit_FunctionDef(self, node):
        self.binds.add(node.name)
        for child in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if child is not None:
                self.visit(child)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for child in (*node.args.defaults, *node.args.kw_defaults):
            if child is not None:
                self.visit(child)

    def visit_ClassDef(self, node):
        self.binds.add(node.name)
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name != "*":
                self.binds.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import


def _join(names) -> str:
    names = sorted(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def friendly_line(unwritten, waiting=(), needs=()) -> str:
    """The line a skipped cell prints instead of an error."""
    if unwritten:
        return f"This cell uses {_join(unwritten)}, which you have not written yet; it will run once you have."
    return (
        f"This cell uses {_join(waiting)}, from a cell above that needs {_join(needs)}, "
        "which you have not written yet; it will run once you have."
    )


class StubGuard:
    """An IPython input transformer (a callable from lines to lines) that skips the
    cells that would fail only because an answer is still the stub.

    Parameters
    ----------
    namespace : dict
        The notebook's globals, where the learner's names live.
    load : callable
        Returns the exercise's :class:`ReleasedStubs`, or None; called once, on first use,
        so that ``bind()`` stays fast.
    """

    def __init__(self, namespace: dict, load):
        self.namespace = namespace
        self._load = load
        self._stubs: ReleasedStubs | None = None
        self._loaded = False
        # name -> the unwritten answers that the skipped cell making it needed
        self.pending: dict[str, frozenset] = {}
        setattr(self, _MARK, True)

    def stubs(self) -> ReleasedStubs | None:
        if not self._loaded:
            self._loaded = True
            try:
                self._stubs = self._load()
            except Exception:  # noqa: BLE001 - no workbook here: the guard does nothing
                self._stubs = None
        return self._stubs

    def __call__(self, lines: list[str]) -> list[str]:
        """The cell's lines, or a line that prints why the cell waits."""
        try:
            return self.transform(lines)
        except Exception:  # noqa: BLE001 - an input transformer that raises breaks every cell
            return lines

    def transform(self, lines: list[str]) -> list[str]:
        source = "".join(lines)
        stubs = self.stubs()
        if stubs is None or not (stubs.codes or stubs.names) or source.strip() in stubs.tests:
            return lines
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return lines
        names = _Names()
        names.visit(tree)
        if names.binds & stubs.names:
            return lines
        ns = self.namespace
        unwritten = {n for n in names.reads if n in ns and is_stub_value(ns[n], stubs.codes)}
        waiting = {n for n in names.reads - names.binds if n not in ns and n in self.pending}
        if not unwritten and not waiting:
            return lines
        needs = frozenset(unwritten).union(*(self.pending[n] for n in waiting))
        # The names this cell would have made now wait too, until a cell makes them.
        for name in names.binds:
            if name not in ns:
                self.pending[name] = needs
        return [f"print({friendly_line(unwritten, waiting, needs)!r})\n"]


def _shell():
    """The running IPython shell, or None (IPython is not imported just to ask)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return shell if hasattr(shell, "input_transformers_post") else None


def load_released_stubs(exercise_name: str) -> ReleasedStubs:
    """The :class:`ReleasedStubs` of the exercise's notebook in ``exercises/``."""
    from ._exercises import get_exercise
    from ._notebook import read_notebook
    from ._paths import project_root

    return released_stubs(read_notebook(get_exercise(project_root(), exercise_name).released))


def install(namespace: dict, exercise_name: str) -> StubGuard | None:
    """Install a :class:`StubGuard` for ``exercise_name`` in the running IPython shell,
    replacing one installed before; None (and nothing installed) outside IPython or
    while grading."""
    if os.environ.get("MLDAY_GRADING") == "1" or os.environ.get("NBGRADER_EXECUTION"):
        return None
    shell = _shell()
    if shell is None:
        return None
    guard = StubGuard(namespace, lambda: load_released_stubs(exercise_name))
    others = [t for t in shell.input_transformers_post if not getattr(t, _MARK, False)]
    shell.input_transformers_post[:] = [*others, guard]
    return guard
