"""A few points of MediaPipe's canonical 3D face, the model that head pose is fitted against.

Coordinates in centimetres, copied from canonical_face_model.obj of MediaPipe (Apache-2.0):
x toward the subject's left (the image's right when facing the camera), y up, z out of the face.
Only points that stay put when a person talks are used: no lips, no jaw, no eyebrows.
"""

from __future__ import annotations

import numpy as np

# face-mesh index: (x, y, z) in cm
CANONICAL_POINTS_CM: dict[int, tuple[float, float, float]] = {
    1: (0.000000, -1.126865, 7.475604),  # nose tip
    2: (0.000000, -2.089024, 6.058267),  # below the nose
    4: (0.000000, -0.463170, 7.586580),  # nose tip, upper
    5: (0.000000, 0.365669, 7.242870),
    6: (0.000000, 2.473255, 5.788627),  # nose bridge
    9: (0.000000, 4.885979, 5.385258),
    10: (0.000000, 8.261778, 4.481535),  # top of the forehead
    33: (-4.445859, 2.663991, 3.173422),  # right eye, outer corner
    98: (-1.405627, -1.714196, 5.241087),  # right nostril
    133: (-1.856432, 2.585245, 3.757904),  # right eye, inner corner
    151: (0.000000, 6.545390, 5.027311),  # forehead
    168: (0.000000, 3.271027, 5.236015),  # between the eyes
    195: (0.000000, 1.059413, 6.774605),
    197: (0.000000, 1.728369, 6.316750),
    234: (-7.664182, 0.673132, -2.435867),  # right cheek edge, near the ear
    263: (4.445859, 2.663991, 3.173422),  # left eye, outer corner
    327: (1.405627, -1.714196, 5.241087),  # left nostril
    362: (1.856432, 2.585245, 3.757904),  # left eye, inner corner
    454: (7.664182, 0.673132, -2.435867),  # left cheek edge, near the ear
}

POSE_LANDMARK_IDS = np.array(sorted(CANONICAL_POINTS_CM), dtype=np.intp)

# OpenCV camera axes: x right, y down, z forward (away from the camera). A face looking into
# the camera has its own y up and z toward the camera, so both flip.
MODEL_POINTS_CV_CM = np.array(
    [CANONICAL_POINTS_CM[i] for i in POSE_LANDMARK_IDS], dtype=np.float64
) * np.array([1.0, -1.0, -1.0])
