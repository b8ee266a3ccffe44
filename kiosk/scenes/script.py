"""Scenario scripts: timed segments of posture and motion, and the ground truth they imply.

Pure and time-driven: `Scenario.state_at(t_s)` gives the scripted posture at any time, so a
renderer can draw it and a test can compare what was measured with what was meant.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field, replace

# What the agent's eyes are on, by construction of the script.
TARGETS = ("customer", "desk", "away", "none")


@dataclass(frozen=True)
class Posture:
    """A posture relative to the base photo, where the agent sits upright facing the customer.

    Head angles are the head's total turn in camera axes (a whole-body turn turns the head too);
    eye angles turn the eyes within the head. Signs follow head pose: yaw > 0 toward the image's
    right, pitch > 0 up, roll > 0 clockwise in the image. Lean > 0 brings the shoulders toward
    the camera. `mouth_open_cm` drops the lower lip and chin (the jaw) by that much.

    Facial actions, in cm of movement: `brow_lower_cm` draws the inner ends of the brows down
    and together (a frown, FACS AU4; negative raises them); `smile_cm` pulls the lip corners up
    and out (AU12; negative pulls them down and in and closes the photo's smiling lips).
    `wrist_right_cm` and `wrist_left_cm` place a wrist relative to its own shoulder in the
    body's plane (x > 0 out to that person's own side, y > 0 up), and draw that arm; None
    draws none (the photo's own arms hang at the sides) and blends as `HANGING_WRIST_CM`.
    """

    head_yaw_deg: float = 0.0
    head_pitch_deg: float = 0.0
    head_roll_deg: float = 0.0
    eye_yaw_deg: float = 0.0
    eye_pitch_deg: float = 0.0
    torso_yaw_deg: float = 0.0
    lean_cm: float = 0.0
    shift_x_cm: float = 0.0
    mouth_open_cm: float = 0.0
    brow_lower_cm: float = 0.0
    smile_cm: float = 0.0
    wrist_right_cm: tuple[float, float] | None = None
    wrist_left_cm: tuple[float, float] | None = None

    def blend(self, other: Posture, weight: float) -> Posture:
        """`weight` 0 gives self, 1 gives other."""
        values = {}
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if name in _WRIST_FIELDS:
                values[name] = _blend_wrist(mine, theirs, weight)
            else:
                values[name] = mine + (theirs - mine) * weight
        return Posture(**values)


# A hanging arm's wrist, relative to the shoulder (cm, out and up): what None blends as.
HANGING_WRIST_CM = (8.0, -55.0)
_WRIST_FIELDS = ("wrist_right_cm", "wrist_left_cm")


def _blend_wrist(
    mine: tuple[float, float] | None, theirs: tuple[float, float] | None, weight: float
) -> tuple[float, float] | None:
    """A wrist on its way between two places; an arm hanging at either end is drawn hanging
    (at HANGING_WRIST_CM) in between, and not drawn at all only at that end itself."""
    if weight <= 0.0 or mine == theirs:
        return mine
    if weight >= 1.0:
        return theirs
    start = HANGING_WRIST_CM if mine is None else mine
    end = HANGING_WRIST_CM if theirs is None else theirs
    return (
        start[0] + (end[0] - start[0]) * weight,
        start[1] + (end[1] - start[1]) * weight,
    )


@dataclass(frozen=True)
class Oscillation:
    """Whole down-up (nod) or left-right-left (shake) cycles added to the head."""

    kind: str  # "nod" or "shake"
    freq_hz: float
    amplitude_deg: float

    def offset_deg(self, tau_s: float, duration_s: float) -> float:
        """Pitch (nod) or yaw (shake) offset at `tau_s` into a segment of `duration_s`."""
        if tau_s >= self.cycles(duration_s) / self.freq_hz:
            return 0.0
        phase = 2.0 * math.pi * self.freq_hz * tau_s
        if self.kind == "nod":
            return -self.amplitude_deg * (1.0 - math.cos(phase)) / 2.0  # down, then back up
        return self.amplitude_deg * math.sin(phase)

    def cycles(self, duration_s: float) -> int:
        return int(duration_s * self.freq_hz + 1e-9)


@dataclass(frozen=True)
class Speech:
    """The agent talking: the head's beats of speech (pitch dips of 3-5 degrees over 0.5-1.5 s,
    the size real talking clips show), a slow yaw drift, and the jaw opening and closing at
    syllable rate (3-5 a second, irregular). Seeded: the same movement every time."""

    seed: int = 17
    beat_deg: tuple[float, float] = (3.0, 5.0)
    beat_s: tuple[float, float] = (0.5, 1.5)
    pause_s: tuple[float, float] = (0.0, 0.5)  # between beats
    drift_deg: float = 3.0  # yaw, over drift_period_s
    drift_period_s: float = 20.0
    syllable_s: tuple[float, float] = (0.2, 0.33)
    jaw_cm: tuple[float, float] = (0.4, 1.6)  # how far the jaw drops on a syllable

    def offsets(self, t_s: float, duration_s: float) -> tuple[float, float, float]:
        """(pitch_deg, yaw_deg, mouth_open_cm) added at `t_s` into a clip of `duration_s`."""
        beats, syllables = _speech_events(self, duration_s)
        pitch = sum(
            -depth * (1.0 - math.cos(2.0 * math.pi * (t_s - start) / length)) / 2.0
            for start, length, depth in beats
            if start <= t_s < start + length
        )
        mouth = sum(
            jaw * math.sin(math.pi * (t_s - start) / length) ** 2
            for start, length, jaw in syllables
            if start <= t_s < start + length
        )
        yaw = self.drift_deg * math.sin(2.0 * math.pi * t_s / self.drift_period_s)
        return pitch, yaw, mouth


@functools.cache
def _speech_events(speech: Speech, duration_s: float) -> tuple[tuple, tuple]:
    """(start_s, length_s, size) of every beat and syllable, drawn once per clip."""
    rng = random.Random(speech.seed)
    beats, t_s = [], rng.uniform(*speech.pause_s)
    while t_s < duration_s:
        length = rng.uniform(*speech.beat_s)
        if t_s + length <= duration_s:
            beats.append((t_s, length, rng.uniform(*speech.beat_deg)))
        t_s += length + rng.uniform(*speech.pause_s)
    syllables, t_s = [], 0.0
    while t_s < duration_s:
        length = rng.uniform(*speech.syllable_s)
        syllables.append((t_s, length, rng.uniform(*speech.jaw_cm)))
        t_s += length
    return tuple(beats), tuple(syllables)


@dataclass(frozen=True)
class Segment:
    """Move to `posture` (easing over `ease_s`), hold it for the rest of `duration_s`."""

    duration_s: float
    posture: Posture = field(default_factory=Posture)
    target: str = "customer"
    oscillation: Oscillation | None = None
    present: bool = True
    ease_s: float = 0.4
    label: str = ""


@dataclass(frozen=True)
class SceneState:
    """Ground truth at one instant."""

    t_s: float
    posture: Posture  # including any nod or shake offset
    target: str
    present: bool
    segment: str
    customer: bool = True  # a customer at the counter (what a presence sensor would say)
    nod_completed: bool = False  # a nod ended since the previous frame (set by Scenario.frames)


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    segments: tuple[Segment, ...]
    # A slow, small drift of the head that real people never stop making, so that no signal
    # is tested on a frozen head. Well below a nod in both speed and size.
    sway_deg: float = 1.0
    # When a customer stands at the counter: (arrive_s, leave_s) spans; None = all the time.
    customer: tuple[tuple[float, float], ...] | None = None
    # The agent talking all through the clip (head beats, drift, the mouth moving); no nods.
    speech: Speech | None = None

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.segments)

    def customer_present(self, t_s: float) -> bool:
        if self.customer is None:
            return True
        return any(arrive <= t_s < leave for arrive, leave in self.customer)

    def _locate(self, t_s: float) -> tuple[int, float]:
        start = 0.0
        for i, segment in enumerate(self.segments):
            if t_s < start + segment.duration_s or i == len(self.segments) - 1:
                return i, t_s - start
            start += segment.duration_s
        raise ValueError("a scenario needs at least one segment")

    def state_at(self, t_s: float) -> SceneState:
        i, tau = self._locate(t_s)
        segment = self.segments[i]
        previous = self.segments[i - 1].posture if i > 0 else segment.posture
        ease = _smoothstep(tau / segment.ease_s) if segment.ease_s > 0 else 1.0
        posture = previous.blend(segment.posture, ease)
        if segment.oscillation is not None:
            offset = segment.oscillation.offset_deg(tau, segment.duration_s)
            if segment.oscillation.kind == "nod":
                posture = replace(posture, head_pitch_deg=posture.head_pitch_deg + offset)
            else:
                posture = replace(posture, head_yaw_deg=posture.head_yaw_deg + offset)
        if self.speech is not None:
            pitch, yaw, mouth = self.speech.offsets(t_s, self.duration_s)
            posture = replace(
                posture,
                head_pitch_deg=posture.head_pitch_deg + pitch,
                head_yaw_deg=posture.head_yaw_deg + yaw,
                mouth_open_cm=posture.mouth_open_cm + mouth,
            )
        if self.sway_deg:
            posture = replace(
                posture,
                head_yaw_deg=posture.head_yaw_deg + self.sway_deg * math.sin(0.69 * t_s),
                head_pitch_deg=posture.head_pitch_deg
                + 0.6 * self.sway_deg * math.sin(1.07 * t_s + 1.0),
            )
        return SceneState(
            t_s=t_s,
            posture=posture,
            target=segment.target if segment.present else "none",
            present=segment.present,
            segment=segment.label,
            customer=self.customer_present(t_s),
        )

    def nod_times_s(self) -> list[float]:
        """When each scripted nod ends (back up at rest)."""
        times, start = [], 0.0
        for segment in self.segments:
            osc = segment.oscillation
            if osc is not None and osc.kind == "nod":
                times += [
                    start + k / osc.freq_hz for k in range(1, osc.cycles(segment.duration_s) + 1)
                ]
            start += segment.duration_s
        return times

    def frames(self, fps: float) -> list[SceneState]:
        """The state at every frame time, with `nod_completed` on the first frame after a nod."""
        count = round(self.duration_s * fps)
        nods = self.nod_times_s()
        states, k = [], 0
        for i in range(count):
            t_s = i / fps
            state = self.state_at(t_s)
            completed = False
            while k < len(nods) and nods[k] <= t_s + 1e-9:
                completed, k = True, k + 1
            states.append(replace(state, nod_completed=completed))
        return states
