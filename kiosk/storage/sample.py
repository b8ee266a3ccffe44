"""A plausible shift database for tests and screenshots, written through the real recorder and
writer (no scene, no models): a few days of interactions, minutes, nudges, pauses and faults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.storage.db import connect
from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock, iso
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.writer import StoreWriter

_FPS = 2.0  # frames per second of the synthetic minutes: enough for ratios, quick to write
_CUES = ("staring", "not_facing", "impatient_nodding", "leaning_back")


@dataclass(frozen=True)
class _Signals:
    gaze_on_customer: bool | None
    facing: bool | None
    lean_posture: str | None
    nod: bool
    events: tuple = ()


@dataclass(frozen=True)
class _Step:
    customer: bool
    measuring: bool
    cue: str | None
    frame: Any = field(default=None)


@dataclass(frozen=True)
class _Frame:
    signals: _Signals


def _summary(rng: random.Random, duration_s: float, nudged: list[str]) -> dict[str, Any]:
    eye = round(rng.uniform(0.45, 0.85), 3)
    nods = rng.randint(0, int(duration_s / 20))
    staring = int("staring" in nudged)
    return {
        "source": "sample",
        "frames": int(duration_s * _FPS),
        "duration_s": round(duration_s, 3),
        "fps": _FPS,
        "face_visible_ratio": round(rng.uniform(0.9, 1.0), 3),
        "head_pose": {"yaw_deg_median": 2.0, "pitch_deg_median": -3.0, "roll_deg_median": 0.5},
        "eye_contact": {
            "ratio": eye,
            "longest_gaze_s": round(rng.uniform(2.0, 6.0), 2),
            "staring_bouts": staring,
            "no_look_spells": rng.randint(0, 1),
        },
        "facing": {"ratio": round(rng.uniform(0.7, 1.0), 3), "head_only_turns": rng.randint(0, 2)},
        "lean": {
            "forward_ratio": round(rng.uniform(0.1, 0.5), 3),
            "back_ratio": round(rng.uniform(0.0, 0.2), 3),
        },
        "nods": {
            "count": nods,
            "per_minute": round(nods / (duration_s / 60), 2),
            "impatient_bouts": int("impatient_nodding" in nudged),
        },
        "pointing": {"events": rng.randint(0, 2), "open_palm_events": 1, "at_face": 0},
        "impatience": {"kinds": {}},
        "events": [{"kind": "staring", "t_s": 1.0, "duration_s": 5.0}] * staring,
    }


def fill_sample(
    path: str | Path, *, now: datetime, counter: str = "counter-1", days: int = 3, seed: int = 7
) -> None:
    """Write `days` local days of records before `now` (aware), one shift each, and a live
    status updated at `now`."""
    rng = random.Random(seed)
    # Each sample day's records lie within one local day (08:00-13:00), whatever the time of
    # day `now` is, so the sample always has `days` shifts: the last one is today once today's
    # records are in the past, yesterday before that.
    local_now = now.astimezone()
    last_day = local_now.date() - timedelta(days=0 if local_now.hour >= 14 else 1)

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        date = last_day - timedelta(days=day)
        return datetime(date.year, date.month, date.day, hour, minute).astimezone()

    first = at(days - 1, 0)
    wall = WallClock(first)
    recorder = Recorder(
        counter=counter,
        schedule=ShiftSchedule(()),
        wall=wall,
    )
    writer = StoreWriter(
        path,
        recorder,
        site="site-1",
        source="sample",
        retention_days=36500,
        flush_s=10.0,
        clock=lambda: now,
    )

    def t_of(when: datetime) -> float:
        return (when - first).total_seconds()

    for day in range(days - 1, -1, -1):
        for slot in range(6):
            start = at(day, 8) + timedelta(minutes=40 * slot)
            duration_s = rng.uniform(90.0, 300.0)
            start_s, end_s = t_of(start), t_of(start) + duration_s
            recorder.record({"kind": "interaction_start", "start_s": start_s, "arrived_s": start_s})
            nudged = rng.sample(_CUES, rng.randint(0, 2))
            for i, cue in enumerate(nudged):
                t_s = start_s + duration_s * (i + 1) / (len(nudged) + 1)
                recorder.record(
                    {
                        "kind": "nudge",
                        "cue": cue,
                        "t_s": t_s,
                        "reason": "sample",
                        "latency_ms": 70.0,
                    }
                )
            t_s = start_s
            while t_s < end_s:
                gaze = rng.random() < 0.7
                facing, lean_cm = rng.random() < 0.85, rng.uniform(-3, 4)
                posture = "forward" if lean_cm >= 2 else "back" if lean_cm <= -2 else "upright"
                signals = _Signals(gaze, facing, posture, rng.random() < 0.02)
                recorder.frame(t_s, _Step(True, True, None, _Frame(signals)))
                t_s += 1.0 / _FPS
            recorder.record(
                {
                    "kind": "interaction",
                    "start_s": start_s,
                    "end_s": end_s,
                    "arrived_s": start_s,
                    "nudges": len(nudged),
                    "summary": _summary(rng, duration_s, nudged),
                }
            )
        pause_s = t_of(at(day, 12, 30))
        for k in range(60):
            recorder.frame(pause_s + k, None, paused=True)
        recorder.record({"kind": "pause", "start_s": pause_s, "end_s": pause_s + 60.0})
    fault_s = t_of(at(0, 13))
    recorder.record(
        {
            "kind": "camera_fault",
            "start_s": fault_s,
            "end_s": fault_s + 12.0,
            "down_s": 12.0,
            "error": "the camera delivered no frame for 5 s",
        }
    )
    writer.close()
    conn = connect(path)
    try:
        conn.execute(
            "UPDATE status SET status = 'tracking', since_utc = ?, updated_utc = ?, "
            "interaction_start_utc = ?, counters_json = ? WHERE counter = ?",
            (
                iso(now - timedelta(minutes=3)),
                iso(now),
                iso(now - timedelta(seconds=42)),
                '{"frames": 5400, "processed": 5390, "fps": 14.8, "stage_ms": {"track": 66.0, '
                '"signals": 0.4, "rules": 0.02}, "camera_faults": 1, "interactions": 18, '
                '"nudges_by_cue": {"staring": 3, "not_facing": 2}}',
                counter,
            ),
        )
    finally:
        conn.close()
