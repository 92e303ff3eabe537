"""Load an exercise's public tests in the background, so the first ``check()`` is quick.

The first ``check()`` in a fresh kernel pays once for starting pytest and importing the
exercise's test module (about a second); later calls take a tenth of that. ``bind()``
runs in the notebook's setup cell, long before the learner's first ``check()``, so it
starts that loading in a daemon thread: pytest collects the public tests (collects, never
runs them) with output capture off, so the cells that run meanwhile print as usual.

Only one pytest session may run at a time in a process: ``check()`` takes :data:`LOCK`,
and so waits for a warm-up still under way instead of racing it. A failing warm-up
is ignored: the ``check()`` that follows reports the same problem properly.
"""

from __future__ import annotations

import os
import threading

__all__ = ["LOCK", "start"]

#: Held by whoever runs pytest in this process: the warm-up, or ``check()``.
LOCK = threading.RLock()


def start(exercise_name: str) -> threading.Thread | None:
    """Start loading ``exercise_name``'s public tests in a daemon thread; None (nothing
    started) while grading or under nbgrader, where no learner waits for ``check()``."""
    if os.environ.get("MLDAY_GRADING") == "1" or os.environ.get("NBGRADER_EXECUTION"):
        return None
    thread = threading.Thread(target=_collect, args=(exercise_name,), name="mlday-warm-up", daemon=True)
    thread.start()
    return thread


def _collect(exercise_name: str) -> None:
    with LOCK:
        try:
            import pytest

            from ._exercises import get_exercise
            from ._inventory import pytest_args
            from ._paths import project_root

            exercise = get_exercise(project_root(), exercise_name)
            files = exercise.test_files(hidden=False)
            if files:
                # Capture off: fd-level capture from this thread would swallow what the
                # learner's cells print meanwhile.
                pytest.main([*pytest_args(exercise, files), "--collect-only", "-p", "no:capture", "-p", "no:faulthandler"])
        except BaseException:  # noqa: BLE001 - the next check() reports any real problem
            pass
