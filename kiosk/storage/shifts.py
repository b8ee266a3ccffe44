"""Which shift a moment belongs to, from `[shifts] schedule` in local time (or the local day).

Pure: the moment and the time zone are inputs, so a test can cross midnight and a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from kiosk.config.service import SHIFT_PATTERN

OFF_SHIFT = "off-shift"
DAY = "day"


@dataclass(frozen=True)
class ShiftSpan:
    name: str
    date: date  # the local date the shift starts
    start: datetime  # UTC
    end: datetime  # UTC, exclusive


@dataclass(frozen=True)
class _Entry:
    name: str
    start: time
    end: time


def _parse(entry: str) -> _Entry:
    match = SHIFT_PATTERN.match(entry)
    if match is None:  # the config loader has already refused it
        raise ValueError(f"bad shift {entry!r}")
    return _Entry(
        match["name"], time.fromisoformat(match["start"]), time.fromisoformat(match["end"])
    )


def _local(day: date, at: time, zone: tzinfo | None) -> datetime:
    """`at` on `day` in the zone (the system's local zone when None), as UTC: aware datetimes
    sharing one zone compare and subtract as wall-clock times, wrong across a DST change."""
    naive = datetime.combine(day, at)
    local = naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()
    return local.astimezone(UTC)


class ShiftSchedule:
    def __init__(self, schedule: tuple[str, ...], zone: tzinfo | None = None) -> None:
        self.entries = [_parse(entry) for entry in schedule]
        self.zone = zone

    def _spans(self, day: date) -> list[ShiftSpan]:
        spans = []
        for entry in self.entries:
            end_day = day + timedelta(days=1) if entry.end <= entry.start else day
            spans.append(
                ShiftSpan(
                    entry.name,
                    day,
                    _local(day, entry.start, self.zone),
                    _local(end_day, entry.end, self.zone),
                )
            )
        return spans

    def shift_at(self, when: datetime) -> ShiftSpan:
        """The shift `when` (aware) falls in: a scheduled one, the time between two (off-shift),
        or the local day when no schedule is set."""
        local = when.astimezone(self.zone) if self.zone is not None else when.astimezone()
        day = local.date()
        if not self.entries:
            next_day = day + timedelta(days=1)
            return ShiftSpan(
                DAY, day, _local(day, time(), self.zone), _local(next_day, time(), self.zone)
            )
        candidates = self._spans(day - timedelta(days=1)) + self._spans(day)
        for span in candidates:
            if span.start <= when < span.end:
                return span
        # Off shift: from the latest scheduled end before `when` to the next start after it.
        around = candidates + self._spans(day + timedelta(days=1))
        start = max(
            (s.end for s in around if s.end <= when), default=_local(day, time(), self.zone)
        )
        end = min((s.start for s in around if s.start > when), default=start + timedelta(days=1))
        start_local = start.astimezone(self.zone) if self.zone is not None else start.astimezone()
        return ShiftSpan(OFF_SHIFT, start_local.date(), start, end)
