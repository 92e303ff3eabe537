"""Look up and call a learner's name, and say what happened as data.

The worker uses this to answer the trusted process; ``check()`` in a kernel uses
it too, so that a learner sees the same statuses in both places.
"""

from __future__ import annotations

import json
import traceback
import types
import warnings

from ._stub import is_stub_text
from ._wire import Handle, Unencodable, WireError, encode

CELL_PREFIX = "<cell "


def cell_filename(index: int) -> str:
    """The pseudo file name under which cell ``index`` is compiled."""
    return f"{CELL_PREFIX}{index}>"


def learner_traceback(exc: BaseException) -> str:
    """The exception's traceback lines from the learner's cells only (may be empty)."""
    lines = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(CELL_PREFIX):
            cell = frame.filename[len(CELL_PREFIX):-1]
            lines.append(f"  cell {cell}, line {frame.lineno}, in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)


def _exception_line(exc: BaseException) -> str:
    text = str(exc)
    if len(text) > 2000:
        text = text[:2000] + " …"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_stub(exc: BaseException, fn=None) -> bool:
    """True when a NotImplementedError comes straight from the stub: raised in the body of
    the learner's ``fn`` itself, or at the top level of a cell."""
    if not isinstance(exc, NotImplementedError) or exc.__traceback__ is None:
        return False
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = _code_of(fn)
    if code is not None:
        return tb.tb_frame.f_code is code
    return tb.tb_frame.f_code.co_filename.startswith(CELL_PREFIX)


def _code_of(fn):
    if fn is None:
        return None
    if isinstance(fn, type):
        fn = fn.__init__
    fn = getattr(fn, "__func__", fn)
    return getattr(fn, "__code__", None)


def failure(kind: str, message: str, tb: str = "") -> dict:
    """A reply that says the learner's code did not produce a value."""
    return {"ok": False, "kind": kind, "message": message, "traceback": tb}


def describe_exception(name: str, exc: BaseException, fn=None) -> dict:
    """The failure reply for an exception raised while running the learner's ``name``
    (the function ``fn``, when it was a call)."""
    if is_stub(exc, fn):
        return failure("not_attempted", f"{name} is still the stub: replace `raise NotImplementedError()` with your code")
    if isinstance(exc, MemoryError):
        return failure("out_of_memory", f"{name} ran out of memory")
    if isinstance(exc, RecursionError):
        return failure("error", f"{name} recursed too deeply (RecursionError)", learner_traceback(exc))
    if isinstance(exc, SystemExit):
        return failure("error", f"{name} called sys.exit(); a graded function must return a value")
    if isinstance(exc, KeyboardInterrupt):
        return failure("error", f"{name} raised KeyboardInterrupt")
    reply = failure("error", f"{name} raised {_exception_line(exc)}", learner_traceback(exc))
    # Without the exception's text: what a hidden test shows, since the text may echo
    # the hidden data the call was given.
    reply["brief"] = f"{name} raised {type(exc).__name__}"
    return reply


_DATA_MODULES = ("builtins", "numpy", "pandas", "collections", "datetime", "decimal", "fractions")


class HandleTable:
    """The worker's objects that the trusted side refers to by handle.

    Only instances of classes the learner defined (in ``__main__``) get a handle;
    anything else must cross as data.
    """

    def __init__(self):
        self._objects: dict[int, object] = {}

    def register(self, obj) -> Handle | None:
        cls = type(obj)
        if cls.__module__ != "__main__" or isinstance(obj, (type, types.FunctionType)):
            return None
        # A subclass of a data type (float, dict, ndarray, DataFrame, ...) pretends to be
        # data: refuse it rather than hand out a handle.
        if any(base is not object and base.__module__.split(".")[0] in _DATA_MODULES for base in cls.__mro__[1:]):
            return None
        self._objects[id(obj)] = obj
        return Handle(id(obj), type(obj).__qualname__)

    def resolve(self, handle: Handle):
        try:
            return self._objects[handle.id]
        except KeyError:
            raise WireError(f"no object behind the handle of a {handle.type_name}") from None


def lookup(namespace: dict, name: str, handles: HandleTable | None = None, handle: Handle | None = None):
    """Find ``name`` in the namespace, or as an attribute of the object behind ``handle``.

    Returns (reply, value, label): the reply is a failure when the value is not usable;
    the label names it in messages ("daily_metrics", "AmountBinner.fit").
    """
    if handle is not None:
        try:
            obj = handles.resolve(handle)
        except WireError as exc:
            return failure("ungradable", str(exc)), None, name
        label = f"{handle.type_name}.{name}"
        try:
            return {"ok": True}, getattr(obj, name), label
        except AttributeError:
            return failure("error", f"{handle.type_name} has no attribute {name!r}"), None, label
        except BaseException as exc:  # noqa: BLE001 - a learner's property may raise anything
            return describe_exception(label, exc), None, label
    if name not in namespace:
        return failure("not_attempted", f"{name} is not defined: run the cell that defines it (or restore it, if it was deleted)"), None, name
    value = namespace[name]
    if value is NotImplemented or value is Ellipsis:
        return failure("not_attempted", f"{name} is still the placeholder: give it a value"), None, name
    if is_stub_text(value):
        return failure("not_attempted", f"{name} still holds the stub: replace its two lines with your answer"), None, name
    return {"ok": True}, value, name


def invoke(namespace: dict, name: str, args: list, kwargs: dict, max_bytes: int, handles: HandleTable | None = None, handle: Handle | None = None):
    """Call ``name(*args, **kwargs)`` and encode the result, or describe why not."""
    reply, fn, label = lookup(namespace, name, handles, handle)
    if not reply["ok"]:
        return reply, []
    if not callable(fn):
        return failure("error", f"{label} should be a function, but it is {_a(fn)}"), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - everything the learner raises is data here
            return describe_exception(label, exc, fn), []
    reply, blobs = encode_reply(label, "returned", value, max_bytes, handles)
    if caught:
        reply["warnings"] = [f"{w.category.__name__}: {w.message}"[:500] for w in caught[:20]]
    return reply, blobs


def describe(namespace: dict, name: str, max_bytes: int, handles: HandleTable | None = None, handle: Handle | None = None):
    """Say whether ``name`` is callable (a function, a class, a method), or encode its value."""
    reply, value, label = lookup(namespace, name, handles, handle)
    if not reply["ok"]:
        return reply, []
    if callable(value):
        return {"ok": True, "kind": "callable"}, []
    return encode_reply(label, "is", value, max_bytes, handles)


def encode_reply(name: str, verb: str, value, max_bytes: int, handles: HandleTable | None = None):
    """Encode ``value`` as a reply, refusing types and sizes that cannot be graded."""
    try:
        tree, blobs = encode(value, handles)
    except Unencodable as exc:
        return failure(
            "error",
            f"{name} {verb} {exc}; return plain Python values, numpy arrays, "
            "pandas objects or scikit-learn estimators",
        ), []
    except RecursionError:
        return failure("error", f"{name} {verb} a value nested too deeply to grade"), []
    try:
        tree_bytes = len(json.dumps(tree, allow_nan=False, separators=(",", ":")))
    except (ValueError, RecursionError):
        return failure("error", f"{name} {verb} a value that cannot be written as data"), []
    size = tree_bytes + sum(len(b) for b in blobs)
    if size > max_bytes:
        return failure("error", f"{name} {verb} a value of {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB"), []
    return {"ok": True, "kind": "value", "value": tree}, blobs


def _a(value) -> str:
    if isinstance(value, types.ModuleType):
        return "a module"
    return f"an object of type {type(value).__name__}"
