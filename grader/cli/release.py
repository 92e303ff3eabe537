"""mlday release [--check] [--to DIR]: make exercises/ from solutions/."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import _status

# What a learner gets: no solutions, no hidden tests, no hidden data.
DISTRIBUTION = ["exercises", "datasets", "grader", "pyproject.toml", "README.md", "Makefile"]


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="write nothing; fail naming every file that differs")
    parser.add_argument("--to", type=Path, metavar="DIR", help="also write the learner distribution into DIR")


def run(args) -> int:
    from grader._errors import MldayError
    from grader._paths import project_root
    from grader._release._workbook import out_of_sync, write_release

    root = project_root()
    if not (root / "solutions").is_dir():
        raise MldayError("no solutions/ folder here: release needs the instructors' files")
    if args.check:
        stale = out_of_sync(root)
        for rel in stale:
            print(f"out of sync: {rel}")
        if stale:
            print("run 'mlday release' to bring exercises/ in sync with solutions/")
            return _status.FAILURE
        print("exercises/ is in sync with solutions/")
        return _status.SUCCESS
    for rel in write_release(root):
        print(f"wrote {rel}")
    if args.to:
        _write_distribution(root, args.to)
        print(f"learner distribution in {args.to}")
    return _status.SUCCESS


def _write_distribution(root: Path, dest: Path) -> None:
    from grader._errors import MldayError

    if dest.exists() and any(dest.iterdir()):
        raise MldayError(f"{dest} is not empty; give an empty or new folder")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in DISTRIBUTION:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
