"""Arms from the body model: wrists in shoulder widths, wide positions, hanging elbows."""

import numpy as np
import pytest

from kiosk.features.arms import arms_pose
from kiosk.landmarks.types import PoseLandmarks

WIDTH, HEIGHT = 640, 480


def pose(**points):
    """Shoulders 100 px apart at y=200 (the person's left, 11, on the image's right); other
    joints given as name=(x, y[, visibility]); the rest out of sight."""
    pixels = np.zeros((33, 2))
    visibility = np.zeros(33)
    joints = {"ls": 11, "rs": 12, "le": 13, "re": 14, "lw": 15, "rw": 16}
    for name, xy in ({"ls": (370, 200), "rs": (270, 200)} | points).items():
        pixels[joints[name]] = xy[:2]
        visibility[joints[name]] = xy[2] if len(xy) > 2 else 0.99
    normalized = np.column_stack([pixels / [WIDTH, HEIGHT], np.zeros(33)])
    return PoseLandmarks(normalized, pixels, visibility, np.zeros((33, 3)))


def test_wrists_are_measured_from_the_shoulders_midpoint_in_shoulder_widths():
    arms = arms_pose(pose(lw=(390, 300), rw=(320, 150)), WIDTH, HEIGHT, 0.25)
    assert arms.wrists_sw[0] == pytest.approx((0.7, -1.0))
    assert arms.wrists_sw[1] == pytest.approx((0.0, 0.5))
    assert arms.wide == (False, True)  # the right wrist is above its shoulder


@pytest.mark.parametrize(
    "left_wrist, wide",
    [((390, 260), False), ((400, 260), True), ((300, 320), False)],
    ids=["just outside", "beyond the body", "across the body"],
)
def test_a_wrist_out_beyond_the_body_is_wide(left_wrist, wide):
    # the left shoulder is at x=370: 0.25 shoulder widths further out is x=395
    assert arms_pose(pose(lw=left_wrist), WIDTH, HEIGHT, 0.25).wide[0] is wide


def test_a_wrist_out_of_the_frame_or_barely_visible_is_not_seen():
    arms = arms_pose(pose(lw=(400, 520), rw=(300, 300, 0.3)), WIDTH, HEIGHT, 0.25)
    assert arms.wrists_sw == (None, None) and arms.wide == (False, False)


def test_elbows_hanging_at_the_sides_are_down_and_raised_or_unseen_ones_are_not():
    hanging = pose(le=(380, 330), re=(262, 335))
    assert arms_pose(hanging, WIDTH, HEIGHT, 0.25).elbows_down
    raised = pose(le=(450, 230), re=(262, 335))
    assert not arms_pose(raised, WIDTH, HEIGHT, 0.25).elbows_down
    unseen = pose(le=(380, 330))
    assert not arms_pose(unseen, WIDTH, HEIGHT, 0.25).elbows_down


def test_without_both_shoulders_nothing_is_measured():
    assert arms_pose(pose(rs=(270, 200, 0.2)), WIDTH, HEIGHT, 0.25) is None
