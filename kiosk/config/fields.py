"""How a config key is declared: its default, one line of documentation and its bounds."""

from __future__ import annotations

from dataclasses import field
from typing import Any


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


def nested(factory: Any, doc: str) -> Any:
    """A sub-table (`[section.name]`) whose defaults come from `factory()`."""
    return field(default_factory=factory, metadata={"doc": doc})
