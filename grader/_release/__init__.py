"""``mlday release``: make the learner's notebooks from the source notebooks.

Each transform is one function in its own module; :data:`RELEASE` chains them in
nbgrader's order.
"""

from ._converter import RELEASE, release_notebook

__all__ = ["RELEASE", "release_notebook"]
