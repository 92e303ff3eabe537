"""The bundled demo class of exercise 01 grades as the README says: a perfect learner,
a partly right one, a blank one and one that tries to cheat."""

from pathlib import Path

import pytest

from grader._grading import grade_notebook
from grader._limits import Limits
from grader._outcomes import Status
from grader._sandbox import resolve

ROOT = Path(__file__).resolve().parents[1]
CLASS = ROOT / "solutions" / "demo_class"
LIMITS = Limits(cell_seconds=10, call_seconds=10)
# Where the sandbox hides the solutions (the cheat's test is skipped elsewhere), the
# cheat's search of the disk never ends: two cells and two calls run into their limit,
# whatever it is. A shorter limit gives the same outcome in half the time.
CHEAT_LIMITS = {"mallory": Limits(cell_seconds=4, call_seconds=4)}


@pytest.fixture(scope="module")
def grades():
    return {
        d.name: grade_notebook(d / "01_morning_review.ipynb", ROOT, learner=d.name, limits=CHEAT_LIMITS.get(d.name, LIMITS))
        for d in sorted(CLASS.iterdir())
    }


def test_the_perfect_submission_earns_full_marks(grades):
    ada = grades["ada"]
    assert ada.max_score > 0 and ada.score == ada.max_score
    assert not ada.cells and not ada.ungradable


def test_the_partly_right_submission_earns_part(grades):
    ben = grades["ben"]
    assert 0 < ben.score < ben.max_score
    statuses = {t.question: {x.status for x in ben.tests if x.question == t.question} for t in ben.tests}
    assert statuses["missed_fraud"] == {Status.NOT_ATTEMPTED}
    assert Status.FAILED in statuses["ALERTS_BY_DAY_SQL"]


def test_the_blank_submission_is_not_attempted(grades):
    cleo = grades["cleo"]
    assert cleo.score == 0
    assert {t.status for t in cleo.tests} == {Status.NOT_ATTEMPTED}


@pytest.mark.skipif(
    resolve("auto") == "basic", reason="the cheat reads the solutions from disk, which the basic level does not stop"
)
def test_the_cheat_earns_nothing_and_nothing_is_ungradable(grades):
    mallory = grades["mallory"]
    assert mallory.score == 0
    assert not mallory.ungradable
    assert all(t.status is not Status.UNGRADABLE for t in mallory.tests)
