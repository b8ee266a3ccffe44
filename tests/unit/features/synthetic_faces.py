"""Face-mesh pixels of the face model at a known head pose, and with the irises placed by hand:
exact ground truth for head pose, the eye model, calibration and the soak, with no MediaPipe."""

import cv2
import numpy as np

from kiosk.features.face_model import MODEL_POINTS_CV_CM, POSE_LANDMARK_IDS
from kiosk.features.gaze import LEFT_EYE, RIGHT_EYE
from kiosk.features.head_pose import camera_matrix, estimate_head_pose, rotation_from_angles
from kiosk.landmarks.types import FaceLandmarks

WIDTH, HEIGHT, HFOV_DEG = 640, 480, 66.0
NEUTRAL = (-0.007, -0.075)  # the defaults of [eye_contact] neutral_iris_right / _down


def project_face(yaw_deg, pitch_deg, roll_deg, translation_cm=(0.0, 0.0, 60.0), noise_px=0.0):
    """478 face-mesh pixel points, only the model's ids filled, for a face at a known pose."""
    rotation = rotation_from_angles(yaw_deg, pitch_deg, roll_deg)
    rvec, _ = cv2.Rodrigues(rotation)
    projected, _ = cv2.projectPoints(
        MODEL_POINTS_CV_CM,
        rvec,
        np.array(translation_cm, dtype=np.float64),
        camera_matrix(WIDTH, HEIGHT, HFOV_DEG),
        None,
    )
    points = np.zeros((478, 2))
    noise = np.random.default_rng(7).normal(0.0, noise_px, (len(POSE_LANDMARK_IDS), 2))
    points[POSE_LANDMARK_IDS] = projected.reshape(-1, 2) + noise
    return points


def face_with_eyes(
    yaw_deg=0.0, pitch_deg=0.0, iris=(0.0, 0.0), openness=0.33, lids_down=0.0, at_cm=(0, 0, 60)
):
    """Face-mesh pixels of the face model at a pose, with each iris at `iris` (right, down; eye
    widths from the corners' midpoint) and the lids `openness` eye widths apart, centred
    `lids_down` below the corner line (a smile narrows the lids and lifts the lower one), the
    head at `at_cm` in camera axes (x right, y down, z away)."""
    points = project_face(yaw_deg, pitch_deg, 0.0, at_cm)
    across = points[LEFT_EYE[0]] - points[RIGHT_EYE[0]]
    across /= np.linalg.norm(across)
    down = np.array([-across[1], across[0]])
    for outer, inner, upper, lower, iris_id in (RIGHT_EYE, LEFT_EYE):
        width = np.linalg.norm(points[outer] - points[inner])
        middle = (points[outer] + points[inner]) / 2
        lids = middle + lids_down * width * down
        points[upper] = lids - openness / 2 * width * down
        points[lower] = lids + openness / 2 * width * down
        points[iris_id] = middle + (iris[0] * across + iris[1] * down) * width
    face = FaceLandmarks(normalized=points / [WIDTH, HEIGHT], pixels=points)
    head = estimate_head_pose(points, WIDTH, HEIGHT, HFOV_DEG)
    return face, head
