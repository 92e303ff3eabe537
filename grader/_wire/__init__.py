"""The data-only wire between the trusted process and the learner's worker.

Values cross as JSON, with arrays as ``.npy`` (``allow_pickle=False``), frames as
Arrow IPC and estimators as skops bytes. Nothing is ever unpickled.
"""

from ._codec import Handle, Unencodable, WireError, decode, encode
from ._frames import read_message, write_message

__all__ = ["Handle", "Unencodable", "WireError", "decode", "encode", "read_message", "write_message"]
