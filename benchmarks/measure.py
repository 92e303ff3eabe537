"""Time a command and measure its memory, from a fresh helper process.

Run as a program (``python measure.py -- COMMAND...``), it runs the command once and
prints one JSON line. Memory is polled from /proc every 0.2 s over the command's whole
process tree:

wall_seconds
    the command's wall-clock time.
peak_grader_mib
    the largest peak resident memory (``VmHWM``, the kernel's own high-water mark, so
    no peak between two samples is missed) of one grading process: every process of the
    tree but those that run the learner's code.
peak_learner_mib
    the same for the processes that run the learner's code: mlday's workers
    (``grader._worker``, with the bubblewrap around them) and nbgrader's kernels
    (``ipykernel_launcher``).
peak_tree_rss_mib
    the largest sum of resident memory over the whole tree at one sample: a lower bound.
max_rss_mib
    ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the helper, for reference only: it
    counts only processes reaped within the tree, which leaves out mlday's sandboxed
    workers and the grading processes of ``-j 2`` (children of the forkserver).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def measured(argv: list[str], *, cwd: Path, env: dict, log_file: Path) -> dict:
    """Run ``argv`` under the helper; its measurements (see the module docstring).

    The command's stdout is dropped and its stderr appended to ``log_file``.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a") as log:
        log.write(f"$ {' '.join(map(str, argv))}\n")
        log.flush()
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--", *map(str, argv)],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )
    if done.returncode != 0 or not done.stdout.strip():
        from benchmarks import BenchError

        raise BenchError(f"the measuring helper failed (exit code {done.returncode}) on {argv[0]}; see {log_file}")
    return json.loads(done.stdout.strip().splitlines()[-1])


#: The memory figures of a measurement, in MiB.
MEMORY_KEYS = ("peak_grader_mib", "peak_learner_mib", "peak_tree_rss_mib", "max_rss_mib")

#: Command-line fragments of the processes that run the learner's code.
LEARNER_MARKERS = (b"grader._worker", b"ipykernel_launcher")


def _tree(root: int) -> list[int]:
    """``root`` and every process below it, now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _sample(root: int, peaks: dict) -> int:
    """Bytes resident in the tree now; record each process's high-water mark in ``peaks``
    as pid -> (runs learner code, bytes)."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        rss = int(fields.get("VmRSS", "0 kB").split()[0]) << 10
        hwm = int(fields.get("VmHWM", "0 kB").split()[0]) << 10
        total += rss
        learner = any(marker in cmdline for marker in LEARNER_MARKERS)
        peaks[pid] = (learner, max(hwm, peaks.get(pid, (learner, 0))[1]))
    return total


def main(argv: list[str]) -> int:
    """Run ``argv`` (after ``--``); print the measurements as JSON on stdout."""
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    peak, peaks = [0], {}
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sys.stderr)

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _sample(proc.pid, peaks))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.monotonic() - started
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    mib = 1 << 20
    print(json.dumps({
        "returncode": code,
        "wall_seconds": wall,
        "peak_grader_mib": max((b for learner, b in peaks.values() if not learner), default=0) / mib,
        "peak_learner_mib": max((b for learner, b in peaks.values() if learner), default=0) / mib,
        "peak_tree_rss_mib": peak[0] / mib,
        "max_rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
