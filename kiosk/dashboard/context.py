"""What every dashboard view needs from the app: the store, the config, this counter's name,
and a shift looked up by id with a 404 for one that does not exist or is another counter's."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app

# SQLite integers are signed 64-bit: a larger id in a URL is simply not a shift (not a 500).
MAX_ID = 2**63 - 1


def get_store() -> Any:
    return current_app.extensions["kiosk_store"]


def get_config() -> Any:
    return current_app.extensions["kiosk_config"]


def get_counter() -> str:
    """The dashboard shows the counter it is configured as (its own records)."""
    return get_config().counter.name


def load_shift(shift_id: int) -> dict:
    shift = get_store().shift(shift_id, get_counter()) if 0 < shift_id <= MAX_ID else None
    if shift is None:
        abort(404, f"there is no shift {shift_id}")
    return shift
