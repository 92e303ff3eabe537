"""Load estimators from skops bytes, trusting scikit-learn's own classes only.

A skops payload names the types it holds. Only classes are trusted, never functions:
a ``FunctionTransformer`` pointed at a scikit-learn or numpy function that writes
files would otherwise run it in the grading process when a test calls ``transform``.
"""

from __future__ import annotations

import importlib

from ._codec import WireError

# Data types of numpy and scipy that estimators hold, and a few pure elementwise
# functions learners put in a FunctionTransformer.
TRUSTED_TYPES = frozenset(
    {
        "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.str_",
        "numpy.dtype", "numpy.ndarray", "numpy.random.mtrand.RandomState", "numpy.random._generator.Generator",
        "numpy.random._pcg64.PCG64", "numpy.random.bit_generator.SeedSequence",
        "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix",
        "scipy.sparse._csr.csr_array", "scipy.sparse._csc.csc_array",
        "numpy.number", "numpy.integer", "numpy.floating", "numpy.signedinteger", "numpy.unsignedinteger",
        "numpy.inexact", "numpy.datetime64", "numpy.timedelta64",
        "numpy.log", "numpy.log1p", "numpy.exp", "numpy.expm1", "numpy.sqrt", "numpy.abs", "numpy.absolute",
    }
)


def is_trusted(type_name: str) -> bool:
    """True for a scikit-learn class, or a name on the short list above."""
    if type_name in TRUSTED_TYPES:
        return True
    if not type_name.startswith("sklearn."):
        return False
    module_name, _, attr = type_name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(obj, type)


def load_trusted(data: bytes):
    """Load a skops payload whose types are all trusted, or raise WireError naming the others."""
    import skops.io

    found = skops.io.get_untrusted_types(data=data)
    refused = [t for t in found if not is_trusted(t)]
    if refused:
        raise WireError(f"the estimator uses types that are not trusted: {', '.join(sorted(refused))}")
    return skops.io.loads(data, trusted=found)
