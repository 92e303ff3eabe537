"""mlday report DIR [--out FILE]: a class report (HTML with plots) from a grading folder."""

from __future__ import annotations

from pathlib import Path

from . import _status

DEFAULT_NAME = "report.html"


def add_arguments(parser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help="a grading output folder (what 'mlday grade --out DIR' wrote)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE", help=f"the HTML file to write (default: DIR/{DEFAULT_NAME})")
    parser.add_argument("--top", type=int, default=5, metavar="N", help="failure messages to show per question (default 5)")


def run(args) -> int:
    from grader._class_stats import class_stats
    from grader.catalogue import load_catalogue
    from grader._errors import MldayError
    from grader._paths import project_root
    from grader._render import class_report
    from grader._store import read_all, write_atomic

    folder: Path = args.folder
    if not folder.is_dir():
        raise MldayError(f"DIR must be a grading folder; {str(folder)!r} is not a folder")
    if args.top < 1:
        raise MldayError(f"--top must be a positive integer; got {args.top}")
    results = read_all(folder)
    if not results:
        found = len(list(folder.glob("*/*/results.json")))
        detail = f"none of its {found} results.json files can be read" if found else "it holds no <learner>/<exercise>/results.json"
        raise MldayError(f"DIR {str(folder)!r} is not a grading folder: {detail}")
    out: Path = args.out or folder / DEFAULT_NAME
    if out.is_dir():
        raise MldayError(f"--out must be a file; {str(out)!r} is a folder")
    stats = class_stats(results, load_catalogue(project_root()), top=args.top)
    page = class_report.render(stats, source=folder.resolve().name)
    try:
        write_atomic(out, page)
    except OSError as exc:
        raise MldayError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from None
    print(f"wrote {out}: {len(stats.learners)} learner(s), {len(stats.exercises)} exercise(s)")
    return _status.SUCCESS
