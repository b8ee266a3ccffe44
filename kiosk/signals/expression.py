"""The face's actions, frame by frame, against this agent's own neutral face: brows drawn down
(a frown), lip corners up (a smile), and a blank stare (eyes open and fixed away from the
customer, face and head still, no blink). What the face does, never a label of a feeling.

The neutral is the population's (a single photo works) until the agent's own has been learned
from the first `learn_s` of presence (the median), kept within `max_personal_shift_cm` of the
population's so that a frown held through the first minute does not become the neutral.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

from kiosk.config import ExpressionConfig, SignalsConfig
from kiosk.features.expression import POPULATION_NEUTRAL_CM, frown_cm, smile_cm
from kiosk.features.frame import FrameFeatures
from kiosk.signals.baseline import LearnedValue
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset, Runs, StillSpell, TimeShare

_FROWN_BREAK_S = 0.5  # a frown that lapses for less than this is the same frown
_SMOOTH_TAU_S = 0.3  # the blank stare compares values smoothed this much (mesh jitter)


@dataclass(frozen=True)
class ExpressionState:
    expression: str | None  # this frame's: "frown", "smile", "neutral"; None without a face
    frowning_since_s: float | None  # a frown held at least frown_min_s
    blank_since_s: float | None  # a blank stare past blank_stare_s


class ExpressionSignal:
    def __init__(
        self, config: ExpressionConfig, signals: SignalsConfig, *, learn: bool = True
    ) -> None:
        """`learn` False (a folder of photos, each perhaps someone else): the population's
        neutral, or the calibrated one."""
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        self.learn = learn
        self.neutral = {
            name: LearnedValue(
                config.learn_s,
                signals.relearn_after_away_s,
                statistics.median,
                fixed=getattr(config, "neutral_" + name) or None,
            )
            for name in POPULATION_NEUTRAL_CM
        }
        self._frown = Runs(_FROWN_BREAK_S, self.dropout_limit_s)
        self._frown_onset = Onset("frown")
        self._blank = StillSpell(
            "blank_stare", config.blank_stare_s, self.dropout_limit_s, _SMOOTH_TAU_S, self._still
        )
        self._frown_share = TimeShare(self.dropout_limit_s)
        self._smile_share = TimeShare(self.dropout_limit_s)
        self.expression: str | None = None
        self._seen_t_s: float | None = None  # the last frame classified (in or out)
        self.reset()

    def reset(self) -> None:
        """A new interaction: counts start again; the learned neutral stays."""
        for part in (self._frown, self._frown_onset, self._blank):
            part.reset()
        self._frown_share.reset()
        self._smile_share.reset()
        self._last_t_s: float | None = None

    def reset_baselines(self) -> None:
        for value in self.neutral.values():
            value.reset()

    @property
    def learned(self) -> bool:
        """The agent's own neutral face is known (calibrated, or every measurement's window
        is over)."""
        return all(v.settled and v.value is not None for v in self.neutral.values())

    def neutral_cm(self) -> dict[str, float]:
        """The neutral face now: the agent's own once learned (bounded), else the population's."""
        shift = self.config.max_personal_shift_cm
        out = {}
        for name, population in POPULATION_NEUTRAL_CM.items():
            learned = self.neutral[name]
            if learned.fixed is not None:  # a calibration is trusted as it is
                out[name] = learned.fixed
                continue
            value = learned.value if learned.settled and learned.value is not None else population
            out[name] = min(max(value, population - shift), population + shift)
        return out

    def _classify(self, t_s: float, features: FrameFeatures) -> None:
        """This frame's expression; the neutral learns from it (inside or outside interactions)."""
        self._seen_t_s = t_s
        actions = features.face_actions
        if self.learn:
            for name, learned in self.neutral.items():
                sample = None if actions is None else getattr(actions, name)
                learned.update(t_s, sample, features.face)
        if actions is None:
            self.expression = None
            return
        neutral, c = self.neutral_cm(), self.config
        own = self.learned
        frown = frown_cm(actions, neutral) / (c.frown_cm if own else c.population_frown_cm)
        smile = smile_cm(actions, neutral) / (c.smile_cm if own else c.population_smile_cm)
        if frown >= 1.0 and frown >= smile:
            self.expression = "frown"
        else:
            self.expression = "smile" if smile >= 1.0 else "neutral"

    def observe(self, t_s: float, features: FrameFeatures) -> str | None:
        """A frame outside an interaction: the neutral learns, nothing is counted."""
        if self._seen_t_s is None or t_s > self._seen_t_s:
            self._classify(t_s, features)
        return self.expression

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        self._classify(t_s, features)
        label = self.expression
        measured = label is not None
        self._frown_share.update(t_s, label == "frown" if measured else None)
        self._smile_share.update(t_s, label == "smile" if measured else None)
        new = []
        run = self._frown.update(t_s, label == "frown") if measured else self._frown.expire(t_s)
        if run is not None and run.duration_s >= self.config.frown_min_s:
            new.append(Event("frown", run.start_s, run.duration_s))
        held = self._frown.holding and self._frown.held_s >= self.config.frown_min_s
        self._frown_onset.update(t_s, self._frown.start_s, held)
        new += self._blank.update(t_s, self._stare_values(features))
        return new

    def _still(self, values: tuple[float, ...], anchor: tuple[float, ...]) -> bool:
        """A blank stare's gaze, head and face still within their tolerances."""
        c = self.config
        gaze = math.hypot(values[0] - anchor[0], values[1] - anchor[1])
        head = max(abs(values[2] - anchor[2]), abs(values[3] - anchor[3]))
        face = max(abs(values[4] - anchor[4]), abs(values[5] - anchor[5]))
        return gaze <= c.still_gaze_deg and head <= c.still_head_deg and face <= c.still_face_cm

    def _stare_values(self, features: FrameFeatures) -> tuple[float, ...] | None:
        """What must stay put during a blank stare; None when this frame is not one (no face,
        a blink, or a look at the customer)."""
        gaze, head, actions = features.gaze, features.head, features.face_actions
        if gaze is None or head is None or actions is None or not gaze.eyes_open:
            return None
        if features.gaze_on_customer is not False:
            return None
        neutral = self.neutral_cm()
        return (
            gaze.yaw_deg,
            gaze.pitch_deg,
            head.yaw_deg,
            head.pitch_deg,
            frown_cm(actions, neutral),
            smile_cm(actions, neutral),
        )

    def finish(self, t_s: float) -> list[Event]:
        new = []
        run = self._frown.finish(t_s)
        if run is not None and run.duration_s >= self.config.frown_min_s:
            new.append(Event("frown", run.start_s, run.duration_s))
        self._frown_share.finish(t_s)
        self._smile_share.finish(t_s)
        self._frown_onset.reset()
        return new + self._blank.finish(t_s)

    @property
    def state(self) -> ExpressionState:
        frown, blank = self._frown_onset.fault, self._blank.onset.fault
        return ExpressionState(
            self.expression,
            frown.since_s if frown else None,
            blank.since_s if blank else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(f for f in (self._frown_onset.fault, self._blank.onset.fault) if f)

    def summary(self) -> dict[str, Any]:
        return {
            "frown_ratio": self._frown_share.ratio,
            "smile_ratio": self._smile_share.ratio,
            "blank_stare_spells": self._blank.spells,
        }
