"""Pure conversions from the live loop's records to database rows: wall-clock times, minutes,
and an interaction summary's metrics as flat columns. No clock, no file, no SQL here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.signals.events import NOT_FAULT_KINDS

# The interaction keys of the API and the CSV export, in column order ("summary" aside).
INTERACTION_COLUMNS = (
    "id",
    "counter",
    "shift_id",
    "start",
    "end",
    "start_s",
    "end_s",
    "duration_s",
    "nudges",
    "faults",
    "frames",
    "fps",
    "face_visible_ratio",
    "eye_contact_ratio",
    "longest_gaze_s",
    "staring_bouts",
    "no_look_spells",
    "facing_ratio",
    "head_only_turns",
    "lean_forward_ratio",
    "lean_back_ratio",
    "nods",
    "nods_per_min",
    "impatient_bouts",
    "pointing_events",
    "pointing_at_face",
    "open_palm_events",
    # Schema version 3 (issue 18): the greeting, the face's expression, gestures, stiffness.
    "greeting_s",
    "frown_ratio",
    "smile_ratio",
    "blank_stare_spells",
    "gesturing_ratio",
    "wide_gestures",
    "stiff_spells",
    "hidden_hands",
)

# The metric columns and where each one is in an interaction's summary object.
METRIC_PATHS: dict[str, tuple[str, ...]] = {
    "frames": ("frames",),
    "fps": ("fps",),
    "face_visible_ratio": ("face_visible_ratio",),
    "eye_contact_ratio": ("eye_contact", "ratio"),
    "longest_gaze_s": ("eye_contact", "longest_gaze_s"),
    "staring_bouts": ("eye_contact", "staring_bouts"),
    "no_look_spells": ("eye_contact", "no_look_spells"),
    "facing_ratio": ("facing", "ratio"),
    "head_only_turns": ("facing", "head_only_turns"),
    "lean_forward_ratio": ("lean", "forward_ratio"),
    "lean_back_ratio": ("lean", "back_ratio"),
    "nods": ("nods", "count"),
    "nods_per_min": ("nods", "per_minute"),
    "impatient_bouts": ("nods", "impatient_bouts"),
    "pointing_events": ("pointing", "events"),
    "pointing_at_face": ("pointing", "at_face"),
    "open_palm_events": ("pointing", "open_palm_events"),
    "greeting_s": ("greeting_s",),
    "frown_ratio": ("expression", "frown_ratio"),
    "smile_ratio": ("expression", "smile_ratio"),
    "blank_stare_spells": ("expression", "blank_stare_spells"),
    "gesturing_ratio": ("gestures", "gesturing_ratio"),
    "wide_gestures": ("gestures", "wide_gestures"),
    "stiff_spells": ("stiffness", "stiff_spells"),
    "hidden_hands": ("gestures", "hidden_hands"),
}
# Yes/no metrics: a bool in the summary, 0 or 1 in the database (None: not judged). Everywhere
# else a bool is not a number (a malformed `"count": true` is None, not 1).
FLAG_COLUMNS: frozenset[str] = frozenset({"hidden_hands"})


def _dig(summary: dict[str, Any], path: tuple[str, ...], *, flag: bool = False) -> Any:
    value: Any = summary
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if flag:
        return int(value) if isinstance(value, bool) else None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def interaction_metrics(summary: dict[str, Any], duration_s: float) -> dict[str, Any]:
    """The flat metric columns of one interaction (None where the summary has no number)."""
    metrics: dict[str, Any] = {"duration_s": round(max(0.0, duration_s), 3)}
    for column in METRIC_PATHS:
        metrics[column] = _dig(summary, METRIC_PATHS[column], flag=column in FLAG_COLUMNS)
    metrics["faults"] = sum(
        1 for e in summary.get("events", ()) if e.get("kind") not in NOT_FAULT_KINDS
    )
    return metrics


def iso(when: datetime) -> str:
    """The one timestamp format of the database and the API: UTC, milliseconds, sortable."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time from the API or the database; a time without a zone is taken as UTC."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def minute_of(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class WallClock:
    """Maps a run's frame times (`t_s`) to UTC wall-clock times.

    A live camera stamps frames with a monotonic clock: `anchor_t_s` is that clock's reading
    at `anchor`. A file or a scene is timed from the run's start: `anchor_t_s` is 0.
    """

    anchor: datetime
    anchor_t_s: float = 0.0

    def at(self, t_s: float) -> datetime:
        return self.anchor + timedelta(seconds=t_s - self.anchor_t_s)
