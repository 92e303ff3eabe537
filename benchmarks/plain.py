"""The baseline: a notebook's learner code in a plain Python process, where no grading happens.

The program is the notebook's code cells (the ones mlday's worker runs: every code cell
but the test cells), IPython magics stripped as the worker strips them, executed one
after the other in one namespace in the notebook's folder. As in a kernel and in the
worker, one cell's exception does not stop the rest, and a cell that runs past the cell
timeout is stopped by an alarm and the next cell runs, so a submission costs the same
here as its code costs anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader._notebook import code_cells, read_notebook
from grader._worker._cells import strip_magics

_PRELUDE = '''\
import json, signal, sys, types

class _CellTimeout(BaseException):
    pass

def _alarm(signum, frame):
    raise _CellTimeout()

signal.signal(signal.SIGALRM, _alarm)
_main = types.ModuleType("__main__")
_main.__dict__["display"] = lambda *objs, **kwargs: None  # IPython's display(): no screen here
sys.modules["__main__"] = _main
_failed = {{}}

def _cell(index, source):
    signal.setitimer(signal.ITIMER_REAL, {seconds!r})
    try:
        exec(compile(source, f"<cell {{index}}>", "exec"), _main.__dict__)
    except _CellTimeout:
        _failed[index] = "timeout"
    except BaseException as exc:
        _failed[index] = type(exc).__name__
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)

'''

_EPILOGUE = '''
with open({report!r}, "w") as _out:
    json.dump({{str(k): v for k, v in _failed.items()}}, _out)
'''


@dataclass(frozen=True)
class PlainRun:
    """One plain run: wall seconds, and the cells that raised or timed out (index -> what)."""

    wall_seconds: float
    failed: dict


def program(notebook: Path, cell_seconds: float, report: Path) -> str:
    """The plain Python program of ``notebook``: its learner cells, each under an alarm."""
    lines = [_PRELUDE.format(seconds=float(cell_seconds))]
    for index, source in code_cells(read_notebook(notebook)):
        lines.append(f"_cell({index}, {strip_magics(source)!r})")
    lines.append(_EPILOGUE.format(report=str(report)))
    return "\n".join(lines)


def plain_env(root: Path) -> dict[str, str]:
    """The caller's environment, plus what mlday's CLI and worker set too: the workbook,
    a non-interactive matplotlib and one BLAS thread."""
    env = {k: v for k, v in os.environ.items() if k != "MLDAY_GRADING"}
    env.update(MLDAY_ROOT=str(root), MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def run_plain(notebook: Path, work: Path, root: Path, cell_seconds: float) -> PlainRun:
    """Run ``notebook``'s learner code as a plain program; ``work`` keeps the program."""
    work.mkdir(parents=True, exist_ok=True)
    script = work / f"{notebook.stem}.py"
    report = work / f"{notebook.stem}.failed.json"
    script.write_text(program(notebook, cell_seconds, report))
    report.unlink(missing_ok=True)
    # A cell that ignores the alarm (a C loop) must not hang the benchmark: a bound
    # well past every cell's own limit.
    cells = len(code_cells(read_notebook(notebook)))
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(script)], cwd=notebook.parent, env=plain_env(root),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=cell_seconds * (cells + 2),
    )
    wall = time.monotonic() - started
    failed = json.loads(report.read_text()) if report.is_file() else {"?": "the program did not finish"}
    return PlainRun(wall, failed)
