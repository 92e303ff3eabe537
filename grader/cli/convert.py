"""mlday convert IN [--out OUT]: a notebook to a jupytext percent script, or back."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import _status

# IN's suffix -> OUT's suffix
_TARGET = {".ipynb": ".py", ".py": ".ipynb"}


def add_arguments(parser) -> None:
    parser.add_argument("input", type=Path, metavar="IN", help="an .ipynb notebook, or a jupytext percent .py script")
    parser.add_argument("--out", type=Path, default=None, metavar="OUT",
                        help="the file to write (default: IN with the other suffix)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def run(args) -> int:
    from grader._errors import MldayError
    from grader._notebook import read_notebook

    source: Path = args.input
    target = _TARGET.get(source.suffix)
    if target is None:
        what = f"a {source.suffix} file" if source.suffix else "a file without a suffix"
        raise MldayError(f"{source}: convert takes an .ipynb notebook or a jupytext .py script, not {what}")
    out: Path = args.out if args.out is not None else source.with_suffix(target)
    if out.suffix != target:
        raise MldayError(f"--out {out}: converting {source} makes a {target} file; give OUT the suffix {target}")
    if not out.parent.is_dir():
        raise MldayError(f"--out {out}: no such folder {out.parent}")
    if out.exists() and not args.force:
        raise MldayError(f"{out} exists; add --force to overwrite it")
    nb = read_notebook(source)
    _write(out, _to_text(nb, target, source))
    print(f"wrote {out}")
    return _status.SUCCESS


def _to_text(nb, target: str, source: Path) -> str:
    import nbformat

    from grader._jupytext import to_percent

    if target == ".py":
        return to_percent(nb, source)
    # jupytext's own settings belong to the script, not to the notebook made from it.
    nb.metadata.pop("jupytext", None)
    return nbformat.writes(nb)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it into place,
    so that an existing file is never left half written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
