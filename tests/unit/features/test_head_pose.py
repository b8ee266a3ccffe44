"""Head pose against synthetic projections of the face model: exact ground truth, no MediaPipe."""

import itertools

import pytest

from kiosk.features.head_pose import (
    angles_from_rotation,
    camera_matrix,
    estimate_head_pose,
    rotation_from_angles,
)
from tests.unit.features.synthetic_faces import HEIGHT, HFOV_DEG, WIDTH, project_face


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), list(itertools.product((-40, -15, 0, 25), (-25, 0, 20), (-20, 0, 15)))
)
def test_angles_round_trip_through_a_rotation_matrix(yaw, pitch, roll):
    assert angles_from_rotation(rotation_from_angles(yaw, pitch, roll)) == pytest.approx(
        (yaw, pitch, roll), abs=1e-9
    )


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(0, 0, 0), (30, -10, 5), (-35, 15, -10), (10, 25, 20)]
)
def test_a_projected_face_gives_back_its_pose_within_half_a_degree(yaw, pitch, roll):
    pose = estimate_head_pose(project_face(yaw, pitch, roll), WIDTH, HEIGHT, HFOV_DEG)
    assert (pose.yaw_deg, pose.pitch_deg, pose.roll_deg) == pytest.approx(
        (yaw, pitch, roll), abs=0.5
    )
    assert pose.translation_cm[2] == pytest.approx(60.0, abs=0.5)
    assert pose.reprojection_px < 0.1


def test_two_pixels_of_landmark_noise_cost_under_three_degrees():
    pose = estimate_head_pose(project_face(20, -10, 5, noise_px=2.0), WIDTH, HEIGHT, HFOV_DEG)
    assert (
        abs(pose.yaw_deg - 20) < 3 and abs(pose.pitch_deg + 10) < 3 and abs(pose.roll_deg - 5) < 3
    )


def test_yaw_is_positive_when_the_nose_moves_toward_the_right_edge():
    points = project_face(20, 0, 0)
    nose_x, face_centre_x = points[1, 0], points[[33, 263], 0].mean()
    assert nose_x > face_centre_x  # the synthetic face does turn its nose right
    assert estimate_head_pose(points, WIDTH, HEIGHT, HFOV_DEG).yaw_deg > 15


def test_pitch_is_positive_when_the_nose_goes_up():
    points = project_face(0, 20, 0)
    assert points[1, 1] < project_face(0, 0, 0)[1, 1]  # nose tip higher in the image (smaller y)
    assert estimate_head_pose(points, WIDTH, HEIGHT, HFOV_DEG).pitch_deg > 15


def test_roll_is_positive_when_the_face_turns_clockwise_in_the_image():
    points = project_face(0, 0, 20)
    # The subject's left eye (image right) drops below the right eye when turned clockwise.
    assert points[263, 1] > points[33, 1]
    assert estimate_head_pose(points, WIDTH, HEIGHT, HFOV_DEG).roll_deg > 15


def test_wider_lens_means_shorter_focal_length():
    assert camera_matrix(640, 480, 102.0)[0, 0] < camera_matrix(640, 480, 66.0)[0, 0]
    assert camera_matrix(640, 480, 90.0)[0, 0] == pytest.approx(320.0)
