"""What a test sees as ``learner``: the learner's names, reached through data only.

A transport answers ``describe`` and ``call``: the worker session at grading, or
:class:`LocalTransport` in the learner's own kernel. Instances of the learner's own
classes stay on the learner's side; the test holds a :class:`RemoteObject` handle.
"""

from __future__ import annotations

from ._outcomes import emit_warnings, from_reply, value_from_reply
from ._wire import Handle, decode, encode


class RemoteNamespace:
    """The learner's namespace.

    ``learner.daily_metrics(log, day)`` calls the learner's function and returns a
    freshly decoded value; ``learner.ALERTS_BY_DAY_SQL`` returns the constant's value;
    ``learner.AmountBinner(n_bins=5)`` returns a handle to the new instance.
    """

    def __init__(self, transport):
        self._transport = transport
        self._callables: set[str] = set()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._callables:
            kind, value = self._transport.describe(name)
            if kind != "callable":
                return _wrap(self._transport, value)
            self._callables.add(name)
        return _RemoteCallable(self._transport, name, None)

    def __repr__(self):
        return "<the learner's namespace>"


class RemoteObject:
    """A handle to an instance of a learner's class; attribute access and method calls
    go to the learner's side, and only data comes back."""

    def __init__(self, transport, handle: Handle):
        object.__setattr__(self, "_transport", transport)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        kind, value = self._transport.describe(name, self._handle)
        if kind == "callable":
            return _RemoteCallable(self._transport, name, self._handle)
        return _wrap(self._transport, value)

    def __setattr__(self, name, value):
        raise AttributeError("a learner's object cannot be changed from a test")

    def __repr__(self):
        return f"<the learner's {self._handle.type_name} instance>"


class _RemoteCallable:
    def __init__(self, transport, name: str, handle: Handle | None):
        self._transport, self.__name__, self._handle = transport, name, handle

    def __call__(self, *args, **kwargs):
        args, kwargs = _unwrap(args), _unwrap(kwargs)
        return _wrap(self._transport, self._transport.call(self.__name__, args, kwargs, self._handle))

    def __repr__(self):
        owner = f"{self._handle.type_name}." if self._handle else ""
        return f"<the learner's {owner}{self.__name__}>"


def _wrap(transport, value):
    if type(value) is Handle:
        return RemoteObject(transport, value)
    if type(value) in (list, tuple):
        return type(value)(_wrap(transport, v) for v in value)
    return value


def _unwrap(value):
    if type(value) is RemoteObject:
        return object.__getattribute__(value, "_handle")
    if type(value) in (list, tuple):
        return type(value)(_unwrap(v) for v in value)
    if type(value) is dict:
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class LocalTransport:
    """The learner's namespace in their own kernel, for ``check()``.

    Arguments and results take the same trip through the codec as at grading, so a
    learner sees locally the same refusals ("returned an object of type ...").
    """

    def __init__(self, namespace: dict, max_bytes: int = 128 << 20):
        from ._invoke import HandleTable

        self._namespace, self._max_bytes, self._handles = namespace, max_bytes, HandleTable()

    def describe(self, name: str, handle: Handle | None = None):
        from ._invoke import describe

        reply, blobs = describe(self._namespace, name, self._max_bytes, self._handles, handle)
        if not reply["ok"]:
            raise from_reply(reply)
        if reply["kind"] == "callable":
            return "callable", None
        return "value", value_from_reply(name, reply, blobs)

    def call(self, name: str, args, kwargs, handle: Handle | None = None):
        from ._invoke import invoke

        tree, blobs = encode([list(args), dict(kwargs)])
        args, kwargs = decode(tree, blobs, self._handles)
        reply, out = invoke(self._namespace, name, args, kwargs, self._max_bytes, self._handles, handle)
        if not reply["ok"]:
            raise from_reply(reply)
        emit_warnings(name, reply)
        return value_from_reply(name, reply, out)


def LocalNamespace(namespace: dict) -> RemoteNamespace:  # noqa: N802 - reads as a class at call sites
    """The namespace proxy over the learner's own kernel globals."""
    return RemoteNamespace(LocalTransport(namespace))
