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
