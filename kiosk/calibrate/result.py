"""What a calibration found, and writing its settings into a TOML config file by hand-editing
the text, so that the installer's comments and layout stay as they were."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError


@dataclass
class Calibration:
    """`lines`: what was found, for people; `settings`: section -> key -> value to write."""

    lines: list[str] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set(self, section: str, key: str, value: Any) -> None:
        self.settings.setdefault(section, {})[key] = value

    def toml(self) -> str:
        out = []
        for section, values in self.settings.items():
            out.append(f"[{section}]")
            out += [f"{key} = {toml_value(value)}" for key, value in values.items()]
            out.append("")
        return "\n".join(out)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


_HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")


def _set_in_text(text: str, section: str, key: str, value: str) -> str:
    """`key = value` inside `[section]`: replaced where it is, else added after the section's
    last key line, else a new section at the end."""
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if match and match.group(1).strip() == section:
            start = i
            break
    if start is None:
        tail = [] if not lines or lines[-1].strip() == "" else [""]
        return "\n".join([*lines, *tail, f"[{section}]", f"{key} = {value}"]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    key_line = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start + 1, end):
        if key_line.match(lines[i]):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines) + "\n"
    last = start
    for i in range(start + 1, end):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            last = i
    lines.insert(last + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n"


def write_settings(path: str | Path, settings: dict[str, dict[str, Any]]) -> Path:
    """Write `settings` into the config file at `path` (created if absent), after copying it to
    a timestamped backup; the result must load, or the original is put back. Returns the
    backup's path (or the new file's, when there was none)."""
    from kiosk.config import load_config

    path = Path(path)
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    backup = path.with_name(f"{path.name}.{datetime.now():%Y%m%d-%H%M%S}.bak")
    if path.exists():
        shutil.copy2(path, backup)
    text = original
    for section, values in settings.items():
        for key, value in values.items():
            text = _set_in_text(text, section, key, toml_value(value))
    try:
        path.write_text(text, encoding="utf-8")
        load_config(path)
    except (OSError, ConfigError) as exc:
        if path.exists() or original:
            path.write_text(original, encoding="utf-8")
        raise ConfigError(f"{path}: the calibration was not written: {exc}") from None
    return backup if original else path
