"""MediaPipe face mesh (with iris), pose and hands: the only module that imports mediapipe.

Models are built once, for the parts enabled in the config, and closed with the tracker.
"""

from __future__ import annotations

import logging

import mediapipe as mp
import numpy as np

from kiosk.camera.types import Frame
from kiosk.config import TrackerConfig
from kiosk.errors import TrackerError
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


class MediaPipeTracker:
    """Runs the enabled MediaPipe solutions on RGB frames.

    `static_images` treats every frame as unrelated (photo folders); otherwise the models track
    from frame to frame, which is faster and steadier on video. `segmentation` adds the pose
    model's person mask to PoseLandmarks (the scene renderer needs it; the kiosk does not).
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
        try:
            if config.face:
                self._face = mp.solutions.face_mesh.FaceMesh(
                    max_num_faces=1, refine_landmarks=True, **common
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
        wanted = {"face": face, "pose": pose, "hands": hands}
        models = {"face": self._face, "pose": self._pose, "hands": self._hands}
        for part, asked in wanted.items():
            if asked and models[part] is None:
                raise TrackerError(f"the {part} model is disabled in [tracker]")
        rgb = np.ascontiguousarray(frame.rgb).view()  # a view: the caller's array stays writable
        rgb.flags.writeable = False  # lets MediaPipe skip a copy
        w, h = frame.width, frame.height
        return Landmarks(
            t_s=frame.t_s,
            frame_index=frame.index,
            width=w,
            height=h,
            face=self._track_face(rgb, w, h) if face else None,
            pose=self._track_pose(rgb, w, h) if pose else None,
            hands=self._track_hands(rgb, w, h) if hands else (),
        )

    def _track_face(self, rgb: np.ndarray, w: int, h: int) -> FaceLandmarks | None:
        result = self._face.process(rgb)
        if not result.multi_face_landmarks:
            return None
        xyz = _xyz(result.multi_face_landmarks[0])
        return FaceLandmarks(normalized=xyz, pixels=to_pixels(xyz, w, h))

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
