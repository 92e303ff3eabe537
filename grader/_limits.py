"""The resource limits a submission runs under (data only)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Limits for one submission's worker.

    Parameters
    ----------
    cell_seconds, call_seconds : float
        Wall-clock limit for one notebook cell, and for one call of a learner's name.
    submission_seconds : float
        Wall-clock limit for the whole submission: every cell and every call.
    cpu_seconds : int
        CPU time of the worker process (RLIMIT_CPU).
    address_space_bytes, file_size_bytes, open_files : int
        RLIMIT_AS, RLIMIT_FSIZE and RLIMIT_NOFILE of the worker.
    output_bytes : int
        Bytes of the learner's stdout/stderr that are kept; the rest is dropped.
    value_bytes : int
        Largest encoded value a learner's call may return.
    processes : int
        RLIMIT_NPROC (processes and threads) of the unprivileged sandbox uid; applied at
        the strict level only, where that uid belongs to the sandboxes alone.
    restarts : int
        How often a worker that died or hung is started again for the next test.
    """

    cell_seconds: float = 60.0
    call_seconds: float = 30.0
    submission_seconds: float = 600.0
    cpu_seconds: int = 900
    address_space_bytes: int = 4 << 30
    file_size_bytes: int = 256 << 20
    open_files: int = 256
    output_bytes: int = 64 << 10
    value_bytes: int = 128 << 20
    processes: int = 256
    restarts: int = 10

    def replace(self, **changes) -> "Limits":
        """A copy with some fields changed; each must be positive."""
        for key, value in changes.items():
            check_limit(key, value)
        return dataclasses.replace(self, **changes)


def check_limit(name: str, value) -> None:
    """Raise ValueError unless ``name`` is a field of Limits and ``value`` is a positive number."""
    fields = {f.name for f in dataclasses.fields(Limits)}
    if name not in fields:
        raise ValueError(f"The limit {name!r} is not known; known limits are {', '.join(sorted(fields))}.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"The limit {name!r} must be a positive number. Got {value!r} instead.")


def with_exercise_limits(run: Limits, exercise: dict) -> Limits:
    """The limits of one submission: the exercise's own limits (its source notebook's
    ``metadata.mlday.limits``) replace the defaults, and a run's options replace both,
    so an exercise's value applies only where ``run`` kept the default."""
    defaults = Limits()
    changes = {name: value for name, value in exercise.items() if getattr(run, name, None) == getattr(defaults, name, None)}
    return run.replace(**changes)


def exercise_limits(nb) -> dict:
    """The limits a source notebook sets for its exercise; ValueError for a bad one."""
    limits = (nb.metadata.get("mlday") or {}).get("limits") or {}
    if not isinstance(limits, dict):
        raise ValueError(f"metadata.mlday.limits must be a mapping of limit names to numbers. Got {limits!r} instead.")
    for name, value in limits.items():
        check_limit(name, value)
    return dict(limits)
