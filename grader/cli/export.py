"""mlday export gradescope [--out FILE] [--exercise NN ...]: build a Gradescope autograder zip."""

from __future__ import annotations

from pathlib import Path

from . import _status

TARGETS = ("gradescope",)
DEFAULT_OUT = Path("autograder.zip")


def add_arguments(parser) -> None:
    parser.add_argument("target", choices=TARGETS,
                        help="what to build: 'gradescope', the autograder zip of a Gradescope programming assignment")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE",
                        help=f"the zip to write (default: {DEFAULT_OUT})")
    parser.add_argument("--exercise", action="append", default=[], metavar="EXERCISE",
                        help="put only this exercise in the zip (its name or number, e.g. 01); repeat for more (default: all)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def run(args) -> int:
    from grader._errors import MldayError
    from grader._export.gradescope import build_zip, select_exercises, zip_members
    from grader._paths import project_root
    from grader._store import write_atomic

    out: Path = args.out
    if out.is_dir():
        raise MldayError(f"--out {out} is a folder; give the path of the zip to write, e.g. {out / DEFAULT_OUT}")
    if out.exists() and not args.force:
        raise MldayError(f"--out {out} exists; use --force to overwrite it")
    if out.parent.exists() and not out.parent.is_dir():
        raise MldayError(f"--out {out}: {out.parent} is not a folder")
    root = project_root()
    exercises = select_exercises(root, args.exercise)
    members = zip_members(root, exercises)
    data = build_zip(members)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise MldayError(f"--out {out}: cannot write it: {exc.strerror or exc}") from None
    print(f"wrote {out}: {len(members)} files, {len(data) / 1e6:.1f} MB; exercises: {', '.join(ex.name for ex in exercises)}")
    print("upload it as the autograder of a Gradescope programming assignment (setup.sh and run_autograder are at its root)")
    return _status.SUCCESS
