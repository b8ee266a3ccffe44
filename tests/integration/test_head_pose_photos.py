"""Head pose on a real photo: plausible values, and the sign conventions under known edits.

Mirroring the photo mirrors the head (yaw and roll change sign, pitch stays); rotating the photo
about its centre is rotating the camera about its optical axis, so the measured head rotation
must turn by exactly that angle.
"""

import math

import cv2
import numpy as np
import pytest

from kiosk.camera.types import Frame
from kiosk.features.head_pose import head_pose_from_face

HFOV_DEG = 66.0


def measure(tracker, rgb):
    landmarks = tracker.track(Frame(np.ascontiguousarray(rgb), 0.0, 0), face=True)
    assert landmarks.face is not None
    return head_pose_from_face(landmarks.face, landmarks.width, landmarks.height, HFOV_DEG)


def rotation_about_optical_axis(angle_deg):
    a = math.radians(angle_deg)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def angle_between_deg(r1, r2):
    cos = (np.trace(r1.T @ r2) - 1.0) / 2.0
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def test_astronaut_head_pose_is_plausible(photo_tracker, astronaut_rgb):
    pose = measure(photo_tracker, astronaut_rgb)
    # She faces the camera, a little down; her face is above the image centre, so in camera
    # axes the nose points downward by roughly that elevation too.
    assert abs(pose.yaw_deg) < 10
    assert -35 < pose.pitch_deg < -12
    assert abs(pose.roll_deg) < 8
    assert 40 < pose.translation_cm[2] < 100  # a head-and-shoulders shot
    assert pose.reprojection_px < 5


def test_mirroring_the_photo_flips_yaw_and_roll_and_keeps_pitch(photo_tracker, astronaut_rgb):
    pose = measure(photo_tracker, astronaut_rgb)
    mirrored = measure(photo_tracker, astronaut_rgb[:, ::-1])
    assert mirrored.yaw_deg == pytest.approx(-pose.yaw_deg, abs=2.5)
    assert mirrored.roll_deg == pytest.approx(-pose.roll_deg, abs=2.5)
    assert mirrored.pitch_deg == pytest.approx(pose.pitch_deg, abs=2.5)


@pytest.mark.parametrize("clockwise_deg", [-20, -10, 10, 20])
def test_rotating_the_photo_turns_the_head_with_it(photo_tracker, astronaut_rgb, clockwise_deg):
    h, w = astronaut_rgb.shape[:2]
    # getRotationMatrix2D turns counter-clockwise for positive angles.
    warp = cv2.getRotationMatrix2D((w / 2, h / 2), -clockwise_deg, 1.0)
    rotated_rgb = cv2.warpAffine(astronaut_rgb, warp, (w, h), borderMode=cv2.BORDER_REPLICATE)
    pose = measure(photo_tracker, astronaut_rgb)
    rotated = measure(photo_tracker, rotated_rgb)
    expected = rotation_about_optical_axis(clockwise_deg) @ pose.rotation
    assert angle_between_deg(rotated.rotation, expected) < 3.0
    assert rotated.roll_deg - pose.roll_deg == pytest.approx(clockwise_deg, abs=4.0)


def grace_hopper_rgb():
    """A second real portrait: matplotlib (a MediaPipe dependency) ships it as sample data."""
    from pathlib import Path

    import matplotlib

    from kiosk.camera.files import read_rgb

    path = Path(matplotlib.__file__).parent / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    return read_rgb(path)


def test_a_frontal_portrait_reads_frontal_and_mirrors_cleanly(photo_tracker):
    rgb = grace_hopper_rgb()
    pose = measure(photo_tracker, rgb)
    assert abs(pose.yaw_deg) < 8 and abs(pose.roll_deg) < 8
    mirrored = measure(photo_tracker, rgb[:, ::-1])
    assert mirrored.yaw_deg == pytest.approx(-pose.yaw_deg, abs=2.5)
    assert mirrored.pitch_deg == pytest.approx(pose.pitch_deg, abs=2.5)
