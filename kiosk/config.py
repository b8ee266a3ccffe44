"""The kiosk's configuration: one TOML file parsed into frozen, validated objects.

Every default lives here and suits a Raspberry Pi with a Camera Module and the documented wiring.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError


def setting(
    default: Any,
    doc: str,
    *,
    min: float | None = None,
    max: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """A config field with its documentation and bounds, used to validate and to print defaults."""
    return field(default=default, metadata={"doc": doc, "min": min, "max": max, "choices": choices})


@dataclass(frozen=True)
class CameraConfig:
    source: str = setting(
        "picamera",
        'Where frames come from: "picamera" (Camera Module via picamera2), "usb:N" (OpenCV '
        'capture of /dev/videoN), "scene:NAME" (a built-in rendered scenario, see "kiosk scene '
        'list"), or a path to a video file, an image or a folder of images.',
    )
    width: int = setting(640, "Capture width in pixels.", min=64, max=4096)
    height: int = setting(480, "Capture height in pixels.", min=64, max=4096)
    fps: float = setting(
        15.0,
        "Frames per second to capture; also the timing of image folders unless --fps is given.",
        min=0.1,
        max=120.0,
    )
    hfov_deg: float = setting(
        66.0,
        "Horizontal field of view of the lens in degrees (Camera Module 3: 66, Module 3 Wide: "
        "102, Module 2: 62.2). Head pose uses it to build the camera matrix.",
        min=10.0,
        max=170.0,
    )
    stall_timeout_s: float = setting(
        5.0,
        "A live camera that delivers no frame for this long is reported as stopped.",
        min=0.5,
        max=120.0,
    )


@dataclass(frozen=True)
class TrackerConfig:
    face: bool = setting(True, "Run the face mesh with iris landmarks.")
    pose: bool = setting(True, "Run the body pose model (model_complexity 1, bundled).")
    hands: bool = setting(True, "Run the hand landmark model.")
    max_num_hands: int = setting(2, "Hands to track at most.", min=1, max=4)
    min_detection_confidence: float = setting(
        0.5, "Detector score below which nothing is reported.", min=0.0, max=1.0
    )
    min_tracking_confidence: float = setting(
        0.5, "Tracking score below which the detector runs again.", min=0.0, max=1.0
    )


@dataclass(frozen=True)
class Config:
    camera: CameraConfig = field(default_factory=CameraConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)


SECTION_DOCS = {
    "camera": "The camera facing the agent.",
    "tracker": "MediaPipe models; only the enabled ones are loaded.",
}


def _section_types() -> dict[str, type]:
    return {f.name: f.default_factory for f in dataclasses.fields(Config)}  # type: ignore[misc]


def _did_you_mean(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else f" (valid: {', '.join(valid)})"


def _check_value(where: str, f: dataclasses.Field, value: Any) -> Any:
    expected = f.type if isinstance(f.type, str) else f.type.__name__
    meta = f.metadata
    if expected == "bool":
        ok = isinstance(value, bool)
    elif expected == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expected == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif expected == "str":
        ok = isinstance(value, str)
    else:  # pragma: no cover - a new field type needs a branch here
        raise TypeError(f"unsupported config type {expected} for {where}")
    if not ok:
        raise ConfigError(f"{where}: expected {expected}, got {value!r}")
    if meta.get("min") is not None and value < meta["min"]:
        raise ConfigError(f"{where}: {value!r} is below the minimum {meta['min']}")
    if meta.get("max") is not None and value > meta["max"]:
        raise ConfigError(f"{where}: {value!r} is above the maximum {meta['max']}")
    if meta.get("choices") and value not in meta["choices"]:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(meta['choices'])}")
    return value


def config_from_dict(data: dict[str, Any], origin: str = "config") -> Config:
    """Validate a parsed TOML document; raise ConfigError naming the first bad key."""
    sections = _section_types()
    built: dict[str, Any] = {}
    for section_name, section_data in data.items():
        if section_name not in sections:
            hint = _did_you_mean(section_name, list(sections))
            raise ConfigError(f"{origin}: [{section_name}]: unknown section{hint}")
        if not isinstance(section_data, dict):
            raise ConfigError(f"{origin}: {section_name}: expected a [{section_name}] table")
        section_type = sections[section_name]
        fields = {f.name: f for f in dataclasses.fields(section_type)}
        values = {}
        for key, value in section_data.items():
            where = f"{origin}: [{section_name}] {key}"
            if key not in fields:
                raise ConfigError(f"{where}: unknown key{_did_you_mean(key, list(fields))}")
            values[key] = _check_value(where, fields[key], value)
        built[section_name] = section_type(**values)
    return Config(**built)


def load_config(path: str | Path | None) -> Config:
    """Read a TOML file into a Config; None gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(data, origin=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _comment(text: str, width: int = 98) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width - 2:
            lines.append("# " + current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append("# " + current)
    return lines


def default_toml() -> str:
    """The full default configuration as commented TOML; it parses back to Config()."""
    out = ["# counter-kiosk configuration. Every key is optional; these are the defaults.", ""]
    for section_name, section_type in _section_types().items():
        out += _comment(SECTION_DOCS[section_name])
        out.append(f"[{section_name}]")
        for f in dataclasses.fields(section_type):
            out += _comment(f.metadata["doc"])
            out.append(f"{f.name} = {_toml_value(f.default)}")
        out.append("")
    return "\n".join(out)
