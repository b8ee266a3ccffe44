"""The agent talking (head beats of speech, slow drift, the mouth moving), rendered and tracked by
the real face mesh: the mouth's movement is seen, and no nod is counted."""

import numpy as np
from conftest import tracked_scene

from kiosk.config import Config
from kiosk.features.frame import extract_features


def test_the_face_mesh_sees_the_rendered_mouth_open_and_close():
    tracked = tracked_scene("talking")
    config = Config()
    opening = [
        extract_features(lm, config).mouth_open for lm in tracked.landmarks if lm.face is not None
    ]
    opening = np.array([m for m in opening if m is not None])
    assert len(opening) > 0.9 * len(tracked.landmarks)
    # Syllables open the mouth by 0.05-0.3 eye spans, several times a second.
    assert np.percentile(opening, 95) - np.percentile(opening, 5) > 0.08


def test_talking_counts_no_nod_and_no_impatience(run_of):
    summary = run_of("talking").summary
    assert summary["nods"]["count"] == 0
    assert summary["nods"]["impatient_bouts"] == 0
