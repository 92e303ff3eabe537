"""The benchmark's numbers, as data: derived measures, ratios, targets, per exercise and
per kind. ``table.py`` renders what this returns; ``run.py`` writes it as results.json."""

from __future__ import annotations

import os
import statistics

from benchmarks import classgen, peer
from benchmarks.measure import MEMORY_KEYS

MEMORY_METHOD = (
    "polled from /proc every 0.2 s over the command's whole process tree (see benchmarks/measure.py). "
    "\"Grader, largest process\" is the highest peak resident memory (VmHWM) of one process that does not run "
    "learner code: mlday's grading processes, nbgrader itself. \"Worker or kernel\" is the same for the "
    "processes that run the learner's code. \"Whole tree\" is the largest sum of resident memory at one sample."
)


def _share(pairs) -> float | None:
    pairs = list(pairs)
    total = sum(m for _, m in pairs)
    return 100.0 * sum(s for s, _ in pairs) / total if total else None


def _ratio(a, b):
    if a is None or b is None:
        return None
    return a / b if b > 0 else float("inf")


def summarise(args, machine, submissions, plain_runs, j1, j2, peer_run, check) -> dict:
    """Every number of the report, as data."""
    n = len(submissions)
    plain_wall = sum(r.wall_seconds for r in plain_runs.values())
    plain_per = plain_wall / n
    data = {
        "machine": {**machine, "load_after": os.getloadavg()[0]},
        "config": {
            "learners": args.learners, "exercises": sorted({s.exercise for s in submissions}), "notebooks": n,
            "seed": args.seed, "cell_timeout": args.cell_timeout, "isolation": args.isolation,
            "mix": {kind: sum(s.kind == kind for s in submissions) for kind in classgen.KINDS},
        },
        "memory_method": MEMORY_METHOD,
        "plain": {"wall_seconds": plain_wall, "per_notebook": plain_per, "per_minute": 60 * n / plain_wall},
    }
    mlday = {}
    for key, run in (("j1", j1), ("j2", j2)):
        mlday[key] = {k: run[k] for k in ("returncode", "wall_seconds", *MEMORY_KEYS)}
        mlday[key]["per_notebook"] = run["wall_seconds"] / n
        mlday[key]["per_minute"] = 60 * n / run["wall_seconds"]
    mlday["overhead_seconds"] = mlday["j1"]["per_notebook"] - plain_per
    mlday["overhead_pct"] = 100 * mlday["overhead_seconds"] / plain_per
    mlday["speedup_j2"] = mlday["j2"]["per_minute"] / mlday["j1"]["per_minute"]
    data["mlday"] = mlday
    nbg = None
    if peer_run is not None:
        per = peer_run.wall_seconds / n
        nbg = {"version": peer_run.version, "wall_seconds": peer_run.wall_seconds, "per_notebook": per,
               "per_minute": 60 * n / peer_run.wall_seconds, "overhead_seconds": per - plain_per,
               "overhead_pct": 100 * (per - plain_per) / plain_per, "per_assignment": peer_run.per_assignment,
               **peer_run.memory}
    data["nbgrader"] = nbg
    data["check"] = check
    data["ratios"] = {
        "wall_nbgrader_over_mlday": _ratio(nbg and nbg["per_notebook"], mlday["j1"]["per_notebook"]),
        "overhead_nbgrader_over_mlday": _ratio(nbg and nbg["overhead_seconds"], mlday["overhead_seconds"]),
        "throughput_mlday_j1_over_nbgrader": _ratio(mlday["j1"]["per_minute"], nbg and nbg["per_minute"]),
        "throughput_mlday_j2_over_nbgrader": _ratio(mlday["j2"]["per_minute"], nbg and nbg["per_minute"]),
    }
    data["targets"] = _targets(data)
    data["per_exercise"] = _per_exercise(submissions, plain_runs, j1, peer_run)
    data["scores"], data["notes"] = _scores(submissions, j1, j2, peer_run, plain_runs)
    data["submissions"] = [
        {"learner": s.learner, "exercise": s.exercise, "kind": s.kind, "changed": list(s.changed),
         "plain_seconds": plain_runs[s.learner, s.exercise].wall_seconds,
         "plain_failed_cells": plain_runs[s.learner, s.exercise].failed}
        for s in submissions
    ]
    return data


def _targets(data: dict) -> list[dict]:
    mlday, ratios, check = data["mlday"], data["ratios"], data["check"]
    over = ratios["overhead_nbgrader_over_mlday"]
    return [
        {"target": "overhead per notebook ≤ 10% of executing the learner's code",
         "measured": f"{mlday['overhead_seconds']:.2f} s = {mlday['overhead_pct']:.1f}% of plain python",
         "met": mlday["overhead_pct"] <= 10},
        {"target": "mlday's overhead ≥ 10x smaller than nbgrader's on the same notebooks",
         "measured": "not run (--no-peer)" if over is None else
         f"nbgrader {data['nbgrader']['overhead_seconds']:.2f} s ÷ mlday {mlday['overhead_seconds']:.2f} s = "
         + ("∞ (mlday's overhead ≤ 0)" if over == float("inf") else f"{over:.1f}x"),
         "met": None if over is None else (over >= 10 or mlday["overhead_seconds"] <= 0)},
        {"target": "-j 2 throughput ≥ 1.8x -j 1",
         "measured": f"{mlday['j2']['per_minute']:.1f} vs {mlday['j1']['per_minute']:.1f} per minute = {mlday['speedup_j2']:.2f}x",
         "met": mlday["speedup_j2"] >= 1.8},
        {"target": "check() for one question < 300 ms after the notebook has run",
         "measured": f"later calls max {check['max'] * 1000:.0f} ms, median {check['median'] * 1000:.0f} ms; "
                     f"the first call in a fresh kernel {check['first'] * 1000:.0f} ms",
         "met": check["max"] < 0.3},
    ]


def _per_exercise(submissions, plain_runs, j1, peer_run) -> dict:
    rows = {}
    for name in sorted({s.exercise for s in submissions}):
        subs = [s for s in submissions if s.exercise == name]
        keys = [(s.learner, s.exercise) for s in subs]
        graded = [j1["results"][k].execution_time for k in keys if k in j1["results"]]
        row = {"notebooks": len(subs),
               "plain": statistics.mean(plain_runs[k].wall_seconds for k in keys),
               "mlday": statistics.mean(graded) if graded else None}
        if peer_run is not None:
            row["nbgrader"] = peer_run.per_assignment[peer.assignment_of(name)] / len(subs)
        rows[name] = row
    return rows


def _scores(submissions, j1, j2, peer_run, plain_runs) -> tuple[dict, list[str]]:
    rows, notes = {}, []
    for kind in classgen.KINDS:
        subs = [s for s in submissions if s.kind == kind]
        if not subs:
            continue
        keys = [(s.learner, s.exercise) for s in subs]
        row = {"notebooks": len(subs)}
        for name, run in (("mlday_j1", j1), ("mlday_j2", j2)):
            row[name] = _share((run["results"][k].score, run["results"][k].max_score) for k in keys if k in run["results"])
        if peer_run is not None:
            row["nbgrader"] = _share(peer_run.scores[k] for k in keys if k in peer_run.scores)
        rows[kind] = row
    for name, run in (("-j 1", j1), ("-j 2", j2)):
        missing = [f"{l}/{e}" for l, e in ((s.learner, s.exercise) for s in submissions) if (l, e) not in run["results"]]
        if missing:
            notes.append(f"mlday {name} wrote no result for {len(missing)} notebooks: {', '.join(missing[:5])}")
        if run["returncode"] != 0:
            notes.append(f"mlday grade {name} exited with code {run['returncode']} (see the log in the output folder)")
        ungradable = [f"{r.learner}/{r.exercise}" for r in run["results"].values() if r.ungradable]
        if ungradable:
            notes.append(f"mlday {name}: ungradable: {', '.join(ungradable[:5])}")
    differ = [f"{l}/{e}" for (l, e), r in j1["results"].items() if (l, e) in j2["results"] and j2["results"][l, e].score != r.score]
    notes.append("mlday gave every notebook the same score with -j 1 and -j 2." if not differ else
                 f"mlday's score differs between -j 1 and -j 2 for {', '.join(differ[:5])}")
    stuck = [f"{l}/{e}" for (l, e), r in plain_runs.items() if "?" in r.failed]
    if stuck:
        notes.append(f"plain python did not finish: {', '.join(stuck[:5])}")
    return rows, notes
