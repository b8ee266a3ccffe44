"""All behaviour signals together: features in, per-frame values and a summary out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import Config
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.eye_contact import EyeContactSignal
from kiosk.signals.facing import FacingSignal
from kiosk.signals.impatience import WatchCheckSignal, impatience_summary
from kiosk.signals.lean import LeanSignal
from kiosk.signals.nods import NodSignal
from kiosk.signals.pointing import PointingSignal

LOOKING_DOWN_DEG = 15.0  # gaze this far below the customer's eyes is looking down at something


@dataclass(frozen=True)
class FrameSignals:
    """What the signals say about one frame (the `--per-frame` additions)."""

    gaze_on_customer: bool | None
    torso_yaw_deg: float | None
    lean_cm: float | None
    nod: bool
    pointing: bool
    events: tuple[Event, ...] = ()  # events that closed on this frame
    faults: tuple[Fault, ...] = ()  # faults going on now (their minimum time reached)


class SignalSet:
    def __init__(self, config: Config) -> None:
        self.eye_contact = EyeContactSignal(config.eye_contact)
        self.facing = FacingSignal(
            config.facing, config.impatience, config.customer.facing_cone_deg
        )
        self.lean = LeanSignal(config.lean, config.impatience)
        self.nods = NodSignal(config.nods)
        self.pointing = PointingSignal(config.pointing)
        self.watch = WatchCheckSignal(config.impatience)
        self.events: list[Event] = []
        self._body_tracked = config.tracker.pose

    def update(self, f: FrameFeatures) -> FrameSignals:
        t = f.t_s
        head = f.head
        new = self.eye_contact.update(t, f.gaze_on_customer)
        torso_yaw, facing_events = self.facing.update(
            t, f.torso_yaw_deg, f.shoulder_width_cm, f.customer_yaw_deg, f.head_to_customer
        )
        new += facing_events
        # A turned head throws the fitted distance off by several cm, so lean is read only while
        # the head faces the customer; a lean is a posture held for seconds and survives gaps.
        lean_cm = self.lean.update(t, f.head_distance_cm if f.head_to_customer else None)
        nod_events_before = len(self.nods.events)
        nod = self.nods.update(t, head.pitch_deg if head else None, head.yaw_deg if head else None)
        new += self.nods.events[nod_events_before:]
        new += self.pointing.update(t, f.hands_tracked, f.pointing, f.open_palm)
        looking_down = (
            f.gaze is not None
            and f.gaze.pitch_deg - (f.customer_pitch_deg or 0.0) < -LOOKING_DOWN_DEG
        )
        new += self.watch.update(t, f.wrist_raised, looking_down)
        self.events += new
        return FrameSignals(
            gaze_on_customer=f.gaze_on_customer,
            torso_yaw_deg=torso_yaw,
            lean_cm=lean_cm,
            nod=nod,
            pointing=f.pointing is not None,
            events=tuple(new),
        )

    def finish(self, t_s: float) -> list[Event]:
        """End of input at `t_s` (when the last frame ended): close every open run."""
        new = self.eye_contact.finish(t_s) + self.facing.finish(t_s) + self.lean.finish(t_s)
        new += self.nods.finish(t_s) + self.pointing.finish(t_s) + self.watch.finish(t_s)
        self.events += new
        self.events.sort(key=lambda e: e.t_s)
        return new

    def summary(self) -> dict[str, Any]:
        facing = self.facing.summary()
        if not self._body_tracked:
            facing = {"ratio": None, "head_only_turns": None}
        return {
            "eye_contact": self.eye_contact.summary(),
            "facing": facing,
            "lean": self.lean.summary(),
            "nods": self.nods.summary(self.eye_contact.visible_s),
            "pointing": self.pointing.summary(),
            "impatience": impatience_summary(self.events),
            "events": [e.to_json() for e in self.events],
        }
