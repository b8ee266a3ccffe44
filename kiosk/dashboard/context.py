"""What every dashboard view needs from the app: the store, the config, this counter's name,
and a shift looked up by id with a 404 for one that does not exist or is another counter's."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app

# SQLite integers are signed 64-bit: a larger id in a URL is simply not a shift (not a 500).
MAX_ID = 2**63 - 1
# An error message repeats at most this much of a value sent: a 5,000-digit limit would bury
# the message (and the response would reflect whatever was sent, at any length).
MAX_ECHO = 40


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
        if shift_id > MAX_ID:  # up to 4300 digits: not worth repeating
            abort(404, "there is no shift with so large an id")
        abort(404, f"there is no shift {shift_id}")
    return shift


def echo(sent: str) -> str:
    """A value from the request, quoted, as an error message repeats it: its first MAX_ECHO
    characters and how long it was."""
    if len(sent) <= MAX_ECHO:
        return repr(sent)
    return f"{sent[:MAX_ECHO]!r}... ({len(sent)} characters)"
