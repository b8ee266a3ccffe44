"""One step per frame: landmarks → features → signals → interaction → nudge rules.

`kiosk analyze`, `run`, `demo` and `bench` all go through `Pipeline.step`; no other copy of the
loop body exists. No decision reads a clock: every one follows the frame's `t_s` (the clock
is read only to measure each stage's time).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.analysis import AnalysisSummary, FrameResult
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.features.frame import extract_features
from kiosk.feedback.rules import Nudge, NudgeRules
from kiosk.landmarks.tracker import Tracker
from kiosk.landmarks.types import Landmarks
from kiosk.presence.interaction import InteractionTracker, Transition
from kiosk.signals.events import NOT_FAULT_KINDS, Event, Fault
from kiosk.signals.session import SignalSet

log = logging.getLogger(__name__)

STAGES = ("track", "signals", "rules")
_WARN_EVERY_S = 10.0


@dataclass(frozen=True)
class StepResult:
    """What one frame produced. `records` are the `--events` lines it closed, in order."""

    frame: FrameResult
    customer: bool  # the presence reading held for this frame
    measuring: bool  # inside an interaction with the customer there: signals count
    cue: str | None  # the cue lit after this frame
    faults: tuple[Fault, ...] = ()
    nudges: tuple[Nudge, ...] = ()
    held: tuple[tuple[str, str], ...] = ()  # faults that became active but are not shown: why
    records: tuple[dict[str, Any], ...] = ()


@dataclass
class _Interaction:
    start_s: float
    arrived_s: float
    summary: AnalysisSummary
    faults: int = 0
    nudges: int = 0


def _count_fault(interaction: _Interaction, event: Event) -> None:
    interaction.faults += event.kind not in NOT_FAULT_KINDS


class Pipeline:
    """Feed frames in time order with the customer's presence; read results and records.

    `interactions` decides when signals count (`InteractionTracker.whole_input()` for analyze:
    all of it); `rules` None skips nudging (analyze).
    """

    def __init__(
        self,
        config: Config,
        tracker: Tracker | None,
        *,
        source_name: str,
        fps: float,
        interactions: InteractionTracker,
        rules: NudgeRules | None = None,
        sequence: bool = True,
    ) -> None:
        """`sequence` False: the frames are separate photos (perhaps of different people)."""
        self.config = config
        self.tracker = tracker
        self.parts = {"face": True, "pose": config.tracker.pose, "hands": config.tracker.hands}
        self.source_name = source_name
        self.fps = fps
        self.interactions = interactions
        self.rules = rules
        self.signals = SignalSet(config, learn_faces=sequence)
        self.current: _Interaction | None = None
        self.whole_input = interactions.absent_end_s == float("inf")
        self.closed: list[dict[str, Any]] = []  # the whole input's summary (analyze only)
        self.frames = 0
        self._last_t_s: float | None = None
        self._warned_s: float | None = None
        # The last few hundred frames' time per stage, in ms: measured, never used to decide.
        self.stage_times_ms = {stage: deque(maxlen=300) for stage in STAGES}

    def step(self, frame: Frame, present: bool | None = True) -> StepResult | None:
        """Track `frame` and take one step; None when its timestamp is not after the last one."""
        if self._out_of_order(frame.t_s):
            return None
        assert self.tracker is not None, "a pipeline without a tracker takes landmarks"
        started = time.perf_counter()
        landmarks = self.tracker.track(frame, **self.parts)
        self.stage_times_ms["track"].append((time.perf_counter() - started) * 1e3)
        return self.step_landmarks(landmarks, present, file=frame.file)

    def stage_ms(self) -> dict[str, float | None]:
        """The median time per stage over the last few hundred frames, in ms."""
        return {
            stage: round(statistics.median(times), 3)
            if (times := list(self.stage_times_ms[stage]))
            else None
            for stage in STAGES
        }

    def _out_of_order(self, t_s: float) -> bool:
        if self._last_t_s is None or t_s > self._last_t_s:
            return False
        if self._warned_s is None or abs(t_s - self._warned_s) >= _WARN_EVERY_S:
            self._warned_s = t_s
            log.warning(
                "frame at t=%.3f s is not after the previous one (%.3f s); skipped",
                t_s,
                self._last_t_s,
            )
        return True

    def step_landmarks(
        self, landmarks: Landmarks, present: bool | None = True, *, file: str | None = None
    ) -> StepResult | None:
        t_s = landmarks.t_s
        if self._out_of_order(t_s):
            return None
        self._last_t_s = t_s
        self.frames += 1
        records: list[dict[str, Any]] = []
        transition = self.interactions.update(t_s, present)
        if transition is not None:
            records += self._transition(transition)
        measuring = self.interactions.active and self.interactions.customer
        started = time.perf_counter()
        features = extract_features(landmarks, self.config)
        signals = self.signals.update(features) if measuring else self.signals.observe(features)
        result = FrameResult(
            landmarks.frame_index, t_s, file, features.face, features.head, signals
        )
        if measuring and self.current is not None:
            self.current.summary.add(result)
            for event in signals.events:
                _count_fault(self.current, event)
                records.append(event.to_json())
        nudges: list[Nudge] = []
        ruled = time.perf_counter()
        self.stage_times_ms["signals"].append((ruled - started) * 1e3)
        if self.rules is not None:
            nudges = self.rules.update(t_s, signals.faults, customer=measuring)
            records += [n.to_json() for n in nudges]
            if self.current is not None:
                self.current.nudges += len(nudges)
            self.stage_times_ms["rules"].append((time.perf_counter() - ruled) * 1e3)
        return StepResult(
            frame=result,
            customer=self.interactions.customer,
            measuring=measuring,
            cue=self.rules.cue if self.rules is not None else None,
            faults=signals.faults,
            nudges=tuple(nudges),
            held=tuple(self.rules.held) if self.rules is not None else (),
            records=tuple(records),
        )

    def _transition(self, transition: Transition) -> list[dict[str, Any]]:
        if transition.kind == "start":
            self.signals.reset()
            self.signals.start(transition.arrived_s)
            self.current = _Interaction(
                transition.t_s, transition.arrived_s, AnalysisSummary(self.source_name, self.fps)
            )
            if self.rules is not None:
                self.rules.start_interaction()
            log.info("interaction started at t=%.1f s", transition.t_s)
            return [
                {
                    "kind": "interaction_start",
                    "start_s": round(transition.t_s, 3),
                    "arrived_s": round(transition.arrived_s, 3),
                }
            ]
        return self._close(transition.t_s, now_s=self._last_t_s)

    def _close(self, end_s: float, now_s: float | None = None) -> list[dict[str, Any]]:
        """Close the interaction in progress at `end_s`: its last events and its summary.
        `now_s` (the frame deciding it) given, a well-handled one may be acknowledged now."""
        current, self.current = self.current, None
        if current is None:
            return []
        records = []
        for event in self.signals.finish(end_s):
            _count_fault(current, event)
            records.append(event.to_json())
        duration_s = max(0.0, end_s - current.start_s)
        summary = current.summary.to_json(
            self.signals.summary(), duration_s=None if self.whole_input else duration_s
        )
        record = {
            "kind": "interaction",
            "start_s": round(current.start_s, 3),
            "end_s": round(end_s, 3),
            "arrived_s": round(current.arrived_s, 3),
            "nudges": current.nudges,
            "summary": summary,
        }
        if self.whole_input:
            self.closed.append(record)
        records.append(record)
        log.info("interaction ended at t=%.1f s after %.1f s", end_s, duration_s)
        if self.rules is not None and now_s is not None:
            ack = self.rules.acknowledge(now_s, duration_s, current.faults)
            if ack is not None:
                records.append(ack.to_json())
        return records

    def interrupt(self, t_s: float) -> list[dict[str, Any]]:
        """End the interaction in progress now (pause, camera fault, shutdown); LEDs go dark."""
        transition = self.interactions.end_now(t_s)
        records = self._close(transition.t_s) if transition is not None else []
        if self.rules is not None:
            self.rules.clear()
        return records

    def finish(self, t_s: float) -> list[dict[str, Any]]:
        """End of input at `t_s` (when the last frame ended)."""
        return self.interrupt(t_s)

    def empty_summary(self) -> dict[str, Any]:
        """The analyze object when no frame was measured."""
        return AnalysisSummary(self.source_name, self.fps).to_json(SignalSet(self.config).summary())
