"""Tests of grader._runall: the IPython input transformer that lets "Run All" go past
cells that use an answer still the released stub. Cells run here as IPython runs them:
the transformer first, then the code. The real kernel is in tests/test_kernels.py."""

from __future__ import annotations

import contextlib
import io
import types

import pytest
from conftest import TOY

from grader import _authoring as A
from grader import _runall
from grader._release import release_notebook
from grader._runall import (
    ReleasedStubs,
    StubGuard,
    install,
    is_stub_value,
    load_released_stubs,
    released_stubs,
)

FRIENDLY = "which you have not written yet; it will run once you have."

SOURCE = A.notebook(
    [
        A.code("from grader import bind", grade_id="setup"),
        A.solution("double", 'def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION'),
        A.test("double", 1),
        A.solution(
            "Scaler",
            "class Scaler:\n    def fit(self, x):\n        ### BEGIN SOLUTION\n        self.top_ = max(x)\n"
            "        return self\n        ### END SOLUTION\n\n    def name(self):\n        return 'scaler'",
        ),
        A.test("Scaler", 1),
        A.solution("QUERY", 'QUERY = """\n### BEGIN SOLUTION\nSELECT 1\n### END SOLUTION\n"""'),
        A.test("QUERY", 1),
    ],
    "98_runall",
    "Run All",
)
RELEASED = release_notebook(SOURCE)


def solution_cell(name: str) -> str:
    return next(c.source for c in RELEASED.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)


def run(guard, namespace: dict, source: str) -> str:
    """Run one cell as IPython does (transform, then exec); return what it printed."""
    lines = guard(source.splitlines(keepends=True)) if guard is not None else [source]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile("".join(lines), "<cell>", "exec"), namespace)
    return out.getvalue()


@pytest.fixture
def stubs():
    return released_stubs(RELEASED)


@pytest.fixture
def kernel(stubs):
    """(guard, namespace) after the released solution cells ran."""
    namespace: dict = {}
    guard = StubGuard(namespace, lambda: stubs)
    for name in ("double", "Scaler", "QUERY"):
        assert run(guard, namespace, solution_cell(name)) == ""
    return guard, namespace


def test_released_stubs_knows_the_graded_names_and_test_cells(stubs):
    assert stubs.names == {"double", "Scaler", "QUERY"}
    assert stubs.tests == {c.source.strip() for c in RELEASED.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert len(stubs.codes) == 2  # double, Scaler.fit; Scaler.name is no stub


def test_without_the_guard_a_cell_that_calls_a_stub_stops_run_all(kernel):
    _, namespace = kernel
    with pytest.raises(NotImplementedError):
        run(None, namespace, "print(double(2))")


def test_a_cell_that_calls_a_stub_prints_a_friendly_line(kernel):
    guard, namespace = kernel
    assert run(guard, namespace, "print(double(2))") == f"This cell uses double, {FRIENDLY}\n"


def test_a_class_with_a_stub_method_and_a_stub_string_are_stubs(kernel):
    guard, namespace = kernel
    assert run(guard, namespace, "Scaler().fit([1])") == f"This cell uses Scaler, {FRIENDLY}\n"
    assert run(guard, namespace, "QUERY.upper()\ndouble(1)") == f"This cell uses QUERY and double, {FRIENDLY}\n"


def test_once_written_the_cell_runs(kernel):
    guard, namespace = kernel
    run(guard, namespace, "def double(x):\n    return 2 * x")
    assert run(guard, namespace, "print(double(2))") == "4\n"


def test_a_cell_that_defines_a_graded_name_runs_untouched(kernel):
    guard, namespace = kernel
    # The learner's solution cell tries its own (still stub) neighbour: their error, shown as is.
    with pytest.raises(NotImplementedError):
        run(guard, namespace, "Scaler().fit([1])\n\ndef double(x):\n    return 2 * x")
    assert run(guard, namespace, "def double(x):\n    return 2 * x\n\nprint(double(3))") == "6\n"


def test_test_cells_run_untouched(stubs):
    lines = ['check("double")\n']
    guard = StubGuard({"double": object()}, lambda: ReleasedStubs(stubs.codes, stubs.names, frozenset({'check("double")'})))
    assert guard(lines) is lines
    # Even one that reads a stub: the guard never turns a failing test into a quiet one.
    namespace = {}
    exec(compile(solution_cell("double"), "<cell>", "exec"), namespace)
    guard = StubGuard(namespace, lambda: ReleasedStubs(stubs.codes, frozenset(), frozenset({"assert double(2) == 4"})))
    assert guard(["assert double(2) == 4\n"]) == ["assert double(2) == 4\n"]


def test_the_stub_is_recognised_wherever_it_was_compiled(stubs):
    namespace: dict = {}
    exec(compile("\n\n# moved down\n" + solution_cell("double"), "<other cell>", "exec"), namespace)
    assert is_stub_value(namespace["double"], stubs.codes)
    exec(compile(solution_cell("double").replace("raise NotImplementedError()", "return 2 * x"), "<cell>", "exec"), namespace)
    assert not is_stub_value(namespace["double"], stubs.codes)
    assert not is_stub_value(print, stubs.codes) and not is_stub_value(3, stubs.codes)


def test_a_name_made_by_a_skipped_cell_waits_too(kernel):
    guard, namespace = kernel
    assert run(guard, namespace, "doubled = double(2)") == f"This cell uses double, {FRIENDLY}\n"
    assert run(guard, namespace, "print(doubled + 1)") == (
        f"This cell uses doubled, from a cell above that needs double, {FRIENDLY}\n"
    )
    # A cell that makes the name itself first is not waiting for it.
    assert run(guard, namespace, "doubled = 5\nprint(doubled)") == "5\n"


def test_function_bodies_do_not_count(kernel):
    guard, namespace = kernel
    assert run(guard, namespace, "def helper():\n    return double(2)\n\nf = lambda: QUERY") == ""
    assert callable(namespace["helper"]) and callable(namespace["f"])


def test_a_cell_that_reads_no_stub_runs_untouched(kernel):
    guard, _ = kernel
    lines = ["x = [1, 2]\n", "print(len(x))\n"]
    assert guard(lines) is lines


def test_code_that_is_not_python_is_left_to_ipython(kernel):
    guard, _ = kernel
    lines = ["def broken(:\n", "    double(1)\n"]
    assert guard(lines) is lines


def test_a_failure_of_the_guard_leaves_the_cell_as_it_was(stubs):
    class Exploding(dict):
        def __contains__(self, key):
            raise RuntimeError("boom")

    lines = ["double(2)\n"]
    assert StubGuard(Exploding(), lambda: stubs)(lines) is lines

    def no_workbook():
        raise RuntimeError("no workbook here")

    assert StubGuard({}, no_workbook)(lines) is lines


def test_load_released_stubs_reads_the_exercise_from_the_workbook(toy_workbook, monkeypatch):
    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    stubs = load_released_stubs(TOY)
    assert stubs.names == {"double"} and len(stubs.codes) == 1


def fake_shell(monkeypatch, *existing):
    shell = types.SimpleNamespace(input_transformers_post=list(existing))
    monkeypatch.setattr(_runall, "_shell", lambda: shell)
    return shell


def test_install_replaces_an_earlier_guard_and_keeps_other_transformers(monkeypatch):
    monkeypatch.delenv("MLDAY_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    other = lambda lines: lines
    shell = fake_shell(monkeypatch, other)
    first = install({}, TOY)
    second = install({}, TOY)
    assert isinstance(first, StubGuard) and shell.input_transformers_post == [other, second]


@pytest.mark.parametrize("var, value", [("MLDAY_GRADING", "1"), ("NBGRADER_EXECUTION", "autograde"), ("NBGRADER_EXECUTION", "validate")])
def test_nothing_is_installed_while_grading(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    shell = fake_shell(monkeypatch)
    assert install({}, TOY) is None
    assert shell.input_transformers_post == []


def test_nothing_is_installed_outside_ipython(monkeypatch):
    # mlday's worker runs cells by exec: there is no IPython shell to hook into.
    monkeypatch.delenv("MLDAY_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert _runall._shell() is None
    assert install({}, TOY) is None


def test_bind_installs_the_guard(monkeypatch, toy_workbook):
    from grader.learner import bind

    monkeypatch.setenv("MLDAY_ROOT", str(toy_workbook.root))
    monkeypatch.delenv("MLDAY_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shell = fake_shell(monkeypatch)
    namespace: dict = {}
    bind(TOY, namespace)
    [guard] = shell.input_transformers_post
    assert isinstance(guard, StubGuard) and guard.namespace is namespace
