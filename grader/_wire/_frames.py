"""Length-prefixed messages: a JSON header followed by binary blobs."""

from __future__ import annotations

import json
import struct

from ._codec import WireError

_LEN = struct.Struct("!Q")
MAX_HEADER = 64 * 1024 * 1024


def write_message(stream, header: dict, blobs: list[bytes] = ()) -> None:
    """Write one message: header (with the blob sizes) and the blobs."""
    head = dict(header, blobs=[len(b) for b in blobs])
    data = json.dumps(head, allow_nan=False, separators=(",", ":")).encode()
    stream.write(_LEN.pack(len(data)))
    stream.write(data)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


def read_message(stream, *, max_bytes: int) -> tuple[dict, list[bytes]] | None:
    """Read one message; None at a clean end of stream."""
    raw = _read_exact(stream, _LEN.size, allow_eof=True)
    if raw is None:
        return None
    (size,) = _LEN.unpack(raw)
    if size > min(MAX_HEADER, max_bytes):
        raise WireError(f"a message header of {size} bytes exceeds the limit of {max_bytes} bytes")
    try:
        header = json.loads(_read_exact(stream, size), parse_constant=_reject_constant)
    except ValueError as exc:
        raise WireError(f"a message header is not valid JSON: {exc}") from None
    except RecursionError:
        raise WireError("a message header is not valid JSON: nested too deeply") from None
    if not isinstance(header, dict) or not isinstance(header.get("blobs"), list):
        raise WireError("a message header is not a JSON object with a blob list")
    sizes = header.pop("blobs")
    if not all(type(n) is int and n >= 0 for n in sizes) or sum(sizes) + size > max_bytes:
        raise WireError(f"a message exceeds the limit of {max_bytes} bytes")
    return header, [_read_exact(stream, n) for n in sizes]


def _reject_constant(name: str):
    raise ValueError(f"bare {name} is not allowed")


def _read_exact(stream, n: int, allow_eof: bool = False) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            if allow_eof and got == 0:
                return None
            raise EOFError("the stream ended inside a message")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
