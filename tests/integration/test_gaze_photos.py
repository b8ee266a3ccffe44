"""Head pose and eye contact on real photos of 8 people (the Pointing'04 development set the eye
model was fitted on): head pose follows the labels, eye contact is called on looks into the
camera and not on looks 30 degrees or more away.

The photos are people's faces, so they stay out of the repository: they are read from
$KIOSK_POINTING04, or ../shared/data/pointing04-dev beside it, and the tests skip (saying so)
where they are not."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import os
import statistics
from pathlib import Path

import numpy as np
import pytest

from kiosk.camera.files import read_rgb
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.features.frame import extract_features
from kiosk.features.gaze import LEFT_EYE, RIGHT_EYE

REPOSITORY = Path(__file__).resolve().parents[2]
PHOTOS = Path(
    os.environ.get("KIOSK_POINTING04") or REPOSITORY.parent / "shared" / "data" / "pointing04-dev"
)


@pytest.fixture(scope="module")
def photos(photo_tracker):
    """(labels, landmarks, features) of every photo, tracked once."""
    if not (PHOTOS / "labels.csv").is_file():
        pytest.skip(f"no Pointing'04 development photos at {PHOTOS} (set KIOSK_POINTING04)")
    config = Config()
    config = dataclasses.replace(
        config, camera=dataclasses.replace(config.camera, width=384, height=288)
    )
    out = []
    with (PHOTOS / "labels.csv").open(newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            frame = Frame(read_rgb(PHOTOS / row["file"]), 0.0, i)
            landmarks = photo_tracker.track(frame, face=True)
            labels = {"tilt": int(row["tilt_deg"]), "pan": int(row["pan_deg"])}
            out.append((labels, landmarks, extract_features(landmarks, config)))
    return out


def rate(photos, keep) -> tuple[int, int]:
    chosen = [f for labels, _, f in photos if keep(labels)]
    return sum(f.gaze_on_customer is True for f in chosen), len(chosen)


def test_a_face_and_a_plausible_head_pose_are_found_on_nearly_every_photo(photos):
    found = sum(f.head is not None for _, _, f in photos)
    assert found >= len(photos) - 5
    assert not any(f.head_rejected for _, _, f in photos)


def test_head_yaw_and_pitch_follow_where_people_looked(photos):
    def median(key, value, angle):
        return statistics.median(
            getattr(f.head, angle)
            for labels, _, f in photos
            if f.head is not None
            and labels[key] == value
            and labels["pan" if key == "tilt" else "tilt"] == 0
        )

    yaws = [median("pan", pan, "yaw_deg") for pan in range(-60, 61, 15)]
    pitches = [median("tilt", tilt, "pitch_deg") for tilt in range(-30, 31, 15)]
    # the head turns only part of the way (the eyes do the rest): yaw ~ -0.65 pan
    assert all(a > b for a, b in itertools.pairwise(yaws))
    assert all(a < b for a, b in itertools.pairwise(pitches))
    assert 25.0 < yaws[0] < 55.0 and -55.0 < yaws[-1] < -25.0


def test_eye_contact_is_called_on_looks_into_the_camera(photos):
    hits, total = rate(photos, lambda labels: labels["tilt"] == 0 and labels["pan"] == 0)
    assert total == 16 and hits >= 0.9 * total


def test_eye_contact_is_rarely_called_on_looks_30_degrees_or_more_away(photos):
    hits, total = rate(photos, lambda labels: max(abs(labels["tilt"]), abs(labels["pan"])) >= 30)
    assert total == 576 and hits <= 0.05 * total


def test_eye_contact_falls_off_with_the_angle_from_the_camera(photos):
    def share(degrees):
        hits, total = rate(
            photos, lambda labels: max(abs(labels["tilt"]), abs(labels["pan"])) == degrees
        )
        return hits / total

    assert share(0) > share(15) > share(30) >= share(45)


def test_closing_the_eyes_of_a_real_face_looking_into_the_camera_leaves_eye_contact_unknown(photos):
    _, landmarks, features = next(
        p for p in photos if p[0]["tilt"] == 0 and p[0]["pan"] == 0 and p[2].gaze_on_customer
    )
    pixels = landmarks.face.pixels.copy()
    for _, _, upper, lower, _ in (RIGHT_EYE, LEFT_EYE):  # a blink: the lids meet
        pixels[[upper, lower]] = pixels[[upper, lower]].mean(axis=0)
    face = dataclasses.replace(landmarks.face, pixels=pixels)
    blink = extract_features(dataclasses.replace(landmarks, face=face), Config())
    assert blink.gaze is not None and not blink.gaze.eyes_open
    assert blink.gaze_on_customer is None  # not a look away: a gaze bridges it
    assert np.isclose(blink.head.yaw_deg, features.head.yaw_deg)
