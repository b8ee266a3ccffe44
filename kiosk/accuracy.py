"""`kiosk accuracy`: head pose and eye contact measured on labelled real photos.

A folder with a `labels.csv` (`file, tilt_deg, pan_deg`, as the Pointing'04 development set in
../shared/data/pointing04-dev): where each person looked, with head and eyes, from the camera's
line.
"""

from __future__ import annotations

import csv
import dataclasses
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.camera.files import read_rgb
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.errors import SourceError
from kiosk.features.frame import extract_features
from kiosk.features.gaze import (
    EYE_WIDTH_CM,
    EYEBALL_RADIUS_CM,
    EYES_CLOSED_OPENNESS,
    EyeModel,
    angle_between_deg,
    direction_angles,
    direction_vector,
    eye_offsets,
)
from kiosk.features.head_pose import head_pose_from_face, plausible_fit
from kiosk.landmarks.types import Landmarks

LABEL_COLUMNS = ("file", "tilt_deg", "pan_deg")


def read_labels(folder: Path) -> list[dict[str, Any]]:
    path = folder / "labels.csv"
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the labels ({exc.strerror})") from None
    missing = [c for c in LABEL_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise SourceError(f"{path}: needs a header with {', '.join(LABEL_COLUMNS)} and rows")
    try:
        return [
            {
                "file": r["file"],
                "tilt": int(float(r["tilt_deg"])),
                "pan": int(float(r["pan_deg"])),
                "person": r.get("person") or None,
            }
            for r in rows
        ]
    except ValueError as exc:
        raise SourceError(f"{path}: tilt_deg and pan_deg must be numbers ({exc})") from None


@dataclass(frozen=True)
class Photo:
    label: dict[str, Any]
    landmarks: Landmarks
    config: Config  # the defaults at this photo's size


def track_photos(folder: Path, config: Config) -> list[Photo]:
    """Track every labelled photo (face only, each photo on its own)."""
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker

    labels = read_labels(folder)
    photos = []
    face_only = dataclasses.replace(config.tracker, face=True, pose=False, hands=False)
    with MediaPipeTracker(face_only, static_images=True) as tracker:
        for i, label in enumerate(labels):
            rgb = read_rgb(folder / label["file"])
            if rgb is None:
                raise SourceError(f"{folder / label['file']}: not a readable image")
            h, w = rgb.shape[:2]
            sized = dataclasses.replace(
                config, camera=dataclasses.replace(config.camera, width=w, height=h)
            )
            photos.append(Photo(label, tracker.track(Frame(rgb, 0.0, i), face=True), sized))
    return photos


def measure(photos: list[Photo]) -> dict[str, Any]:
    """The figures of tracked photos with the shipped eye model and the photos' config."""
    return tally([(p.label, extract_features(p.landmarks, p.config)) for p in photos])


@dataclass(frozen=True)
class EyeFit:
    iris_gain: float
    neutral: tuple[float, float]  # [eye_contact] neutral_iris_right, neutral_iris_down
    model: EyeModel
    faces: int


def labelled_target(label: dict[str, Any], head) -> tuple[np.ndarray, np.ndarray]:
    """Where the label says the person looked, and the direction to the camera, as unit
    vectors in camera axes: pan < 0 is a look toward the image's right (yaw > 0), tilt < 0 a
    look down, both from the line to the camera."""
    to_camera = -np.array(head.translation_cm)
    to_camera /= np.linalg.norm(to_camera)
    yaw, pitch = direction_angles(to_camera)
    return direction_vector(yaw - label["pan"], pitch + label["tilt"]), to_camera


def fit_eye_model(photos: list[Photo]) -> EyeFit:
    """Least squares of the eye model (kiosk.features.gaze) over labelled photos. It is linear
    in its six unknowns: the iris travel across (r) and up-down (rv), the parallax across (d)
    and up-down (dv), and the neutral offsets (x0, y0)."""
    rows, values = [], []
    for photo in photos:
        face = photo.landmarks.face
        if face is None:
            continue
        lm = photo.landmarks
        head = head_pose_from_face(face, lm.width, lm.height, photo.config.camera.hfov_deg)
        offsets = eye_offsets(face.pixels)
        # the faces the kiosk would measure: a plausible head-pose fit, open eyes
        if head is None or offsets is None or not plausible_fit(head, face):
            continue
        if offsets.openness < EYES_CLOSED_OPENNESS:
            continue
        target, to_camera = labelled_target(photo.label, head)
        u, c = head.rotation.T @ target, head.rotation.T @ to_camera  # in the head's axes
        cx, cy, cz = c
        squeeze = 1.0 - cx * cx
        # across: (x0 + r*ux - cx*(x0*cx + y0*cy + r*(ux*cx + uz*cz) + rv*uy*cy)) / squeeze + d*cx
        r_term = (u[0] - cx * (u[0] * cx + u[2] * cz)) / squeeze
        rows.append([r_term, cx, 1.0, -cx * cy / squeeze, -cx * u[1] * cy / squeeze, 0.0])
        values.append(offsets.right)
        rows.append([0.0, 0.0, 0.0, 1.0, u[1], cy])  # up-down: y0 + rv*uy + dv*cy
        values.append(offsets.down)
    if len(rows) < 12:
        raise SourceError("too few faces with labels to fit the eye model")
    (r, d, x0, y0, rv, dv), *_ = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)
    return EyeFit(
        iris_gain=EYEBALL_RADIUS_CM / EYE_WIDTH_CM / r,
        neutral=(float(x0), float(y0)),
        model=EyeModel(vertical_travel=rv / r, parallax_across=d, parallax_up_down=dv),
        faces=len(rows) // 2,
    )


def describe_fit(fit: EyeFit) -> dict[str, Any]:
    """The fit as the config keys and EyeModel fields it would set."""
    return {
        "faces": fit.faces,
        "iris_gain": round(fit.iris_gain, 3),
        "neutral_iris_right": round(fit.neutral[0], 4),
        "neutral_iris_down": round(fit.neutral[1], 4),
        **{k: round(v, 4) for k, v in dataclasses.asdict(fit.model).items()},
    }


def with_fit(config: Config, fit: EyeFit) -> Config:
    eyes = dataclasses.replace(
        config.eye_contact,
        iris_gain=fit.iris_gain,
        neutral_iris_right=fit.neutral[0],
        neutral_iris_down=fit.neutral[1],
    )
    return dataclasses.replace(config, eye_contact=eyes)


def leave_one_person_out(photos: list[Photo]) -> dict[str, Any]:
    """Each person measured with the eye model fitted on the others: the rates a new person
    can expect (the shipped constants were fitted on everyone)."""
    people = sorted({p.label["person"] for p in photos if p.label["person"] is not None})
    if len(people) < 2:
        raise SourceError("leave-one-person-out needs a person column with two or more people")
    measured = []
    for person in people:
        fit = fit_eye_model([p for p in photos if p.label["person"] != person])
        measured += [
            (p.label, extract_features(p.landmarks, with_fit(p.config, fit), fit.model))
            for p in photos
            if p.label["person"] == person
        ]
    return tally(measured)


def _gaze_error_deg(label: dict[str, Any], features) -> float | None:
    """Angle between the measured gaze and where the label says the person looked."""
    if features.gaze is None or features.head is None:
        return None
    target, _ = labelled_target(label, features.head)
    return angle_between_deg(np.array(features.gaze.vector), target)


def tally(per_photo: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    by_offset: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    yaw_by_pan: dict[int, list[float]] = defaultdict(list)
    pitch_by_tilt: dict[int, list[float]] = defaultdict(list)
    errors = []
    for label, f in per_photo:
        cell = cells[(label["tilt"], label["pan"])]
        cell[0] += 1
        cell[1] += f.face
        cell[2] += f.gaze_on_customer is True
        off = max(abs(label["tilt"]), abs(label["pan"]))
        group = "0" if off == 0 else "15" if off <= 15 else ">=30"
        by_offset[group][0] += 1
        by_offset[group][1] += f.gaze_on_customer is True
        if f.head is not None:
            if label["tilt"] == 0:
                yaw_by_pan[label["pan"]].append(f.head.yaw_deg)
            if label["pan"] == 0:
                pitch_by_tilt[label["tilt"]].append(f.head.pitch_deg)
        error = _gaze_error_deg(label, f)
        if error is not None:
            errors.append(error)
    return {
        "photos": len(per_photo),
        "faces": sum(f.face for _, f in per_photo),
        "eye_contact": {
            group: {"photos": n, "called": hits, "rate": round(hits / n, 3)}
            for group, (n, hits) in sorted(by_offset.items())
        },
        "by_angle": [
            {"tilt_deg": t, "pan_deg": p, "photos": n, "faces": found, "eye_contact": hits}
            for (t, p), (n, found, hits) in sorted(cells.items())
        ],
        "gaze_error_deg_median": round(statistics.median(errors), 1) if errors else None,
        "head_yaw_deg_by_pan": {
            p: round(statistics.median(v), 1) for p, v in sorted(yaw_by_pan.items())
        },
        "head_pitch_deg_by_tilt": {
            t: round(statistics.median(v), 1) for t, v in sorted(pitch_by_tilt.items())
        },
    }


def describe(result: dict[str, Any]) -> list[str]:
    lines = [f"photos: {result['photos']}, faces found: {result['faces']}"]
    names = {"0": "looking into the camera", "15": "15 degrees away", ">=30": "30+ degrees away"}
    for group in ("0", "15", ">=30"):
        if group in result["eye_contact"]:
            g = result["eye_contact"][group]
            lines.append(
                f"eye contact called, {names[group]}: {g['called']} of {g['photos']} "
                f"({100 * g['rate']:.1f} %)"
            )
    lines.append(f"median gaze error: {result['gaze_error_deg_median']} degrees")
    pans = sorted({c["pan_deg"] for c in result["by_angle"]})
    tilts = sorted({c["tilt_deg"] for c in result["by_angle"]})
    cells = {(c["tilt_deg"], c["pan_deg"]): c for c in result["by_angle"]}
    lines.append("eye contact % by tilt (rows) and pan (columns):")
    lines.append("tilt\\pan " + " ".join(f"{p:>5}" for p in pans))
    for t in tilts:
        row = []
        for p in pans:
            c = cells.get((t, p))
            row.append(f"{100 * c['eye_contact'] / c['photos']:5.0f}" if c else "    -")
        lines.append(f"{t:>8} " + " ".join(row))
    lines.append(
        "median head yaw by pan: "
        + ", ".join(f"{p}: {v}" for p, v in result["head_yaw_deg_by_pan"].items())
    )
    lines.append(
        "median head pitch by tilt: "
        + ", ".join(f"{t}: {v}" for t, v in result["head_pitch_deg_by_tilt"].items())
    )
    return lines
