"""`kiosk accuracy`: labels read strictly, results tallied per angle (no models here)."""

from types import SimpleNamespace

import pytest

from kiosk.accuracy import read_labels, tally
from kiosk.cli import main
from kiosk.errors import SourceError


def test_a_folder_without_labels_is_one_line_naming_the_file(tmp_path, capsys):
    assert main(["accuracy", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: error: ") and "labels.csv" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "text", ["file,tilt_deg\na.jpg,0\n", "file,tilt_deg,pan_deg\na.jpg,up,0\n", "file,pan_deg\n"]
)
def test_labels_without_both_angles_as_numbers_are_refused(tmp_path, text):
    (tmp_path / "labels.csv").write_text(text)
    with pytest.raises(SourceError, match=r"labels\.csv"):
        read_labels(tmp_path)


def features(on_customer, yaw=0.0):
    head = SimpleNamespace(yaw_deg=yaw, pitch_deg=0.0, translation_cm=(0.0, 0.0, 60.0))
    return SimpleNamespace(face=True, head=head, gaze=None, gaze_on_customer=on_customer)


def test_eye_contact_is_counted_by_the_angle_away_from_the_camera():
    photos = [
        ({"tilt": 0, "pan": 0}, features(True)),
        ({"tilt": 0, "pan": 0}, features(False)),
        ({"tilt": 15, "pan": 0}, features(True)),
        ({"tilt": 0, "pan": -30}, features(True, yaw=20.0)),
        ({"tilt": 30, "pan": 45}, features(None)),
        ({"tilt": 0, "pan": 60}, features(False, yaw=-35.0)),
    ]
    result = tally(photos)
    assert result["eye_contact"]["0"] == {"photos": 2, "called": 1, "rate": 0.5}
    assert result["eye_contact"]["15"] == {"photos": 1, "called": 1, "rate": 1.0}
    assert result["eye_contact"][">=30"] == {"photos": 3, "called": 1, "rate": 0.333}
    assert result["head_yaw_deg_by_pan"] == {-30: 20.0, 0: 0.0, 60: -35.0}
