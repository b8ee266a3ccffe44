"""How a config key is declared: its default, one line of documentation and its bounds."""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any


def setting(
    default: Any,
    doc: str,
    *,
    min: float | None = None,
    max: float | None = None,
    choices: tuple[str, ...] | None = None,
    retired: str | None = None,
) -> Any:
    """A config field with its documentation and bounds, used to validate and to print defaults.
    `retired`: the key no longer does anything; a file that sets it still loads, with a
    warning saying what replaced it (so an installed config keeps working)."""
    metadata = {"doc": doc, "min": min, "max": max, "choices": choices, "retired": retired}
    return field(default=default, metadata=metadata)


def nested(factory: Any, doc: str) -> Any:
    """A sub-table (`[section.name]`) whose defaults come from `factory()`."""
    return field(default_factory=factory, metadata={"doc": doc})


def setting_bounds(section: Any, key: str) -> tuple[float | None, float | None]:
    """The documented (min, max) of `key` in a config section object (None: unbounded)."""
    meta = next(f.metadata for f in fields(section) if f.name == key)
    return meta.get("min"), meta.get("max")
