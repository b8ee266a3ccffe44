"""A plausible shift database for tests and screenshots, written through the real recorder and
writer (no scene, no models): a few days of interactions (greetings, expressions and gestures
too), minutes, events, nudges, pauses and faults."""

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
_GREETING_LIMIT_S = 3.0  # [greeting] limit_s's default: a later first look is a slow greeting


@dataclass(frozen=True)
class _Signals:
    gaze_on_customer: bool | None
    facing: bool | None
    lean_posture: str | None
    nod: bool
    events: tuple = ()
    expression: str | None = None
    gesturing: bool = False


@dataclass(frozen=True)
class _Step:
    customer: bool
    measuring: bool
    cue: str | None
    frame: Any = field(default=None)


@dataclass(frozen=True)
class _Frame:
    signals: _Signals


@dataclass(frozen=True)
class _Conduct:
    """One interaction's greeting, expression and gestures (issue 18), drawn before its frames
    so that the minutes' frown, smile and gesturing frames follow the interaction's ratios."""

    greeting_s: float | None
    frown_ratio: float
    smile_ratio: float
    gesturing_ratio: float
    hidden_hands: bool
    blank_stare_spells: int
    wide_gestures: int
    stiff_spells: int

    @classmethod
    def draw(cls, rng: random.Random, slot: int) -> _Conduct:
        """Every day's second customer waits for a look and its fifth never sees the agent's
        hands, so each shift has both to show; the rest is drawn."""
        hidden = slot == 4
        if slot == 1:
            greeting_s: float | None = round(rng.uniform(3.5, 9.0), 2)
        elif rng.random() < 0.05:
            greeting_s = None  # never looked at the customer
        else:
            greeting_s = round(rng.uniform(0.4, 2.8), 2)
        return cls(
            greeting_s=greeting_s,
            frown_ratio=round(rng.uniform(0.0, 0.15), 3),
            smile_ratio=round(rng.uniform(0.1, 0.5), 3),
            gesturing_ratio=0.0 if hidden else round(rng.uniform(0.05, 0.35), 3),
            hidden_hands=hidden,
            blank_stare_spells=int(rng.random() < 0.2),
            wide_gestures=0 if hidden else int(rng.random() < 0.25),
            stiff_spells=int(rng.random() < 0.2),
        )

    def events(self, start_s: float, duration_s: float) -> list[dict[str, Any]]:
        """The interaction's new fault events, as `kiosk run --events` writes them."""
        events: list[dict[str, Any]] = []
        if self.greeting_s is None or self.greeting_s > _GREETING_LIMIT_S:
            events.append(
                {
                    "kind": "slow_greeting",
                    "t_s": start_s,
                    "duration_s": _GREETING_LIMIT_S,
                    "greeting_s": self.greeting_s,
                }
            )
        if self.frown_ratio > 0.1:
            events.append({"kind": "frown", "t_s": start_s + 0.3 * duration_s, "duration_s": 4.0})
        for kind, n in (
            ("blank_stare", self.blank_stare_spells),
            ("wide_gesture", self.wide_gestures),
            ("stiff", self.stiff_spells),
        ):
            events += [{"kind": kind, "t_s": start_s + 0.5 * duration_s, "duration_s": 6.0}] * n
        if self.hidden_hands:
            events.append({"kind": "hidden_hands", "t_s": start_s, "duration_s": duration_s})
        return events

    def signals(self, rng: random.Random) -> dict[str, Any]:
        """One frame's expression and gesturing."""
        draw = rng.random()
        if draw < 0.05:
            expression = None  # no face measured
        elif draw < 0.05 + 0.95 * self.frown_ratio:
            expression = "frown"
        elif draw < 0.05 + 0.95 * (self.frown_ratio + self.smile_ratio):
            expression = "smile"
        else:
            expression = "neutral"
        return {"expression": expression, "gesturing": rng.random() < self.gesturing_ratio}


def _summary(
    rng: random.Random, duration_s: float, nudged: list[str], conduct: _Conduct, start_s: float
) -> dict[str, Any]:
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
        "greeting_s": conduct.greeting_s,
        "expression": {
            "frown_ratio": conduct.frown_ratio,
            "smile_ratio": conduct.smile_ratio,
            "blank_stare_spells": conduct.blank_stare_spells,
        },
        "gestures": {
            "gesturing_ratio": conduct.gesturing_ratio,
            "wide_gestures": conduct.wide_gestures,
            "hidden_hands": conduct.hidden_hands,
        },
        "stiffness": {"stiff_spells": conduct.stiff_spells},
        "events": [{"kind": "staring", "t_s": 1.0, "duration_s": 5.0}] * staring
        + conduct.events(start_s, duration_s),
    }


def fill_sample(
    path: str | Path, *, now: datetime, counter: str = "counter-1", days: int = 3, seed: int = 7
) -> None:
    """Write `days` local days of records before `now` (aware), one shift each, and a live
    status updated at `now`."""
    rng = random.Random(seed)
    # Issue 18's numbers come from a generator of their own, so that every number drawn before
    # them (lengths, nudges, eye contact...) is the same as it was.
    conduct_rng = random.Random(f"{seed}-conduct")
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
            conduct = _Conduct.draw(conduct_rng, slot)
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
                signals = _Signals(
                    gaze, facing, posture, rng.random() < 0.02, **conduct.signals(conduct_rng)
                )
                recorder.frame(t_s, _Step(True, True, None, _Frame(signals)))
                t_s += 1.0 / _FPS
            summary = _summary(rng, duration_s, nudged, conduct, start_s)
            for event in conduct.events(start_s, duration_s):
                recorder.record(event)
            recorder.record(
                {
                    "kind": "interaction",
                    "start_s": start_s,
                    "end_s": end_s,
                    "arrived_s": start_s,
                    "nudges": len(nudged),
                    "summary": summary,
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
