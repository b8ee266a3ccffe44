"""`kiosk soak`'s verdict and report: the run's figures against the first simulated hour and
the limits, the rows in its database, the machine it ran on (the JSON keys are in the README)."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
from pathlib import Path
from typing import Any


def database_rows(path: str) -> dict[str, Any]:
    """Rows the database holds after the run, and its size."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        count = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("interactions", "nudges", "events")
        }
        minute_frames = conn.execute("SELECT COALESCE(SUM(frames), 0) FROM minutes").fetchone()[0]
    finally:
        conn.close()
    size = sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*"))
    return {"db_mb": round(size / 2**20, 2), "db_rows": count | {"minute_frames": minute_frames}}


def trend_ratio(values: list[float]) -> float:
    """The last window's value over the first's, both read off the straight line through every
    window (Theil-Sen: the median of the slopes between any two windows, robust to a few noisy
    hours), so that one hour slowed by other work at either end decides nothing."""
    n = len(values)
    if n < 2:
        return 1.0
    slope = statistics.median(
        (values[j] - values[i]) / (j - i) for i in range(n) for j in range(i + 1, n)
    )
    start = statistics.median(v - slope * i for i, v in enumerate(values))
    return (start + slope * (n - 1)) / start if start > 0 else math.inf


def judge(result, plan, expected, models, max_growth_mb, max_slowdown) -> dict[str, Any]:
    """The soak's JSON object: the run's figures (from kiosk.soak), the first window (the
    baseline, after the warm-up) against the last, and the checks."""
    windows = result.pop("windows")
    first, last = windows[0], windows[-1]
    growth = last["rss_mb"] - first["rss_mb"]
    # Judged on the loop thread's CPU time, which leaves out the waits for a core while other
    # work runs; that work's share of the caches still moves an hour's median by 10-30 % on a
    # shared machine, up and down, so the verdict is the trend through every hour.
    cpu_ms = [w["frame_cpu_ms_median"] for w in windows]
    slowdown = trend_ratio(cpu_ms)
    # A flush's wall time, disk included, on the same trend; reported, not judged: a shared
    # machine's disk is noisier still.
    flush_ms = [w["flush_ms_median"] for w in windows]
    flush_ratio = trend_ratio(flush_ms) if all(flush_ms) else None
    interactions, nudges, rows = result["interactions"], result["nudges"], result["db_rows"]
    by_loop = interactions.pop("by_loop")
    nudges_by_loop = nudges.pop("by_loop")
    interactions |= {
        "expected": sum(expected),
        "in_database": rows["interactions"],
        "loops_as_expected": sum(a == b for a, b in zip(by_loop, expected, strict=True)),
        "per_loop_min": min(by_loop),
        "per_loop_max": max(by_loop),
    }
    nudges |= {
        "in_database": rows["nudges"],
        "per_loop_min": min(nudges_by_loop),
        "per_loop_max": max(nudges_by_loop),
    }
    result["events"]["in_database"] = rows["events"]
    checks = {
        "memory": growth <= max_growth_mb,
        "frame_time": slowdown <= max_slowdown,
        "interactions": interactions["loops_as_expected"] == plan.loops
        and interactions["recorded"] == interactions["expected"],
        "storage": rows["interactions"] == interactions["recorded"]
        and rows["nudges"] == nudges["recorded"]
        and rows["events"] == result["events"]["recorded"]
        and rows["minute_frames"] == result["frames"]
        and result["storage_dropped"] == 0
        and result["flush_failures"] == 0,
    }
    return {
        "source": f"scene:{plan.scenario.name}",
        "mode": "models" if models else "replay",
        "fps": plan.fps,
        "loop_s": round(plan.loop_s, 3),
        "loops": plan.loops,
        "simulated_hours": round(plan.loops * plan.loop_s / 3600, 3),
        "window_h": round(plan.window_s / 3600, 3),
        **result,
        "wall_s_per_simulated_hour": round(result["wall_s"] * 3600 / (plan.loops * plan.loop_s), 1),
        "rss_baseline_mb": first["rss_mb"],
        "rss_end_mb": last["rss_mb"],
        "rss_max_mb": max(w["rss_mb"] for w in windows),
        "rss_growth_mb": round(growth, 2),
        "frame_cpu_ms_first": _figures(first, "frame_cpu_ms"),
        "frame_cpu_ms_last": _figures(last, "frame_cpu_ms"),
        "frame_slowdown": round(slowdown, 3),
        "frame_slowdown_last_over_first": round(cpu_ms[-1] / cpu_ms[0], 3),
        "frame_ms_first": _figures(first, "frame_ms"),
        "frame_ms_last": _figures(last, "frame_ms"),
        "frame_wall_slowdown_last_over_first": round(
            last["frame_ms_median"] / first["frame_ms_median"], 3
        ),
        "flush_slowdown": None if flush_ratio is None else round(flush_ratio, 3),
        "windows": windows,
        "limits": {"max_growth_mb": max_growth_mb, "max_slowdown": max_slowdown},
        "checks": checks,
        "passed": all(checks.values()),
        "machine": _machine(),
    }


def _figures(window: dict[str, Any], name: str) -> dict[str, float | None]:
    return {"median": window[f"{name}_median"], "p95": window[f"{name}_p95"]}


def _machine() -> dict[str, Any]:
    model = None
    for path, key in (("/proc/device-tree/model", None), ("/proc/cpuinfo", "model name")):
        try:
            text = Path(path).read_text(errors="ignore")
        except OSError:
            continue
        if key is None:
            model = text.strip("\x00\n ")
        else:
            line = next((s for s in text.splitlines() if s.startswith(key)), None)
            model = line.split(":", 1)[1].strip() if line else None
        if model:
            break
    return {
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def describe(result: dict[str, Any]) -> list[str]:
    """A few readable lines for the terminal."""
    first, last = result["frame_cpu_ms_first"], result["frame_cpu_ms_last"]
    inter, nudges = result["interactions"], result["nudges"]
    checks = ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in result["checks"].items())
    return [
        f"{result['frames']} frames of {result['source']} ({result['mode']}, {result['fps']:g} "
        f"fps): {result['loops']} loops, {result['simulated_hours']} h simulated in "
        f"{result['wall_s']} s",
        f"memory: {result['rss_baseline_mb']} MB after the first window, "
        f"{result['rss_end_mb']} MB at the end: {result['rss_growth_mb']:+} MB "
        f"(limit {result['limits']['max_growth_mb']})",
        f"CPU per frame: {first['median']} ms median ({first['p95']} p95) in the first window, "
        f"{last['median']} ms ({last['p95']} p95) in the last: x"
        f"{result['frame_slowdown_last_over_first']}, x{result['frame_slowdown']} on the trend "
        f"through every window (limit x{result['limits']['max_slowdown']})",
        f"interactions: {inter['recorded']} of {inter['expected']} expected, "
        f"{inter['in_database']} in the database; nudges: {nudges['recorded']}, "
        f"{nudges['in_database']} in the database; database {result['db_mb']} MB",
        f"{'PASSED' if result['passed'] else 'FAILED'}: {checks}",
    ]
