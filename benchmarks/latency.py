"""The latency of ``check()`` for one question, after the notebook has run.

Run as a program in a fresh process, it executes the source notebook's learner cells in
one namespace as a kernel would (the setup cell's ``check, hint = bind(...)`` included),
then times ``check(question)`` and the HTML the notebook would show for it, several
times. It prints one JSON line: the question, every call's seconds (the first call pays
for loading the test module) and whether the check passed.

    python benchmarks/latency.py NOTEBOOK QUESTION [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import types
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="latency.py")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("question")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    from grader._notebook import code_cells, read_notebook
    from grader._worker._cells import strip_magics

    main_module = types.ModuleType("__main__")
    main_module.__dict__["display"] = lambda *objs, **kwargs: None
    sys.modules["__main__"] = main_module
    namespace = main_module.__dict__
    seconds, passed = [], []
    # What the cells print would bury the one JSON line this program answers with.
    with contextlib.redirect_stdout(io.StringIO()):
        for index, source in code_cells(read_notebook(args.notebook)):
            exec(compile(strip_magics(source), f"<cell {index}>", "exec"), namespace)  # noqa: S102 - the instructor's solution
        check = namespace["check"]
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = check(args.question)
            report._repr_html_()
            seconds.append(time.perf_counter() - started)
            passed.append(bool(report.passed))
    print(json.dumps({"question": args.question, "seconds": seconds, "passed": all(passed)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
