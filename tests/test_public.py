"""grader/_public and grader.testing.public_tests: one public module, shared by the
hints and by the hidden tests that reuse its helpers."""

from pathlib import Path

import pytest

from grader._hints import load_hints
from grader._outcomes import Ungradable
from grader._public import load_public_module
from grader.testing import public_tests


def _workbook(tmp_path: Path) -> Path:
    (tmp_path / "exercises" / "tests").mkdir(parents=True)
    (tmp_path / "solutions" / "tests").mkdir(parents=True)
    (tmp_path / "exercises" / "tests" / "test_42_answer.py").write_text(
        'HINTS = {"answer": ["think", "harder"]}\n\ndef helper():\n    return 42\n'
    )
    return tmp_path


def test_a_hidden_file_gets_its_exercises_public_module(tmp_path):
    root = _workbook(tmp_path)
    module = public_tests(root / "solutions" / "tests" / "test_42_answer_hidden.py")
    assert module.helper() == 42
    assert module is load_public_module(root / "exercises" / "tests" / "test_42_answer.py")
    assert load_hints(root / "exercises" / "tests" / "test_42_answer.py") == {"answer": ["think", "harder"]}


def test_a_file_of_no_exercise_is_ungradable(tmp_path):
    with pytest.raises(Ungradable, match="cannot tell the exercise"):
        public_tests(_workbook(tmp_path) / "solutions" / "tests" / "helpers.py")
