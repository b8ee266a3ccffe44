"""The JSON API (the same records the pages show; the pages' scripts fetch it) and /healthz."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from flask import Blueprint, abort, jsonify, request

from kiosk.dashboard.context import echo, get_counter, get_store, load_shift

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
# An unencoded "+" in a query string arrives as a space: "...T08:00:00 01:00" means "+01:00".
_SPACE_OFFSET = re.compile(r"(T[\d:.]+) (\d\d(:?\d\d)?)$")

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    try:
        get_store().counters()
    except Exception as exc:  # any failure to read means "not healthy", never a traceback
        log.error("health check: the shift database cannot be read: %s", exc)
        return jsonify(ok=False), 503
    return jsonify(ok=True)


@bp.get("/api/status")
def status():
    return jsonify(get_store().status(get_counter()))


@bp.get("/api/shifts")
def shifts():
    store = get_store()
    counter = get_counter()
    return jsonify(counter=counter, shifts=store.shifts(counter), trends=store.trends(counter))


@bp.get("/api/shifts/<int:shift_id>")
def shift(shift_id: int):
    return jsonify(load_shift(shift_id))


@bp.get("/api/interactions")
def interactions():
    since = parse_since(request.args.get("since"))
    limit = parse_limit(request.args.get("limit"))
    rows = get_store().interactions(since, get_counter(), limit)
    return jsonify(since=since.isoformat(timespec="milliseconds"), interactions=rows)


def parse_since(raw: str | None) -> datetime:
    """An ISO 8601 time; one without a UTC offset is taken as UTC (echoed back as such)."""
    if not raw:
        abort(400, "since is required: an ISO 8601 time, e.g. since=2026-11-28T08:00:00Z")
    text = _SPACE_OFFSET.sub(r"\1+\2", raw.strip())
    try:
        since = datetime.fromisoformat(text)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        # Converting year 1 or 9999 with an offset overflows: still just a bad value.
        return since.astimezone(UTC)
    except (ValueError, OverflowError):
        abort(
            400,
            f"since={echo(raw)} is not an ISO 8601 time; e.g. 2026-11-28T08:00:00Z "
            "(write '+' in an offset as %2B)",
        )


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses. Their length is
    # checked before int(), which raises past 4300 digits: a longer number is out of range.
    digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
    if not 1 <= len(digits) <= len(str(MAX_LIMIT)) or int(digits) > MAX_LIMIT:
        abort(400, f"limit={echo(raw)} must be a whole number from 1 to {MAX_LIMIT}")
    return int(digits)
