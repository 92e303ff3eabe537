"""Chain the release transforms."""

from __future__ import annotations

import copy

from .clear_hidden_tests import clear_hidden_tests
from .clear_outputs import clear_outputs
from .clear_solutions import clear_solutions
from .compute_checksums import compute_checksums
from .lock_cells import lock_cells

RELEASE = [lock_cells, clear_solutions, clear_outputs, clear_hidden_tests, compute_checksums]


def release_notebook(source_nb, transforms=RELEASE):
    """The learner's notebook made from a copy of ``source_nb``."""
    nb = copy.deepcopy(source_nb)
    for transform in transforms:
        nb = transform(nb)
    return nb
