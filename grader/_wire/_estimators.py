"""Load estimators from skops bytes, trusting scikit-learn's own types only."""

from __future__ import annotations

from ._codec import WireError

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


def load_trusted(data: bytes):
    """Load a skops payload whose types are all trusted, or raise WireError naming the others."""
    import skops.io

    found = skops.io.get_untrusted_types(data=data)
    refused = [t for t in found if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise WireError(f"the estimator uses types that are not trusted: {', '.join(sorted(refused))}")
    return skops.io.loads(data, trusted=found)
