"""Render the benchmark's numbers (the dict that ``run.py`` writes as results.json) as Markdown."""

from __future__ import annotations


def _num(value, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "—"
    if value == float("inf"):
        return "∞"
    return f"{value:.{digits}f}{suffix}"


def _ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f}"


def _met(met) -> str:
    return {True: "yes", False: "**no**", None: "not measured"}[met]


def _header(data: dict) -> list[str]:
    m, c = data["machine"], data["config"]
    mix = ", ".join(f"{kind} {n}" for kind, n in c["mix"].items())
    load = f"load average {m['load_before']:.2f} at the start and {m['load_after']:.2f} at the end"
    phases = ", ".join(f"{name} {value:.2f}" for name, value in m.get("load_by_phase", {}).items())
    peer = f"nbgrader {data['nbgrader']['version']} in its own venv" if data.get("nbgrader") else "nbgrader not run (--no-peer)"
    return [
        "# mlday benchmark",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu']}), Python {m['python']}; {load}"
        + (" (other jobs were running before the benchmark started)" if m["load_before"] > 1 else "") + ".",
        f"- Class: {c['learners']} learners × {len(c['exercises'])} exercises = {c['notebooks']} notebooks ({mix}); seed {c['seed']}.",
        f"- Load average when each phase started (they run one after the other): {phases}.",
        f"- Cell timeout {c['cell_timeout']} s in every system; mlday isolation: {c['isolation']}; {peer}.",
        "- Plain python: each notebook's learner cells in a fresh `python` process, no grading. "
        "Overhead = wall per notebook − plain python's wall per notebook.",
        f"- Memory: {data['memory_method']}",
    ]


def _measures(data: dict) -> list[str]:
    plain, mlday, peer, check, ratios = data["plain"], data["mlday"], data.get("nbgrader"), data["check"], data["ratios"]
    j1, j2 = mlday["j1"], mlday["j2"]
    p = peer or {}
    rows = [
        ("wall per notebook, one at a time (s)", _num(plain["per_notebook"]), _num(j1["per_notebook"]),
         _num(p.get("per_notebook")), _num(ratios.get("wall_nbgrader_over_mlday"), 1, "x")),
        ("submissions per minute, -j 1", _num(plain["per_minute"], 1), _num(j1["per_minute"], 1),
         _num(p.get("per_minute"), 1), _num(ratios.get("throughput_mlday_j1_over_nbgrader"), 1, "x")),
        ("submissions per minute, -j 2", "—", _num(j2["per_minute"], 1), "— (no -j)",
         _num(ratios.get("throughput_mlday_j2_over_nbgrader"), 1, "x")),
        ("overhead per notebook (s)", "0", _num(mlday["overhead_seconds"]), _num(p.get("overhead_seconds")),
         _num(ratios.get("overhead_nbgrader_over_mlday"), 1, "x")),
        ("overhead, % of plain python", "0", _num(mlday["overhead_pct"], 1, "%"), _num(p.get("overhead_pct"), 1, "%"), ""),
        ("peak memory, grader, largest process, -j 1 (MiB)", "—", _num(j1["peak_grader_mib"], 0),
         _num(p.get("peak_grader_mib"), 0), ""),
        ("peak memory, grader, largest process, -j 2 (MiB)", "—", _num(j2["peak_grader_mib"], 0), "—", ""),
        ("peak memory, one worker or kernel, -j 1 (MiB)", "—", _num(j1["peak_learner_mib"], 0),
         _num(p.get("peak_learner_mib"), 0), ""),
        ("peak memory, whole process tree, -j 1 (MiB)", "—", _num(j1["peak_tree_rss_mib"], 0),
         _num(p.get("peak_tree_rss_mib"), 0), ""),
        ("peak memory, whole process tree, -j 2 (MiB)", "—", _num(j2["peak_tree_rss_mib"], 0), "—", ""),
        (f"check(\"{check['question']}\"), first call in a fresh kernel (ms)", "—", _ms(check["first"]), "—", ""),
        (f"check(\"{check['question']}\"), later calls: median / max (ms)", "—",
         f"{_ms(check['median'])} / {_ms(check['max'])}", "—", ""),
    ]
    lines = ["## Measures", "", "| measure | plain python | mlday | nbgrader | nbgrader vs mlday |", "|---|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", "Ratios: wall and overhead are nbgrader ÷ mlday (more is better for mlday); throughput is mlday ÷ nbgrader."]
    return lines


def _section(title: str, columns: list[str], align: list[str], rows) -> list[str]:
    """A ``## title`` heading and a Markdown table of ``rows`` under ``columns``."""
    lines = [f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|"]
    return lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows]


def _targets(data: dict) -> list[str]:
    rows = [(t["target"], t["measured"], _met(t["met"])) for t in data["targets"]]
    return _section("Targets", ["target", "measured", "met"], ["---"] * 3, rows)


def _exercises(data: dict) -> list[str]:
    columns = ["exercise", "notebooks", "plain python", "mlday -j 1 (grading, from results.json)", "nbgrader (autograde run ÷ notebooks)"]
    rows = [(name, row["notebooks"], _num(row["plain"]), _num(row["mlday"]), _num(row.get("nbgrader")))
            for name, row in data["per_exercise"].items()]
    return _section("Per exercise (seconds per notebook)", columns, ["---"] + ["---:"] * 4, rows)


def _scores(data: dict) -> list[str]:
    rows = [(kind, row["notebooks"], _num(row["mlday_j1"], 1, "%"), _num(row["mlday_j2"], 1, "%"), _num(row.get("nbgrader"), 1, "%"))
            for kind, row in data["scores"].items()]
    lines = _section("Scores by kind (mean share of the points)", ["kind", "notebooks", "mlday -j 1", "mlday -j 2", "nbgrader"],
                     ["---"] + ["---:"] * 4, rows)
    notes = data.get("notes") or []
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return lines


def render(data: dict) -> str:
    """The whole report: header, measures, targets, per exercise, scores by kind."""
    parts = [_header(data), _measures(data), _targets(data), _exercises(data), _scores(data)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
