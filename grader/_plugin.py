"""The pytest plugin: questions, the ``learner`` and ``reference`` fixtures, and outcomes.

Registered under ``pytest11``, so a plain ``pytest --mlday-notebook NB tests.py``
grades a notebook; ``mlday grade`` drives the same plugin with its own session.
"""

from __future__ import annotations

import pytest

from ._outcomes import Status, classify

NAMESPACE_KEY = pytest.StashKey[object]()


def pytest_addoption(parser):
    """Register the mlday options, each mirrored as an ini value."""
    group = parser.getgroup("mlday", "mlday grading")
    group.addoption("--mlday-notebook", default=None, help="the learner notebook that the tests grade")
    group.addoption("--mlday-question", action="append", default=[], help="only the tests of this question (repeatable)")
    parser.addini("mlday_call_timeout", "wall-clock limit of one call of a learner's name, in seconds", default="30")
    parser.addini("mlday_cell_timeout", "wall-clock limit of one notebook cell, in seconds", default="60")


def pytest_configure(config):
    """Declare the ``question`` marker."""
    config.addinivalue_line(
        "markers", "question(name, points=1): the graded question (the learner's name) this test belongs to"
    )


def pytest_collection_modifyitems(config, items):
    """Keep only the tests of the questions asked for with --mlday-question."""
    wanted = set(config.getoption("--mlday-question") or ())
    if not wanted:
        return
    keep = [item for item in items if question_of(item)[0] in wanted]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Run a hidden test with the assertion helpers' values not shown."""
    from .testing import HIDDEN_VALUES

    token = HIDDEN_VALUES.set(is_hidden(item.path))
    try:
        return (yield)
    finally:
        HIDDEN_VALUES.reset(token)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the mlday status and message of the test to its report."""
    report = yield
    if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
        exc = call.excinfo.value if call.excinfo is not None else None
        if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception):
            status, message = Status.UNGRADABLE, f"skipped: {exc}"
        else:
            status, message = classify(exc, hidden=is_hidden(item.path))
        name, points = question_of(item)
        doc = (getattr(item, "function", None).__doc__ or "").strip() if hasattr(item, "function") else ""
        report.user_properties.extend(
            [
                ("mlday_status", status.value),
                ("mlday_message", message),
                ("question", name),
                ("points", points),
                ("title", doc.splitlines()[0] if doc else item.name),
                ("hidden", is_hidden(item.path)),
            ]
        )
    return report


def is_hidden(path) -> bool:
    """True for tests that run only at grading (they live with the solutions)."""
    return path.stem.endswith("_hidden") or "solutions" in path.parts


def question_of(item) -> tuple[str | None, float]:
    """The (question name, points) a test item declares with its marker."""
    marker = item.get_closest_marker("question")
    if marker is None:
        return None, 0.0
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    return name, float(marker.kwargs.get("points", marker.args[1] if len(marker.args) > 1 else 1))


@pytest.fixture(scope="session")
def learner(request):
    """The learner's names, called through the trust boundary."""
    from ._proxy import RemoteNamespace

    namespace = request.config.stash.get(NAMESPACE_KEY, None)
    if namespace is not None:
        return namespace
    path = request.config.getoption("--mlday-notebook")
    if not path:
        pytest.skip("no learner notebook to grade: pass --mlday-notebook NOTEBOOK")
    from ._grading import session_for_notebook

    session = session_for_notebook(path, timeouts=_ini_timeouts(request.config))
    request.addfinalizer(session.close)
    return RemoteNamespace(session)


def _ini_timeouts(config) -> dict:
    return {
        "call_seconds": float(config.getini("mlday_call_timeout")),
        "cell_seconds": float(config.getini("mlday_cell_timeout")),
    }


@pytest.fixture
def reference(request):
    """The reference solution of the test's exercise, run in this trusted process."""
    from ._reference import reference_for_test_file

    return reference_for_test_file(request.path)
