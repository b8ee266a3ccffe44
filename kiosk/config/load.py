"""Reading, validating and printing the TOML configuration.

Unknown keys are errors that name the closest valid key; values are type- and range-checked.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import logging
import math
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from kiosk.config.live import CueConfig
from kiosk.config.root import SECTION_DOCS, Config
from kiosk.config.service import SHIFT_PATTERN
from kiosk.errors import ConfigError

log = logging.getLogger(__name__)

PIN_TUPLE = "tuple[int, ...]"
STR_TUPLE = "tuple[str, ...]"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _shown(name: str) -> str:
    """A key or table name from the file as one line: quoted when it is not a bare TOML key
    (a quoted key may hold a line break)."""
    return name if _BARE_KEY.fullmatch(name) else repr(name)


def _did_you_mean(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else f" (valid: {', '.join(valid)})"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_pins(where: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise ConfigError(f"{where}: expected a list of BCM pin numbers, got {value!r}")
    if len(value) not in (0, 1, 3):
        raise ConfigError(f"{where}: one pin (an LED) or three (an RGB LED), got {len(value)}")
    for pin in value:
        if not 0 <= pin <= 27:
            raise ConfigError(f"{where}: {pin} is not a GPIO pin (BCM 0 to 27)")
    if len(set(value)) != len(value):
        raise ConfigError(f"{where}: a pin appears twice in {value!r}")
    return tuple(value)


def _check_value(where: str, f: dataclasses.Field, value: Any) -> Any:
    expected = f.type if isinstance(f.type, str) else f.type.__name__
    meta = f.metadata
    if expected == PIN_TUPLE:
        return _check_pins(where, value)
    if expected == STR_TUPLE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        _check_no_nul(where, *value)
        return tuple(value)
    if expected == "bool":
        ok = isinstance(value, bool)
    elif expected == "int":
        ok = _is_int(value)
    elif expected == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        try:
            value = float(value) if ok else value
        except OverflowError:  # an integer too large for a float: as out of range as inf
            value = math.inf
    elif expected == "str":
        ok = isinstance(value, str)
    else:  # pragma: no cover - a new field type needs a branch here
        raise TypeError(f"unsupported config type {expected} for {where}")
    if not ok:
        raise ConfigError(f"{where}: expected {expected}, got {value!r}")
    # nan compares false with every bound, so it would pass both checks below.
    if expected == "float" and not math.isfinite(value):
        raise ConfigError(f"{where}: {value!r} is not a finite number")
    if expected == "str":
        _check_no_nul(where, value)
    if meta.get("min") is not None and value < meta["min"]:
        raise ConfigError(f"{where}: {value!r} is below the minimum {meta['min']}")
    if meta.get("max") is not None and value > meta["max"]:
        raise ConfigError(f"{where}: {value!r} is above the maximum {meta['max']}")
    if meta.get("choices") and value not in meta["choices"]:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(meta['choices'])}")
    return value


def _check_no_nul(where: str, *values: str) -> None:
    # No setting can hold one, and a path with one would fail only when it is opened.
    if any("\x00" in value for value in values):
        raise ConfigError(f"{where}: contains a NUL character")


def _build(default: Any, data: dict[str, Any], origin: str, table: str) -> Any:
    """`default` (a config dataclass instance) with the keys of `data` validated and applied;
    sub-tables recurse, so `[cues.staring]` starts from the staring cue's own defaults."""
    fields = {f.name: f for f in dataclasses.fields(default)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{origin}: [{table}] {_shown(key)}"
        if key not in fields:
            raise ConfigError(f"{where}: unknown key{_did_you_mean(key, list(fields))}")
        current = getattr(default, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table [{table}.{key}]")
            values[key] = _build(current, value, origin, f"{table}.{key}")
        else:
            values[key] = _check_value(where, fields[key], value)
            retired = fields[key].metadata.get("retired")
            if retired:
                log.warning("%s is retired and has no effect: %s", where, retired)
    try:
        return dataclasses.replace(default, **values)
    except ConfigError as exc:  # a section's own cross-key checks, which cannot name the file
        raise ConfigError(f"{origin}: {exc}") from None


def config_from_dict(data: dict[str, Any], origin: str = "config") -> Config:
    """Validate a parsed TOML document; raise ConfigError naming the first bad key."""
    defaults = Config()
    sections = [f.name for f in dataclasses.fields(Config)]
    built: dict[str, Any] = {}
    for section_name, section_data in data.items():
        if section_name not in sections:
            hint = _did_you_mean(section_name, sections)
            raise ConfigError(f"{origin}: [{_shown(section_name)}]: unknown section{hint}")
        if not isinstance(section_data, dict):
            raise ConfigError(f"{origin}: {section_name}: expected a [{section_name}] table")
        built[section_name] = _build(
            getattr(defaults, section_name), section_data, origin, section_name
        )
    config = dataclasses.replace(defaults, **built)
    _check_pin_conflicts(config, origin)
    _check_service(config, origin)
    _check_agent_zone(config, origin)
    return config


def _check_agent_zone(config: Config, origin: str) -> None:
    tracker = config.tracker
    for low, high in (("left", "right"), ("top", "bottom")):
        a, b = getattr(tracker, f"agent_zone_{low}"), getattr(tracker, f"agent_zone_{high}")
        if a >= b:
            raise ConfigError(
                f"{origin}: [tracker] agent_zone_{low} ({a}) must be less than "
                f"agent_zone_{high} ({b})"
            )


def _minutes(hhmm: str) -> int | None:
    hours, minutes = int(hhmm[:2]), int(hhmm[3:])
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None


def _check_service(config: Config, origin: str) -> None:
    for key in ("name", "site"):
        value = getattr(config.counter, key)
        if not _NAME.fullmatch(value):  # not match(): "$" would let a trailing newline in
            raise ConfigError(
                f"{origin}: [counter] {key}: {value!r} must be 1-64 letters, digits, '-', '_' "
                "or '.', starting with a letter or digit"
            )
    names: set[str] = set()
    for entry in config.shifts.schedule:
        match = SHIFT_PATTERN.match(entry)
        where = f"{origin}: [shifts] schedule: {entry!r}"
        if match is None:
            raise ConfigError(f'{where}: expected "NAME HH:MM-HH:MM", e.g. "early 06:00-14:00"')
        start, end = _minutes(match["start"]), _minutes(match["end"])
        if start is None or end is None or start == end:
            raise ConfigError(f"{where}: not a valid time span")
        if match["name"] in names or match["name"] == "off-shift":
            raise ConfigError(f"{where}: the name {match['name']!r} is used twice or reserved")
        names.add(match["name"])
    for entry in config.dashboard.metrics_allow:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"{origin}: [dashboard] metrics_allow: {entry!r} is not an address or network"
            ) from None


def gpio_users(config: Config) -> dict[tuple[int, ...], list[str]]:
    """Every pin group the configuration would open, with the settings that name it."""
    users: dict[tuple[int, ...], list[str]] = {}

    def use(pins: tuple[int, ...], name: str) -> None:
        if pins:
            users.setdefault(pins, []).append(name)

    for f in dataclasses.fields(config.cues):
        cue: CueConfig = getattr(config.cues, f.name)
        if cue.enabled:
            use(cue.pins, f"[cues.{f.name}] pins")
    use(config.leds.status_pins, "[leds] status_pins")
    if config.pause.enabled:
        use((config.pause.pin,), "[pause] pin")
    presence = config.presence
    if presence.source == "distance":
        use((presence.echo_pin,), "[presence] echo_pin")
        use((presence.trigger_pin,), "[presence] trigger_pin")
    elif presence.source in ("pir", "button"):
        use((presence.sensor_pin,), "[presence] sensor_pin")
    return users


def _check_pin_conflicts(config: Config, origin: str) -> None:
    """Cues may share an LED (the same pins); no pin may belong to two different devices."""
    owner: dict[int, str] = {}
    for pins, names in gpio_users(config).items():
        devices = [n for n in names if not n.startswith("[cues.")]
        if any(n.startswith("[cues.") for n in names):
            devices.insert(0, next(n for n in names if n.startswith("[cues.")))
        if len(devices) > 1:
            raise ConfigError(f"{origin}: {devices[0]} and {devices[1]} both use GPIO{pins[0]}")
        for pin in pins:
            if pin in owner:
                raise ConfigError(f"{origin}: {devices[0]} and {owner[pin]} both use GPIO{pin}")
            owner[pin] = devices[0]


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
    except ValueError:  # tomllib's int() of a number longer than Python reads
        raise ConfigError(
            f"{path}: not valid TOML: a number has more than {sys.get_int_max_str_digits()} digits"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
    return config_from_dict(data, origin=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
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


def _table(name: str, doc: str, value: Any) -> list[str]:
    out = [*_comment(doc), f"[{name}]"]
    tables = []
    for f in dataclasses.fields(value):
        current = getattr(value, f.name)
        if dataclasses.is_dataclass(current):
            tables.append((f"{name}.{f.name}", f.metadata["doc"], current))
            continue
        if f.metadata.get("retired"):
            continue  # still read from old files (with a warning), never offered
        out += _comment(f.metadata["doc"])
        out.append(f"{f.name} = {_toml_value(current)}")
    out.append("")
    for table in tables:
        out += _table(*table)
    return out


def default_toml(config: Config | None = None) -> str:
    """The full configuration as commented TOML: the defaults, or `config` (what a file gives,
    with the defaults for the keys it leaves out); it parses back to the same Config."""
    if config is None:
        header = "# counter-kiosk configuration. Every key is optional; these are the defaults."
        config = Config()
    else:
        header = "# counter-kiosk configuration in effect: the file's keys, the defaults elsewhere."
    out = [header, ""]
    for f in dataclasses.fields(Config):
        out += _table(f.name, SECTION_DOCS[f.name], getattr(config, f.name))
    return "\n".join(out)
