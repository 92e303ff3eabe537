"""mlday's grader: check a learner's notebook against public and hidden tests, safely.

Heavy modules load on first use, so that the worker process and ``--help`` stay cheap.
"""

__version__ = "0.1.0"

__all__ = ["Status", "NotAttempted", "LearnerError", "Timeout", "OutOfMemory", "Ungradable", "bind", "Limits"]

_LAZY = {
    "Status": "grader._outcomes",
    "NotAttempted": "grader._outcomes",
    "LearnerError": "grader._outcomes",
    "Timeout": "grader._outcomes",
    "OutOfMemory": "grader._outcomes",
    "Ungradable": "grader._outcomes",
    "Limits": "grader._limits",
    "bind": "grader.learner",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
