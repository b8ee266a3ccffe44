"""All behaviour signals together: features in; per-frame values, live faults and events out;
a summary per interaction, with baselines that outlast interactions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.config import Config
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import FAULT_KINDS, Event, Fault
from kiosk.signals.expression import ExpressionSignal, ExpressionState
from kiosk.signals.eye_contact import EyeContactSignal, EyeContactState
from kiosk.signals.facing import FacingSignal, FacingState
from kiosk.signals.gestures import GesturesSignal, GesturesState
from kiosk.signals.greeting import GreetingSignal, GreetingState
from kiosk.signals.impatience import (
    WatchCheckSignal,
    WatchState,
    impatience_summary,
    watch_glance,
)
from kiosk.signals.lean import LeanSignal, LeanState
from kiosk.signals.nods import NodSignal, NodState
from kiosk.signals.pointing import PointingSignal, PointingState
from kiosk.signals.stiffness import StiffnessSignal, StiffnessState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameSignals:
    """What the signals say about one frame (the `--per-frame` additions)."""

    gaze_on_customer: bool | None
    torso_yaw_deg: float | None
    lean_cm: float | None
    nod: bool
    pointing: bool
    facing: bool | None = None  # the body faces the customer (None: no body, or not measuring)
    lean_posture: str | None = None  # "forward", "back", "upright" (None: not measured)
    watch_check: bool = False  # a wrist held up as for reading a watch, and looked at
    # "frown", "smile" or "neutral" from the face's actions (None: no face measured)
    expression: str | None = None
    gesturing: bool = False  # a hand moving in view (a gesture under way)
    events: tuple[Event, ...] = ()  # events that closed on this frame
    faults: tuple[Fault, ...] = ()  # faults going on now (their minimum time reached)


@dataclass(frozen=True)
class SignalsState:
    """What is happening now, signal by signal (for display)."""

    eye_contact: EyeContactState
    facing: FacingState
    lean: LeanState
    nods: NodState
    pointing: PointingState
    watch: WatchState
    greeting: GreetingState
    expression: ExpressionState
    gestures: GesturesState
    stiffness: StiffnessState


class SignalSet:
    def __init__(self, config: Config, *, learn_faces: bool = True) -> None:
        """`learn_faces` False: the frames are photos of perhaps different people, so the
        face's neutral is never learned from them (the population's is used)."""
        signals = config.signals
        self.eye_contact = EyeContactSignal(config.eye_contact, signals)
        self.facing = FacingSignal(
            config.facing, config.impatience, config.customer.facing_cone_deg, signals
        )
        self.lean = LeanSignal(config.lean, config.impatience, signals)
        self.nods = NodSignal(config.nods, signals)
        self.pointing = PointingSignal(config.pointing, signals)
        self.watch = WatchCheckSignal(config.impatience, signals)
        self.greeting = GreetingSignal(config.greeting)
        self.expression = ExpressionSignal(config.expression, signals, learn=learn_faces)
        self.gestures = GesturesSignal(config.gestures, signals)
        self.stiffness = StiffnessSignal(config.stiffness, signals)
        # Each takes the frame's features alone; stiffness (last) also what nods and gestures
        # made of it.
        self._framewise = (
            self.eye_contact,
            self.facing,
            self.lean,
            self.nods,
            self.pointing,
            self.watch,
            self.greeting,
            self.expression,
            self.gestures,
        )
        self._signals = (*self._framewise, self.stiffness)
        self._body_tracked = config.tracker.pose
        self.events: list[Event] = []  # this interaction's
        self._faults: tuple[Fault, ...] = ()
        self._last_t_s: float | None = None
        self.skipped_frames = 0

    def update(self, f: FrameFeatures) -> FrameSignals:
        """A frame during an interaction: everything is counted and the baselines learn."""
        if not self._advance(f.t_s):
            return FrameSignals(None, None, None, nod=False, pointing=False, faults=self._faults)
        t = f.t_s
        new: list[Event] = []
        for signal in self._framewise:
            new += signal.update(t, f)
        new += self.stiffness.update(
            t, f, nodded=self.nods.nod_completed, hands_moving=self.gestures.gesturing
        )
        self.events += new
        faults = [fault for signal in self._signals for fault in signal.faults]
        if len(faults) > 1:
            faults.sort(key=lambda fault: FAULT_KINDS.index(fault.kind))
        self._faults = tuple(faults)
        return FrameSignals(
            gaze_on_customer=f.gaze_on_customer,
            torso_yaw_deg=self.facing.torso_yaw_deg,
            lean_cm=self.lean.lean_cm,
            nod=self.nods.nod_completed,
            pointing=f.pointing is not None,
            facing=self.facing.torso_facing,
            lean_posture=self.lean.posture,
            watch_check=self.watch.glancing,
            expression=self.expression.expression,
            gesturing=self.gestures.gesturing,
            events=tuple(new),
            faults=self._faults,
        )

    def observe(self, f: FrameFeatures) -> FrameSignals:
        """A frame outside an interaction (no customer): only the baselines learn."""
        if not self._advance(f.t_s):
            return FrameSignals(None, None, None, nod=False, pointing=False)
        self._faults = ()
        self.greeting.observe(f.t_s, f)
        return FrameSignals(
            gaze_on_customer=f.gaze_on_customer,
            torso_yaw_deg=self.facing.observe(f.t_s, f),
            lean_cm=self.lean.observe(f.t_s, f),
            nod=False,
            pointing=f.pointing is not None,
            watch_check=watch_glance(f, self.watch.config.watch_gaze_cone_deg),
            expression=self.expression.observe(f.t_s, f),
        )

    def _advance(self, t_s: float) -> bool:
        """Time must move forward; a frame stamped at or before the last one is skipped."""
        if self._last_t_s is None or t_s > self._last_t_s:
            self._last_t_s = t_s
            return True
        self.skipped_frames += 1
        # 1st, 10th, 100th...: a clock that keeps going backwards is reported, not flooded.
        if str(self.skipped_frames).rstrip("0") == "1":
            log.warning(
                "frame at t=%.3f s is not after the previous one (t=%.3f s); skipped "
                "(%d such frames so far)",
                t_s,
                self._last_t_s,
                self.skipped_frames,
            )
        return False

    def finish(self, t_s: float) -> list[Event]:
        """End of input at `t_s` (when the last frame ended): close every open run."""
        new = [event for signal in self._signals for event in signal.finish(t_s)]
        self.events += new
        self.events.sort(key=lambda e: e.t_s)
        self._faults = ()
        return new

    def reset(self) -> None:
        """A new interaction: runs, counts, events and faults start again; baselines stay."""
        for signal in self._signals:
            signal.reset()
        self.events = []
        self._faults = ()

    def start(self, arrived_s: float) -> None:
        """A new interaction whose customer arrived at `arrived_s` (after `reset`)."""
        self.greeting.start(arrived_s)

    def reset_baselines(self) -> None:
        """Forget the learned lean neutral and square-on shoulder width (a calibration stays)."""
        self.lean.neutral.reset()
        self.facing.torso.square_on.reset()
        self.expression.reset_baselines()

    @property
    def faults(self) -> tuple[Fault, ...]:
        return self._faults

    @property
    def state(self) -> SignalsState:
        return SignalsState(
            eye_contact=self.eye_contact.state,
            facing=self.facing.state,
            lean=self.lean.state,
            nods=self.nods.state,
            pointing=self.pointing.state,
            watch=self.watch.state,
            greeting=self.greeting.state,
            expression=self.expression.state,
            gestures=self.gestures.state,
            stiffness=self.stiffness.state,
        )

    def summary(self) -> dict[str, Any]:
        facing = self.facing.summary()
        if not self._body_tracked:
            facing = {"ratio": None, "head_only_turns": None}
        return {
            "eye_contact": self.eye_contact.summary(),
            "facing": facing,
            "lean": self.lean.summary(),
            "nods": self.nods.summary(self.nods.seen_s),
            "pointing": self.pointing.summary(),
            "impatience": impatience_summary(self.events),
            **self.greeting.summary(),
            "expression": self.expression.summary(),
            "gestures": self.gestures.summary(),
            "stiffness": self.stiffness.summary(),
            "events": [e.to_json() for e in self.events],
        }
