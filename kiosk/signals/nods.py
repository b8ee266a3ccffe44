"""Nods: quick down-up dips of head pitch, told apart from the head movement of talking, counted,
and continuous nodding flagged as impatient (live, while it goes on, and as an event when it ends).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.config import NodsConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset
from kiosk.signals.talking import Talking

_REFERENCE_S = 0.5  # a dip is measured from the top of this long before it
_RISE_TAU_S = 0.15  # rest follows a rising head this fast
_ENTER = 0.4  # a dip starts this fraction of the minimum amplitude below rest
_RECOVER = 0.6  # and ends once the head is back up this fraction of its depth
_BOTTOM = 0.25  # within this fraction of the depth from the trough is "at the bottom"
_MAX_BOTTOM_SHARE = 0.5  # of max_duration_s: a nod passes through its bottom
_ONE_FRAME_DEPTH = 2.0  # of min_amplitude_deg: a dip seen low on one frame only
_NOISE_TAU_S = 2.0  # the face mesh's frame-to-frame jitter is followed this fast
# White jitter of sigma degrees makes dips (from the top of the last 0.5 s to the bottom) of up
# to about 5 sigma every few minutes at 30 fps; at 6 sigma none in 6 simulated minutes at 5,
# 10, 15 or 30 fps (tests/unit/signals/test_nods.py). A dip must be this many sigmas deep.
_NOISE_DEPTHS = 6.0
_NOISE_QUIET_S = 0.3  # after a nod, before its movement stops counting as jitter


@dataclass(frozen=True)
class NodState:
    nod_completed: bool  # a nod completed on this frame (or was found on re-examination)
    nods_in_train: int  # nods in the current train (0: none going on)
    impatient_since_s: float | None  # nodding is impatient now; since when


@dataclass
class _Train:
    """Nods closer together than train_gap_s: only what the verdict needs, not every nod."""

    start_s: float  # when the first nod began going down
    last_s: float  # when the last one came back up
    count: int = 1

    def duration_s(self) -> float:
        return self.last_s - self.start_s


@dataclass
class _Bout:
    """Impatient nodding going on: a long train, or a high nod rate."""

    since_s: float
    last_s: float
    nods: int

    def event(self) -> Event:
        duration_s = self.last_s - self.since_s
        rate_hz = self.nods / duration_s if duration_s > 0 else 0.0
        detail = {"nods": self.nods, "rate_hz": round(rate_hz, 2)}
        return Event("impatient_nodding", self.since_s, duration_s, detail)


class NodSignal:
    """A dip is measured from the resting pitch (which follows the head up at once and down
    slowly, so posture drift is not a nod) and must come back up; it must be deep enough,
    neither too quick (jitter) nor too slow (a look down), move the head more up-down than
    sideways (a shake is not a nod), and pass through its bottom rather than stay there. When a
    dip turns out too long, the head has moved to a new posture: rest restarts there and the
    dip's frames are examined again, so nods that begin with a look down are still counted.

    Jitter: the face mesh's pitch jitter is followed (the mean frame-to-frame change outside
    dips) and a dip must be six of its sigmas deep, besides min_amplitude_deg; a dip seen below
    half its depth on one frame only must be twice min_amplitude_deg deep (at 5 fps one frame
    is 0.2 s, as long as a quick nod, and a single frame 3 degrees low is jitter as often as a
    nod).

    Talking: the head beats of speech (3-5 degrees over 0.5-1.5 s) come while the mouth moves,
    a listener's nods while it is still. While the mouth's opening has varied by
    talking_mouth_range within talking_window_s (and talking_hold_s after), a dip must be
    talking_min_amplitude_deg deep (plus half the jitter floor: jitter deepens a beat too) and
    nod-fast (its depth over its width at half depth at least min_speed_deg_s) to be a nod.

    Nodding is impatient when a train of nods has gone on for continuous_limit_s, or when the
    nod rate since the interaction began (or since the last impatient bout) stays at
    interaction_rate_hz once the face has been seen rate_min_s. A short quick burst ('yes, yes,
    yes') is not.
    """

    def __init__(self, config: NodsConfig, signals: SignalsConfig) -> None:
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        self._impatient = Onset("impatient_nodding")
        self._talking = Talking(config)
        self.reset()

    def reset(self) -> None:
        self._lose_track()
        self.seen_s = 0.0  # time the head was seen (nods per minute are per minute of it)
        self.count = 0
        self.impatient_bouts = 0
        self._train: _Train | None = None
        self._bout: _Bout | None = None
        self._nods_since_bout = 0  # nods since the last bout (or reset)
        self._first_since_bout_s = 0.0  # when the first of them began
        self._seen_since_bout_s = 0.0  # face time since the last bout (or reset)
        self._impatient.reset()
        self.nod_completed = False
        self._last_t_s: float | None = None

    def _lose_head(self) -> None:
        """A frame without a head: the dip in progress (and the rest it is measured from) is
        lost; whether the agent is talking and how much the face mesh jitters are not."""
        self._rest: float | None = None
        self._prev_t_s: float | None = None
        self._history: deque[tuple[float, float]] = deque()  # (t_s, pitch) for the reference
        self._dip: dict[str, Any] | None = None
        self._dip_samples: list[tuple[float, float, float]] = []  # (t_s, pitch, yaw)
        self._last_pitch: tuple[float, float] | None = None  # for the jitter's next change

    def _lose_track(self) -> None:
        """A dropout (or a new interaction): everything learned from the last frames goes."""
        self._lose_head()
        self._talking.reset()
        self._jitter: float | None = None  # mean |frame-to-frame pitch change| outside dips
        self._jitter_seen_s = 0.0
        self._quiet_from_s = -math.inf

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        """Feed one frame; the impatient-nodding event of a bout that ended, if any."""
        if self._last_t_s is not None and t_s <= self._last_t_s:
            self.nod_completed = False
            return []
        gap_s = None if self._last_t_s is None else t_s - self._last_t_s
        self._last_t_s = t_s
        head = features.head
        before = self.count
        if gap_s is not None and gap_s > self.dropout_limit_s:
            self._lose_track()  # a dip across a dropout is not a nod
        elif head is None:
            self._lose_head()
        if head is not None:
            if gap_s is not None and gap_s <= self.dropout_limit_s:
                self._seen_since_bout_s += gap_s
                self.seen_s += gap_s
            self._talking.update(t_s, features.mouth_open)
            if self._dip is not None and self.talking(t_s):
                self._dip["talking"] = True
            self._follow_jitter(t_s, head.pitch_deg)
            self._feed(t_s, head.pitch_deg, head.yaw_deg)
        self.nod_completed = self.count > before
        if self._train_over(t_s):
            self._train = None
        return self._update_bout(t_s)

    def _follow_jitter(self, t_s: float, pitch: float) -> None:
        """The face mesh's pitch jitter: the mean frame-to-frame change while the head is not
        dipping, each change capped at three times the mean (a movement is not jitter)."""
        last, self._last_pitch = self._last_pitch, (t_s, pitch)
        if last is None or self._dip is not None or t_s < self._quiet_from_s:
            return
        change, dt = abs(pitch - last[1]), t_s - last[0]
        if self._jitter is None:
            self._jitter, self._jitter_seen_s = change, dt
            return
        self._jitter_seen_s += dt
        if self._jitter_seen_s > _NOISE_TAU_S / 4:
            change = min(change, 3.0 * self._jitter + 0.05)
        # a running mean at first, then an exponential one
        weight = min(1.0, dt / min(_NOISE_TAU_S, self._jitter_seen_s))
        self._jitter += weight * (change - self._jitter)

    def noise_floor_deg(self) -> float:
        """The depth white jitter of the measured size reaches too often to be a nod."""
        if self._jitter is None:
            return 0.0
        return _NOISE_DEPTHS * self._jitter * math.sqrt(math.pi) / 2.0

    def talking(self, t_s: float) -> bool:
        return self._talking.talking(t_s)

    def _feed(self, t_s: float, pitch: float, yaw: float) -> None:
        if self._rest is None:
            self._rest, self._prev_t_s = pitch, t_s
            self._history.append((t_s, pitch))
            return
        dt = max(0.0, t_s - self._prev_t_s)
        self._prev_t_s = t_s
        self._step(t_s, pitch, yaw)
        if self._dip is None:
            tau_s = _RISE_TAU_S if pitch > self._rest else self.config.rest_tau_s
            self._rest += (1.0 - math.exp(-dt / tau_s)) * (pitch - self._rest)
        self._history.append((t_s, pitch))
        while self._history and self._history[0][0] < t_s - _REFERENCE_S:
            self._history.popleft()

    def _reference(self, t_s: float) -> tuple[float, float]:
        """(pitch, t_s) a dip starting now is measured from: the top of the last _REFERENCE_S
        or rest. Jitter raises that top; the jitter floor, not a lower top, allows for it (a
        lower top would under-read quick, small nods as well)."""
        return max([(self._rest, t_s)] + [(p, t) for t, p in self._history])

    def _step(self, t_s: float, pitch: float, yaw: float) -> None:
        cfg = self.config
        if self._dip is None:
            if pitch < self._rest - _ENTER * cfg.min_amplitude_deg:
                reference = self._reference(t_s)
                # From the top it is measured from (or the last frame above the dip).
                before = [(t, p) for t, p in self._history if t >= reference[1]]
                before = before or list(itertools.islice(reversed(self._history), 1))
                self._dip = {
                    "start": t_s,
                    "ref": reference[0],
                    "trough": pitch,
                    "before": before,
                    "talking": self.talking(t_s),
                }
                self._dip_samples = [(t_s, pitch, yaw)]
            return
        dip = self._dip
        self._dip_samples.append((t_s, pitch, yaw))
        dip["trough"] = min(dip["trough"], pitch)
        depth = dip["ref"] - dip["trough"]
        if t_s - dip["start"] > cfg.max_duration_s:
            self._restart_from_new_posture()
            return
        if pitch < dip["trough"] + _RECOVER * depth:
            return
        self._dip = None
        if self._is_nod(t_s, dip, depth):
            self._count_nod(dip, t_s)

    def _is_nod(self, t_s: float, dip: dict[str, Any], depth: float) -> bool:
        cfg = self.config
        yaws = [y for _, _, y in self._dip_samples]
        low = sum(p <= dip["ref"] - depth / 2 for _, p, _ in self._dip_samples)
        min_depth = cfg.min_amplitude_deg * (1.0 if low >= 2 else _ONE_FRAME_DEPTH)
        min_depth = max(min_depth, self.noise_floor_deg())
        if dip["talking"] or self.talking(t_s):
            # deeper than a speech beat even when the jitter deepens that beat (by about half
            # the jitter floor: the top jitters up, the bottom down)
            min_depth = max(min_depth, cfg.talking_min_amplitude_deg + self.noise_floor_deg() / 2)
            if depth < cfg.min_speed_deg_s * self._half_width_s(dip, depth):
                return False
        return (
            depth >= min_depth
            and t_s - dip["start"] >= cfg.min_duration_s - 1e-6  # frame times are inexact
            and max(yaws) - min(yaws) < depth
            and self._bottom_time_s(dip["trough"], depth) <= _MAX_BOTTOM_SHARE * cfg.max_duration_s
        )

    @staticmethod
    def _nod_start_s(dip: dict[str, Any]) -> float:
        """When the head began going down: the top it is measured from."""
        return dip["before"][0][0] if dip["before"] else dip["start"]

    def _count_nod(self, dip: dict[str, Any], t_s: float) -> None:
        start_s = self._nod_start_s(dip)
        self._quiet_from_s = t_s + _NOISE_QUIET_S
        self.count += 1
        if self._nods_since_bout == 0:
            self._first_since_bout_s = start_s
        self._nods_since_bout += 1
        if self._train is None:
            self._train = _Train(start_s, t_s)
        else:
            self._train.last_s, self._train.count = t_s, self._train.count + 1
        if self._bout is not None:
            self._bout.last_s, self._bout.nods = t_s, self._bout.nods + 1

    def _half_width_s(self, dip: dict[str, Any], depth: float) -> float:
        """Time between the first crossing of half depth going down and the last coming up."""
        level = dip["ref"] - depth / 2
        points = dip["before"] + [(t, p) for t, p, _ in self._dip_samples]
        down = up = None
        for (t0, p0), (t1, p1) in itertools.pairwise(points):
            if (p0 >= level > p1 or p0 < level <= p1) and p0 != p1:
                crossing_s = t0 + (t1 - t0) * (p0 - level) / (p0 - p1)
                if p1 < level:
                    down = crossing_s if down is None else down
                else:
                    up = crossing_s
        if down is None or up is None or up <= down:
            return math.inf
        return up - down

    def _restart_from_new_posture(self) -> None:
        """A dip too long for a nod: rest becomes the top of the recent movement, and the
        dip's frames since the head reached the new level are fed again."""
        samples = self._dip_samples
        recent = [p for t, p, _ in samples if t >= samples[-1][0] - _REFERENCE_S]
        self._dip = None
        self._rest = max(recent)
        settled = next(i for i, (_, p, _) in enumerate(samples) if p <= self._rest + 0.5)
        self._history = deque([samples[settled][:2]])
        self._prev_t_s = samples[settled][0]
        for t, p, y in samples[settled + 1 :]:
            self._feed(t, p, y)

    def _bottom_time_s(self, trough: float, depth: float) -> float:
        """Time the dip spent near its trough."""
        return sum(
            t1 - t0
            for (t0, p0, _), (t1, _, _) in itertools.pairwise(self._dip_samples)
            if p0 <= trough + _BOTTOM * depth
        )

    def _train_over(self, t_s: float) -> bool:
        """No nod for train_gap_s, and none on its way: a dip that began within the gap keeps
        the train going until it is judged (at 5 fps two quick nods can merge into one dip)."""
        train, gap_s = self._train, self.config.train_gap_s
        if train is None or t_s - train.last_s <= gap_s:
            return False
        return self._dip is None or self._dip["start"] - train.last_s > gap_s

    # -- impatience ------------------------------------------------------------------------

    def _long_train(self, t_s: float) -> bool:
        """A train of nods that has gone on continuous_limit_s: counted that long, or still
        going (the head on its way down again) that long after the first nod began."""
        train, cfg = self._train, self.config
        if train is None or train.count < cfg.impatient_min_nods:
            return False
        going_on = self._dip is not None and self._dip["start"] > train.last_s
        lasted_s = t_s - train.start_s if going_on else train.duration_s()
        return lasted_s >= cfg.continuous_limit_s

    def _high_rate(self) -> bool:
        cfg = self.config
        seen_s = self._seen_since_bout_s
        rate_nods = cfg.interaction_rate_hz * seen_s
        return seen_s >= cfg.rate_min_s and self._nods_since_bout >= rate_nods

    def _update_bout(self, t_s: float) -> list[Event]:
        new = []
        if self._bout is None and (self._long_train(t_s) or self._high_rate()):
            # A long train is impatient from its first nod; a high rate from the first nod
            # it counts. Fixed from here on, so the fault stays one fault as nods go on.
            if self._long_train(t_s):
                since_s, nods = self._train.start_s, self._train.count
            else:
                since_s, nods = self._first_since_bout_s, self._nods_since_bout
            self._bout = _Bout(since_s, self._train.last_s if self._train else t_s, nods)
        elif self._bout is not None and self._train is None and not self._high_rate():
            new = self._close_bout()  # the train is over (and the rate has come down)
        bout = self._bout
        self._impatient.update(t_s, bout.since_s if bout else None, bout is not None)
        return new

    def _close_bout(self) -> list[Event]:
        bout, self._bout = self._bout, None
        self._impatient.reset()
        self._nods_since_bout, self._seen_since_bout_s = 0, 0.0
        if bout is None:
            return []
        self.impatient_bouts += 1
        return [bout.event()]

    def finish(self, t_s: float) -> list[Event]:
        self._train = None
        return self._close_bout()

    @property
    def state(self) -> NodState:
        impatient = self._impatient.fault
        return NodState(
            nod_completed=self.nod_completed,
            nods_in_train=self._train.count if self._train else 0,
            impatient_since_s=impatient.since_s if impatient else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return (self._impatient.fault,) if self._impatient.fault else ()

    def summary(self, visible_s: float) -> dict[str, Any]:
        return {
            "count": self.count,
            "per_minute": round(self.count / (visible_s / 60.0), 2) if visible_s > 0 else None,
            "impatient_bouts": self.impatient_bouts,
        }
