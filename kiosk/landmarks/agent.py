"""Which of the people in view is the agent: one face chosen among those found, and only the body
and hands that belong to it. Everything else is dropped here, before any feature sees it.

The agent's face is inside the agent zone of the image; it is the face nearest the previous
choice while that stays plausible (moved and resized no more than a head can in the time since),
otherwise, once the agent has been lost for `agent_lost_s`, the largest (nearest the camera).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kiosk.config import TrackerConfig
from kiosk.landmarks.types import FaceLandmarks, HandLandmarks, PoseLandmarks

_MESH = slice(0, 468)  # the mesh without the iris points
_FACE_NOSE = 1  # face mesh: the nose tip
_POSE_NOSE, _POSE_EARS, _POSE_SHOULDERS, _POSE_WRISTS = 0, (7, 8), (11, 12), (15, 16)
_HAND_WRIST = 0

# Following the chosen face from one frame to the next: its centre may move this many face
# sizes, plus this many face sizes per second since it was last seen (a head moves at most about
# 60 cm/s, four face sizes, at a counter), up to a limit however long it was unseen (a face
# farther away is someone else's), and its size may change by at most this factor.
_FOLLOW_FACES = 0.5
_FOLLOW_FACES_PER_S = 4.0
_FOLLOW_FACES_MAX = 2.0
_FOLLOW_SIZE_RATIO = 1.5
# The body model sees a band of the image this many face sizes wide around the agent's face
# (shoulders span about three, arms reaching sideways about eight), a narrower one while someone
# else is in view (the model follows one person, and may take the other); a pose is the agent's
# when its nose is within this many face sizes of the agent's nose.
_BODY_BAND_FACES = 8.0
_BODY_BAND_CROWDED_FACES = 4.0
_POSE_NOSE_FACES = 1.0
# A hand is the agent's when its wrist is within this many shoulder widths of one of the agent's
# pose wrists (the body is held between runs while the hand moves on).
_HAND_TO_WRIST_SHOULDERS = 0.75


@dataclass(frozen=True)
class AgentZone:
    """Where in the image (normalised, x right, y down) the agent's face centre can be."""

    left: float = 0.0
    top: float = 0.0
    right: float = 1.0
    bottom: float = 1.0

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True)
class FaceBox:
    """A face's centre and size (the larger side of its mesh's box), in pixels."""

    centre_px: np.ndarray
    size_px: float

    @classmethod
    def of(cls, face: FaceLandmarks) -> FaceBox:
        low, high = face.pixels[_MESH].min(axis=0), face.pixels[_MESH].max(axis=0)
        return cls(centre_px=(low + high) / 2, size_px=float(max(high - low)))


def agent_zone(config: TrackerConfig) -> AgentZone:
    return AgentZone(
        left=config.agent_zone_left,
        top=config.agent_zone_top,
        right=config.agent_zone_right,
        bottom=config.agent_zone_bottom,
    )


class AgentChooser:
    """Chooses the agent's face in each frame; `remember=False` (unrelated photos) chooses the
    largest face in the zone every time."""

    def __init__(self, zone: AgentZone, lost_s: float, *, remember: bool = True) -> None:
        self.zone = zone
        self.lost_s = lost_s
        self.remember = remember
        self._last: FaceLandmarks | None = None
        self._last_t_s = 0.0
        self._other_t_s: float | None = None  # when a face not chosen was last seen

    def choose(
        self, t_s: float, faces: Sequence[FaceLandmarks], width: int, height: int
    ) -> FaceLandmarks | None:
        """The agent's face among `faces` (full-frame landmarks), or None."""
        boxes = [(face, FaceBox.of(face)) for face in faces]
        inside = [
            (face, box)
            for face, box in boxes
            if self.zone.contains(box.centre_px[0] / width, box.centre_px[1] / height)
        ]
        previous = self.held(t_s)
        if previous is not None:
            # None: lost for now; nobody else is measured while the agent may be back
            chosen = self._follow(previous, t_s - self._last_t_s, inside)
        elif inside:
            chosen = max(inside, key=lambda item: item[1].size_px)[0]
        else:
            chosen = None
        if chosen is not None and self.remember:
            self._last, self._last_t_s = chosen, t_s
        if any(face is not chosen for face in faces):
            self._other_t_s = t_s  # someone else is in view (the body strip narrows)
        return chosen

    def crowded(self, t_s: float) -> bool:
        """Someone besides the agent was in view within `lost_s`."""
        return self._other_t_s is not None and t_s - self._other_t_s <= self.lost_s

    def held(self, t_s: float) -> FaceLandmarks | None:
        """The last chosen face while the agent counts as present (seen within `lost_s`)."""
        if self._last is None or t_s - self._last_t_s > self.lost_s:
            return None
        return self._last

    def _follow(
        self, previous: FaceLandmarks, dt_s: float, inside: list[tuple[FaceLandmarks, FaceBox]]
    ) -> FaceLandmarks | None:
        before = FaceBox.of(previous)
        reach_faces = _FOLLOW_FACES + _FOLLOW_FACES_PER_S * max(dt_s, 0.0)
        reach_px = before.size_px * min(reach_faces, _FOLLOW_FACES_MAX)
        best, best_px = None, np.inf
        for face, box in inside:
            ratio = box.size_px / max(before.size_px, 1e-9)
            moved_px = float(np.linalg.norm(box.centre_px - before.centre_px))
            plausible = 1 / _FOLLOW_SIZE_RATIO <= ratio <= _FOLLOW_SIZE_RATIO
            if plausible and moved_px <= reach_px and moved_px < best_px:
                best, best_px = face, moved_px
        return best

    def reset(self) -> None:
        self._last = self._other_t_s = None


def body_band(face: FaceLandmarks | None, width: int, crowded: bool = False) -> tuple[int, int]:
    """The columns x0, x1 of the image the body model should see: a band around the agent's
    face (narrower when `crowded`), or the whole width when no face is known or the band would
    be most of the image."""
    if face is None:
        return (0, width)
    box = FaceBox.of(face)
    half = box.size_px * (_BODY_BAND_CROWDED_FACES if crowded else _BODY_BAND_FACES) / 2
    x0 = int(max(box.centre_px[0] - half, 0))
    x1 = int(min(box.centre_px[0] + half, width))
    if x1 - x0 >= 0.9 * width:
        return (0, width)
    return (x0, x1)


def pose_is_agents(
    pose: PoseLandmarks, face: FaceLandmarks | None, zone: AgentZone, width: int, height: int
) -> bool:
    """The body belongs to the agent: its nose is at the agent's face, or (no face known) its
    head is in the agent zone."""
    nose_px = pose.pixels[_POSE_NOSE]
    if face is None:
        return zone.contains(nose_px[0] / width, nose_px[1] / height)
    box = FaceBox.of(face)
    distance_px = float(np.linalg.norm(nose_px - face.pixels[_FACE_NOSE]))
    return distance_px <= _POSE_NOSE_FACES * box.size_px


def agents_hands(
    hands: Sequence[HandLandmarks], pose: PoseLandmarks | None
) -> tuple[HandLandmarks, ...]:
    """The hands whose wrist is at one of the agent's wrists; without the agent's body, none
    (a hand alone cannot be told from a customer's reaching over the counter)."""
    if pose is None:
        return ()
    shoulders_px = float(np.linalg.norm(np.subtract(*pose.pixels[list(_POSE_SHOULDERS)])))
    ears_px = float(np.linalg.norm(np.subtract(*pose.pixels[list(_POSE_EARS)])))
    reach_px = _HAND_TO_WRIST_SHOULDERS * max(shoulders_px, 2 * ears_px)
    wrists_px = pose.pixels[list(_POSE_WRISTS)]
    return tuple(
        hand
        for hand in hands
        if np.linalg.norm(wrists_px - hand.pixels[_HAND_WRIST], axis=1).min() <= reach_px
    )
