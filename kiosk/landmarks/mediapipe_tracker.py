"""MediaPipe face mesh (with iris), pose and hands: the only module that imports mediapipe.

Models are built once, for the parts enabled in the config, and closed with the tracker. Of the
faces found, only the agent's is returned, with the body and hands that belong to it.
"""

from __future__ import annotations

import logging

import mediapipe as mp
import numpy as np

from kiosk.camera.types import Frame
from kiosk.config import TrackerConfig
from kiosk.errors import TrackerError
from kiosk.landmarks.agent import AgentChooser, agent_zone, agents_hands, pose_is_agents
from kiosk.landmarks.types import (
    FaceLandmarks,
    HandLandmarks,
    Landmarks,
    PoseLandmarks,
    to_pixels,
)

log = logging.getLogger(__name__)

# The hand model assumes a mirrored (selfie) image; our cameras are not mirrored.
_UNMIRROR = {"Left": "Right", "Right": "Left"}


def _xyz(landmark_list) -> np.ndarray:
    return np.array([(p.x, p.y, p.z) for p in landmark_list.landmark], dtype=np.float64)


def _readonly(frame: Frame) -> np.ndarray:
    rgb = np.ascontiguousarray(frame.rgb).view()  # a view: the caller's array stays writable
    rgb.flags.writeable = False  # lets MediaPipe skip a copy
    return rgb


class MediaPipeTracker:
    """Runs the enabled MediaPipe solutions on RGB frames.

    `static_images` treats every frame as unrelated (photo folders); otherwise the models track
    from frame to frame, which is faster and steadier on video. `segmentation` adds the pose
    model's person mask to PoseLandmarks (the scene renderer needs it; the kiosk does not).
    The face mesh finds up to `max_faces` faces; `track` returns the agent's (kiosk.landmarks.
    agent), `track_faces` all of them for a caller that chooses itself (the scheduler).
    """

    def __init__(
        self, config: TrackerConfig, *, static_images: bool = False, segmentation: bool = False
    ) -> None:
        common = {
            "static_image_mode": static_images,
            "min_detection_confidence": config.min_detection_confidence,
            "min_tracking_confidence": config.min_tracking_confidence,
        }
        self._face = self._pose = self._hands = None
        self.zone = agent_zone(config)
        self.chooser = AgentChooser(self.zone, config.agent_lost_s, remember=not static_images)
        try:
            if config.face:
                self._face = mp.solutions.face_mesh.FaceMesh(
                    max_num_faces=config.max_faces, refine_landmarks=True, **common
                )
            if config.pose:
                # model_complexity 1 is the only pose model inside the wheel; 0 and 2 download.
                self._pose = mp.solutions.pose.Pose(
                    model_complexity=1, enable_segmentation=segmentation, **common
                )
            if config.hands:
                self._hands = mp.solutions.hands.Hands(
                    max_num_hands=config.max_num_hands, model_complexity=1, **common
                )
        except (RuntimeError, ValueError) as exc:
            self.close()
            raise TrackerError(f"cannot create the MediaPipe models: {exc}") from None

    def track(
        self, frame: Frame, *, face: bool = True, pose: bool = False, hands: bool = False
    ) -> Landmarks:
        """The agent's face, body and hands; a body or hand that is not the agent's is left out.
        Without the face model (the scheduler's body or hand model) nobody can be told apart:
        what is found is returned, and the caller decides whose it is."""
        self._check(face=face, pose=pose, hands=hands)
        rgb = _readonly(frame)
        w, h = frame.width, frame.height
        agent = None
        if face:
            agent = self.chooser.choose(frame.t_s, self._track_faces(rgb, w, h), w, h)
        known = agent if agent is not None else self.chooser.held(frame.t_s)
        body = self._track_pose(rgb, w, h) if pose else None
        attribute = self._face is not None
        if attribute and body is not None and not pose_is_agents(body, known, self.zone, w, h):
            body = None
        found_hands = self._track_hands(rgb, w, h) if hands else ()
        return Landmarks(
            t_s=frame.t_s,
            frame_index=frame.index,
            width=w,
            height=h,
            face=agent,
            pose=body,
            hands=agents_hands(found_hands, body) if attribute and pose else found_hands,
        )

    def track_faces(self, frame: Frame) -> tuple[FaceLandmarks, ...]:
        """Every face found (up to `max_faces`), unchosen: for a caller that chooses itself."""
        self._check(face=True)
        return self._track_faces(_readonly(frame), frame.width, frame.height)

    def _check(self, **wanted: bool) -> None:
        models = {"face": self._face, "pose": self._pose, "hands": self._hands}
        for part, asked in wanted.items():
            if asked and models[part] is None:
                raise TrackerError(f"the {part} model is disabled in [tracker]")

    def _track_faces(self, rgb: np.ndarray, w: int, h: int) -> tuple[FaceLandmarks, ...]:
        result = self._face.process(rgb)
        if not result.multi_face_landmarks:
            return ()
        faces = []
        for points in result.multi_face_landmarks:
            xyz = _xyz(points)
            faces.append(FaceLandmarks(normalized=xyz, pixels=to_pixels(xyz, w, h)))
        return tuple(faces)

    def _track_pose(self, rgb: np.ndarray, w: int, h: int) -> PoseLandmarks | None:
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        xyz = _xyz(result.pose_landmarks)
        visibility = np.array([p.visibility for p in result.pose_landmarks.landmark])
        mask = getattr(result, "segmentation_mask", None)
        return PoseLandmarks(
            normalized=xyz,
            pixels=to_pixels(xyz, w, h),
            visibility=visibility,
            world_m=_xyz(result.pose_world_landmarks),
            segmentation=None if mask is None else np.array(mask, dtype=np.float32),
        )

    def _track_hands(self, rgb: np.ndarray, w: int, h: int) -> tuple[HandLandmarks, ...]:
        result = self._hands.process(rgb)
        if not result.multi_hand_landmarks:
            return ()
        hands = []
        for points, world, handedness in zip(
            result.multi_hand_landmarks,
            result.multi_hand_world_landmarks,
            result.multi_handedness,
            strict=True,
        ):
            label = handedness.classification[0]
            xyz = _xyz(points)
            hands.append(
                HandLandmarks(
                    normalized=xyz,
                    pixels=to_pixels(xyz, w, h),
                    world_m=_xyz(world),
                    handedness=_UNMIRROR.get(label.label, label.label),
                    score=float(label.score),
                )
            )
        return tuple(hands)

    def close(self) -> None:
        for model in (self._face, self._pose, self._hands):
            if model is not None:
                model.close()
        self._face = self._pose = self._hands = None

    def __enter__(self) -> MediaPipeTracker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
