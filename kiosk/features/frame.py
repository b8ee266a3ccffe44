"""Everything the signals need from one frame, computed from its landmarks: plain values only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.config import Config
from kiosk.features.arms import ArmsPose, arms_pose
from kiosk.features.body import (
    PoseHead,
    agent_at_counter,
    head_direction_from_pose,
    shoulder_line_y_px,
    shoulder_width_px,
    torso_yaw_deg,
    watch_wrists,
)
from kiosk.features.expression import FaceActions, face_actions
from kiosk.features.gaze import (
    EYE_MODEL,
    EyeModel,
    Gaze,
    angle_between_deg,
    customer_direction,
    direction_angles,
    estimate_gaze,
)
from kiosk.features.hands import HandShape, hand_shape
from kiosk.features.head_pose import (
    HeadPose,
    eye_span_px,
    focal_length_px,
    head_pose_from_face,
    plausible_fit,
)
from kiosk.landmarks.types import Landmarks

CHIN = 152
UPPER_INNER_LIP, LOWER_INNER_LIP = 13, 14
SHOULDERS_BEHIND_HEAD_CM = 8.0


@dataclass(frozen=True)
class PointingShape:
    """A pointing hand this frame and where it aims."""

    at_customer: bool
    at_face_height: bool


@dataclass(frozen=True)
class FrameFeatures:
    t_s: float
    face: bool
    head: HeadPose | None = None
    gaze: Gaze | None = None
    # None: nobody to judge (no face and no body), or eyes closed toward the customer
    gaze_on_customer: bool | None = None
    head_rejected: bool = False  # a face was found but its head-pose fit was implausible
    head_from_pose: PoseHead | None = None  # the head's direction from the body, without a face
    head_to_customer: bool | None = None  # the head (not the eyes) within the facing cone
    customer_yaw_deg: float | None = None  # direction from the head to the customer
    customer_pitch_deg: float | None = None
    head_distance_cm: float | None = None
    # The lips' inner gap in eye spans (outer eye corner to outer eye corner): talking moves it
    mouth_open: float | None = None
    face_actions: FaceActions | None = None  # brows and mouth on the canonical face
    torso_yaw_deg: float | None = None  # from the shoulders' metric depth (noisy near 0)
    shoulder_width_cm: float | None = None  # apparent width, scaled by the head's distance
    watch_wrists: tuple[tuple[float, float, float], ...] = ()  # eyes-to-wrist, watch held
    hands_tracked: bool = False
    hands: tuple[HandShape, ...] = ()
    pointing: PointingShape | None = None
    open_palm: bool = False
    arms: ArmsPose | None = None  # wrists against the shoulders (None: no shoulders in view)


def extract_features(
    landmarks: Landmarks, config: Config, eye_model: EyeModel = EYE_MODEL
) -> FrameFeatures:
    """Per-frame geometry for the signals; pure and cheap (well under a millisecond).
    `eye_model`: another fit of the eye's constants (`kiosk accuracy --fit` tries its own)."""
    customer = config.customer
    values: dict = {"t_s": landmarks.t_s, "face": landmarks.face is not None}
    customer_dir = None
    head = None
    if landmarks.face is not None:
        head = head_pose_from_face(
            landmarks.face, landmarks.width, landmarks.height, config.camera.hfov_deg
        )
        if head is not None and not plausible_fit(head, landmarks.face):
            head = None  # a bad fit is dropped, never averaged in
            values["head_rejected"] = True
    if head is not None:
        eyes = config.eye_contact
        neutral = (eyes.neutral_iris_right, eyes.neutral_iris_down)
        gaze = estimate_gaze(landmarks.face, head, eyes.iris_gain, neutral, eye_model)
        customer_dir = customer_direction(head, customer.yaw_deg, customer.pitch_deg)
        customer_yaw, customer_pitch = direction_angles(customer_dir)
        head_forward = head.rotation @ np.array([0.0, 0.0, -1.0])
        head_yaw, _ = direction_angles(head_forward)
        on_customer = (
            angle_between_deg(np.array(gaze.vector), customer_dir) <= customer.gaze_cone_deg
        )
        values |= {
            "head": head,
            "gaze": gaze,
            # Closed eyes (a blink) toward the customer cannot confirm eye contact nor deny it:
            # unknown, which a gaze bridges like any short break; away from them, it is away.
            "gaze_on_customer": None if on_customer and not gaze.eyes_open else on_customer,
            "head_to_customer": abs(head_yaw - customer_yaw) <= customer.facing_cone_deg,
            "customer_yaw_deg": customer_yaw,
            "customer_pitch_deg": customer_pitch,
            "head_distance_cm": float(np.linalg.norm(head.translation_cm)),
            "mouth_open": mouth_opening(landmarks.face.pixels),
            "face_actions": face_actions(
                landmarks.face, landmarks.width, landmarks.height, head.yaw_deg, head.pitch_deg
            ),
        }
    pose = landmarks.pose
    if pose is not None:
        focal_px = focal_length_px(landmarks.width, config.camera.hfov_deg)
        if landmarks.face is None and agent_at_counter(pose, focal_px):
            # The face mesh loses a face turned far down (writing, a phone) or away, while the
            # body is still at the counter: not looking at the customer, rather than not there.
            values["gaze_on_customer"] = False
            values["head_from_pose"] = head_direction_from_pose(pose)
        torso = torso_yaw_deg(pose)
        if torso is not None:
            values["torso_yaw_deg"] = torso
            width_px = shoulder_width_px(pose)
            if head is not None and width_px is not None:
                # The shoulders stand about a hand behind the head; scaling by their distance
                # makes the width independent of leaning in or out.
                depth_cm = values["head_distance_cm"] + SHOULDERS_BEHIND_HEAD_CM
                values["shoulder_width_cm"] = width_px * depth_cm / focal_px
        values["watch_wrists"] = watch_wrists(pose)
        values["arms"] = arms_pose(
            pose, landmarks.width, landmarks.height, config.gestures.wide_out_sw
        )
    if config.tracker.hands:
        shapes = tuple(hand_shape(h) for h in landmarks.hands)
        values |= {"hands_tracked": True, "hands": shapes}
        values["open_palm"] = any(s.open_palm for s in shapes)
        pointing = [s for s in shapes if s.pointing]
        if pointing:
            values["pointing"] = _pointing_shape(pointing, landmarks, customer_dir, config)
    return FrameFeatures(**values)


def mouth_opening(points_px: np.ndarray) -> float:
    """The gap between the inner lips, in eye spans (so distance and face size do not count)."""
    span = eye_span_px(points_px)
    gap = float(np.linalg.norm(points_px[LOWER_INNER_LIP] - points_px[UPPER_INNER_LIP]))
    return gap / span if span > 0 else 0.0


def _pointing_shape(
    pointing: list[HandShape], landmarks: Landmarks, customer_dir, config: Config
) -> PointingShape:
    toward = customer_dir if customer_dir is not None else np.array([0.0, 0.0, -1.0])
    at_customer = any(
        angle_between_deg(np.array(s.index_direction), toward) <= config.pointing.aim_cone_deg
        for s in pointing
    )
    # "Face height": the fingertip raised above the shoulder line, or above the chin's level
    # less half a face when the shoulders are not seen.
    line_y = shoulder_line_y_px(landmarks.pose) if landmarks.pose is not None else None
    if line_y is None and landmarks.face is not None:
        chin_y = landmarks.face.pixels[CHIN, 1]
        face_h = chin_y - landmarks.face.pixels[:, 1].min()
        line_y = chin_y + 0.5 * face_h
    at_face = line_y is not None and any(s.index_tip_px[1] < line_y for s in pointing)
    return PointingShape(at_customer=at_customer, at_face_height=bool(at_face))
