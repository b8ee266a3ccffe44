"""Building recorders and writers over a temporary database, and fake steps for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.writer import StoreWriter

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_writer(path, *, clock=None, schedule=(), counter="counter-1", retention_days=365):
    clock = clock or Clock()
    recorder = Recorder(
        counter=counter,
        schedule=ShiftSchedule(schedule, UTC),
        wall=WallClock(START),
    )
    writer = StoreWriter(
        path,
        recorder,
        site="site-1",
        source="scene:test",
        retention_days=retention_days,
        flush_s=10.0,  # the tests flush by hand
        clock=clock,
        counters=lambda: {"frames": 10, "processed": 9, "nudges_by_cue": {"staring": 1}},
    )
    return recorder, writer


def step(
    *,
    gaze=True,
    facing=True,
    lean="upright",
    nod=False,
    customer=True,
    measuring=True,
    cue=None,
    events=(),
    expression="neutral",
    gesturing=False,
):
    signals = SimpleNamespace(
        gaze_on_customer=gaze,
        facing=facing,
        lean_posture=lean,
        nod=nod,
        expression=expression,
        gesturing=gesturing,
        events=tuple(events),
    )
    return SimpleNamespace(
        customer=customer, measuring=measuring, cue=cue, frame=SimpleNamespace(signals=signals)
    )


def summary(eye: float, facing: float | None, nods: int, duration_s: float) -> dict:
    return {
        "source": "scene:test",
        "frames": int(duration_s * 15),
        "duration_s": duration_s,
        "fps": 15.0,
        "face_visible_ratio": 1.0,
        "eye_contact": {
            "ratio": eye,
            "longest_gaze_s": 3.0,
            "staring_bouts": 0,
            "no_look_spells": 0,
        },
        "facing": {"ratio": facing, "head_only_turns": 0 if facing is not None else None},
        "lean": {"forward_ratio": 0.2, "back_ratio": 0.1},
        "nods": {"count": nods, "per_minute": nods / duration_s * 60, "impatient_bouts": 0},
        "pointing": {"events": 1, "open_palm_events": 0, "at_face": 0},
        "impatience": {"kinds": {}},
        "events": [{"kind": "pointing", "t_s": 1.0, "duration_s": 1.0, "at_face": False}],
    }


def interaction(
    start_s: float,
    end_s: float,
    eye: float,
    facing: float | None = 0.9,
    nods: int = 2,
    nudges: int = 0,
) -> dict:
    return {
        "kind": "interaction",
        "start_s": start_s,
        "end_s": end_s,
        "arrived_s": start_s - 2.0,
        "nudges": nudges,
        "summary": summary(eye, facing, nods, end_s - start_s),
    }
