"""Real sample images the demo and tests use, found on disk; never downloaded at run time."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kiosk.errors import SourceError


def astronaut_path() -> Path:
    """scikit-image's astronaut photo (Eileen Collins, NASA, public domain): face and body."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        raise SourceError(
            "the sample photo comes with scikit-image, which is not installed: "
            "pip install 'counter-kiosk[demo]'"
        )
    path = Path(spec.origin).parent / "data" / "astronaut.png"
    if not path.is_file():
        raise SourceError(f"{path}: scikit-image is installed without its sample data")
    return path
