"""Bound an Arrow IPC stream before it is decoded in the trusted process.

Decoding trusts sizes that the stream itself declares: a compressed buffer says how
large it will be once inflated, and an array node says how many elements it has,
buffers or not (a null or run-end encoded column of a billion rows takes a few bytes).
So a few kilobytes from a worker could become gigabytes here. Before decoding, each
message's metadata (a flatbuffer) is read, and the stream is refused when any batch is
compressed (mlday's own encoder never compresses) or when its array nodes declare more
elements than its bytes could honestly hold.
"""

from __future__ import annotations

import struct

from ._codec import WireError

# Every honest element costs at least one bit on the wire (a boolean); null columns cost
# nothing, so some slack is allowed for them beside real data.
ELEMENTS_PER_BYTE = 8
SLACK_ELEMENTS = 1 << 16

_SCHEMA, _DICTIONARY_BATCH, _RECORD_BATCH = 1, 2, 3


class _Table:
    """One flatbuffer table, read with bounds checks (any bad offset is a WireError)."""

    def __init__(self, buf: bytes, pos: int):
        self.buf = buf
        self.pos = pos
        self.vtable = pos - self._unpack("<i", pos)
        self.vsize = self._unpack("<H", self.vtable)

    def _unpack(self, fmt: str, at: int):
        try:
            if at < 0:
                raise struct.error("negative offset")
            return struct.unpack_from(fmt, self.buf, at)[0]
        except struct.error:
            raise WireError("malformed Arrow metadata") from None

    def _field(self, index: int) -> int | None:
        slot = 4 + 2 * index
        if slot + 2 > self.vsize:
            return None
        offset = self._unpack("<H", self.vtable + slot)
        return self.pos + offset if offset else None

    def scalar(self, index: int, fmt: str, default=0):
        at = self._field(index)
        return default if at is None else self._unpack(fmt, at)

    def has(self, index: int) -> bool:
        return self._field(index) is not None

    def table(self, index: int) -> "_Table | None":
        at = self._field(index)
        return None if at is None else _Table(self.buf, at + self._unpack("<I", at))

    def struct_vector(self, index: int, width: int) -> list[int]:
        """The offsets of the elements of a vector of structs ``width`` bytes wide."""
        at = self._field(index)
        if at is None:
            return []
        start = at + self._unpack("<I", at)
        count = self._unpack("<I", start)
        if start + 4 + count * width > len(self.buf):
            raise WireError("malformed Arrow metadata")
        return [start + 4 + i * width for i in range(count)]


def declared_elements(metadata: bytes) -> int:
    """How many array elements one IPC message declares (0 for a schema).

    Raises WireError for compressed batches and for messages it cannot read.
    """
    message = _Table(metadata, struct.unpack_from("<I", metadata, 0)[0] if len(metadata) >= 4 else -1)
    kind = message.scalar(1, "<B")
    if kind == _SCHEMA:
        return 0
    header = message.table(2)
    if kind == _DICTIONARY_BATCH and header is not None:
        header = header.table(1)
    elif kind != _RECORD_BATCH:
        raise WireError(f"unexpected Arrow message (type {kind})")
    if header is None:
        raise WireError("malformed Arrow metadata")
    if header.has(3):
        raise WireError("compressed Arrow data is not accepted")
    # FieldNode is a struct of two int64: length, null_count.
    return sum(header._unpack("<q", at) for at in header.struct_vector(1, 16))


def check_stream(data: bytes) -> None:
    """Refuse an Arrow IPC stream whose decoding would be far larger than ``data``."""
    import pyarrow as pa

    budget = ELEMENTS_PER_BYTE * len(data) + SLACK_ELEMENTS
    declared = 0
    try:
        reader = pa.ipc.MessageReader.open_stream(pa.BufferReader(data))
        while True:
            try:
                message = reader.read_next_message()
            except StopIteration:
                break
            if message is None:
                break
            declared += max(0, declared_elements(message.metadata.to_pybytes()))
            if declared > budget:
                raise WireError(f"the Arrow data declares over {budget} elements in {len(data)} bytes")
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise WireError(f"malformed data: {exc}") from None
