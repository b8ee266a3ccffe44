"""The supervisors' pages (Today, Shifts, one shift), its CSV export, and how numbers are
written on them, in the words of the guidance."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, render_template

from kiosk.dashboard.context import get_counter, get_store, load_shift
from kiosk.storage.store import INTERACTION_COLUMNS

bp = Blueprint("pages", __name__)

STATUS_LABELS = {
    "tracking": "Tracking",
    "no_customer": "No customer",
    "paused": "Paused (privacy)",
    "camera_fault": "Camera fault",
    "starting": "Starting",
    "stopped": "Stopped",
    "offline": "Offline",
    "unknown": "No records yet",
}
CUE_LABELS = {
    "no_eye_contact": "No eye contact",
    "staring": "Staring",
    "pointing": "Pointing",
    "pointing_at_face": "Pointing at the face",
    "impatient_nodding": "Impatient nodding",
    "not_facing": "Not facing the customer",
    "head_only_turn": "Head-only turn",
    "leaning_back": "Leaning back",
    "slow_greeting": "Slow greeting",
    "frown": "Frowning",
    "blank_stare": "Blank stare",
    "stiff": "Stiff",
    "wide_gesture": "Wide gesture",
    "well_done": "Well done",
}


@bp.get("/")
def today():
    status = get_store().status(get_counter())
    return render_template("today.html", status=status)


@bp.get("/shifts")
def shifts():
    return render_template("shifts.html", shifts=get_store().shifts(get_counter()))


@bp.get("/shifts/<int:shift_id>")
def shift(shift_id: int):
    return render_template("shift.html", record=load_shift(shift_id))


@bp.get("/shifts/<int:shift_id>.csv")
def shift_csv(shift_id: int):
    record = load_shift(shift_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INTERACTION_COLUMNS)
    for row in record["interactions"]:
        writer.writerow(_csv_value(row.get(key)) for key in INTERACTION_COLUMNS)
    info = record["shift"]
    filename = f"{info['counter']}-{info['date']}-{info['name']}-shift-{shift_id}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_safe_filename(filename)}"'},
    )


def _csv_value(value: object) -> object:
    """Nothing measured is an empty cell; a yes or no (hidden hands) is 1 or 0, as stored."""
    if value is None:
        return ""
    return int(value) if isinstance(value, bool) else value


def _safe_filename(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


@bp.app_template_filter("percent")
def percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio * 100:.0f} %"


@bp.app_template_filter("number")
def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@bp.app_template_filter("seconds")
def seconds(value: float | None) -> str:
    """A short time to a tenth of a second (a greeting), where `duration` would round it."""
    return "–" if value is None else f"{value:.1f} s"


@bp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole_s = round(seconds)
    if whole_s < 60:
        return f"{whole_s} s"
    if whole_s < 3600:
        return f"{whole_s // 60} min {whole_s % 60:02d} s"
    return f"{whole_s // 3600} h {whole_s % 3600 // 60:02d} min"


@bp.app_template_filter("clock")
def clock(iso: str | None, seconds: bool = False) -> str:
    """A stored UTC time as this kiosk's local wall-clock time."""
    if not iso:
        return "–"
    local = datetime.fromisoformat(iso).astimezone()
    return local.strftime("%H:%M:%S" if seconds else "%H:%M")


@bp.app_template_filter("local_time")
def local_time(iso: str | None) -> str:
    if not iso:
        return "–"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


@bp.app_template_filter("cue")
def cue_label(cue: str) -> str:
    return CUE_LABELS.get(cue, cue.replace("_", " ").capitalize())


@bp.app_template_filter("status")
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


@bp.app_context_processor
def labels() -> dict:
    return {"status_labels": STATUS_LABELS, "cue_labels": CUE_LABELS}
