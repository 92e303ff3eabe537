"""Load estimators from skops bytes, trusting scikit-learn's own types only."""

from __future__ import annotations

from ._codec import WireError

# scikit-learn's own types; beyond them, only numpy and scipy data types (never their
# functions, which an estimator such as FunctionTransformer could be made to call).
TRUSTED_PREFIXES = ("sklearn.",)
TRUSTED_TYPES = frozenset(
    {
        "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.str_",
        "numpy.dtype", "numpy.ndarray", "numpy.random.mtrand.RandomState", "numpy.random._generator.Generator",
        "numpy.random._pcg64.PCG64", "numpy.random.bit_generator.SeedSequence",
        "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix",
        "scipy.sparse._csr.csr_array", "scipy.sparse._csc.csc_array",
    }
)


def load_trusted(data: bytes):
    """Load a skops payload whose types are all trusted, or raise WireError naming the others.

    A function reference inside sklearn (e.g. ``sklearn.metrics...``) is trusted as a type
    name by prefix; skops never calls what it loads.
    """
    import skops.io

    found = skops.io.get_untrusted_types(data=data)
    refused = [t for t in found if not t.startswith(TRUSTED_PREFIXES) and t not in TRUSTED_TYPES]
    if refused:
        raise WireError(f"the estimator uses types that are not trusted: {', '.join(sorted(refused))}")
    return skops.io.loads(data, trusted=found)
