"""The real MediaPipe models on the real astronaut photo and on images with nobody in them."""

import numpy as np

from kiosk.camera.types import Frame
from kiosk.landmarks.types import FACE_POINTS, POSE_POINTS


def test_astronaut_face_mesh_has_iris_points_inside_the_face(photo_tracker, astronaut_rgb):
    landmarks = photo_tracker.track(Frame(astronaut_rgb, t_s=1.5, index=7), face=True)
    assert landmarks.t_s == 1.5 and landmarks.frame_index == 7
    assert (landmarks.width, landmarks.height) == (512, 512)
    face = landmarks.face
    assert face.normalized.shape == (FACE_POINTS, 3)
    # Her face sits in the upper middle of the photo.
    centre_x, centre_y = face.pixels[:468].mean(axis=0)
    assert 180 < centre_x < 280 and 60 < centre_y < 180
    # Iris centres (468 right, 473 left) lie between the corners of their eyes.
    right_iris, left_iris = face.pixels[468], face.pixels[473]
    assert face.pixels[33, 0] < right_iris[0] < face.pixels[133, 0]
    assert face.pixels[362, 0] < left_iris[0] < face.pixels[263, 0]


def test_astronaut_pose_has_shoulders_above_the_elbows(photo_tracker, astronaut_rgb):
    pose = photo_tracker.track(Frame(astronaut_rgb, 0.0, 0), face=False, pose=True).pose
    assert pose.normalized.shape == (POSE_POINTS, 3)
    assert pose.world_m.shape == (POSE_POINTS, 3)
    left_shoulder, right_shoulder = pose.pixels[11], pose.pixels[12]
    # Facing the camera, her left shoulder appears on the image's right.
    assert left_shoulder[0] > right_shoulder[0]
    assert pose.visibility[[11, 12]].min() > 0.9
    shoulder_width_m = np.linalg.norm(pose.world_m[11] - pose.world_m[12])
    assert 0.25 < shoulder_width_m < 0.5


def test_blank_and_noise_images_give_no_face_and_no_error(photo_tracker):
    blank = np.zeros((480, 640, 3), dtype=np.uint8)
    noise = np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    for rgb in (blank, noise):
        landmarks = photo_tracker.track(Frame(rgb, 0.0, 0), face=True, pose=True, hands=True)
        assert landmarks.face is None
        assert landmarks.pose is None
        assert landmarks.hands == ()
