"""grader/_stub: a value that still holds the released stub is "not attempted"."""

import pytest

from grader import _authoring as A
from grader._invoke import lookup
from grader._release import release_notebook
from grader._stub import is_stub_text


def test_a_query_region_released_inside_a_string_is_recognised():
    source = A.notebook(
        [A.solution("QUERY", 'QUERY = """\n-- ### BEGIN SOLUTION\nSELECT 1\n-- ### END SOLUTION\n"""')], "01_x", "t"
    )
    released = release_notebook(source).cells[0].source
    namespace = {}
    exec(released, namespace)  # the released cell runs: Run All is not stopped
    assert is_stub_text(namespace["QUERY"])
    reply, _, _ = lookup(namespace, "QUERY")
    assert reply["kind"] == "not_attempted" and "stub" in reply["message"]


@pytest.mark.parametrize("value", ["SELECT 1", "-- raise NotImplementedError() in a comment", 3, None])
def test_answers_are_not_the_stub(value):
    assert not is_stub_text(value)
    reply, got, _ = lookup({"QUERY": value}, "QUERY")
    assert reply["ok"] and got == value
