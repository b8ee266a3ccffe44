"""`kiosk calibrate suggest-thresholds`: per-site settings proposed from the shift database's
numbers (interactions, minutes, nudges), each with its reason; conservative, one notch a run.

Read only: the database is opened with SQLite's `mode=ro`, never migrated or written, and no
file is left beside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sqlite3
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.calibrate.result import Calibration
from kiosk.config import Config
from kiosk.config.fields import setting_bounds
from kiosk.errors import StorageError
from kiosk.storage.rows import iso
from kiosk.storage.schema import VERSION

log = logging.getLogger(__name__)

MIN_INTERACTIONS = 20  # nothing is proposed from fewer
NUDGES_PER_HOUR_HIGH = 3.0  # per hour of customer time (in interactions)
RAISE_AT_MOST = 1.5  # a spacing is raised by at most half again per run
MIN_INTERVAL_FLOOR_S = 20.0  # about one cue in 20 s is what people tolerate: never below
# Past two minutes between nudges most interactions get one at most: stop and look instead.
MIN_INTERVAL_CEILING_S = 120.0
EYE_CONTACT_LOW, EYE_CONTACT_HIGH = 0.2, 0.95
SLOW_GREETING_FACTOR = 1.5  # a median greeting this many times the limit is "well above" it
MOST = 0.5  # a fault in more than this share of interactions fires in most of them

# A fault that fires in most interactions gets its minimum time up one notch: the behaviour
# must last longer before it counts. Geometry (angles, cm) is left to the measuring steps.
# Slow greetings are kept (the greeting rule says why); pointing at the face is never tuned.
FAULT_NOTCHES: dict[str, tuple[str, str, float]] = {
    "staring": ("eye_contact", "stare_limit_s", 1.0),
    "no_look": ("eye_contact", "no_look_limit_s", 2.0),
    "head_only_turn": ("facing", "head_only_min_s", 0.5),
    "turned_away": ("impatience", "turn_away_min_s", 0.5),
    "leaning_back": ("impatience", "lean_back_min_s", 1.0),
    "impatient_nodding": ("nods", "continuous_limit_s", 1.0),
    "pointing": ("pointing", "min_hold_s", 0.2),
    "watch_checks": ("impatience", "watch_check_min_s", 0.2),
    "frown": ("expression", "frown_min_s", 1.0),
    "blank_stare": ("expression", "blank_stare_s", 2.0),
    "stiff": ("stiffness", "limit_s", 15.0),
    "wide_gesture": ("gestures", "wide_fault_s", 0.5),
    "hidden_hands": ("gestures", "hidden_min_s", 10.0),
}


@dataclass(frozen=True)
class Interaction:
    duration_s: float
    eye_contact_ratio: float | None
    greeting_s: float | None
    kinds: frozenset[str]  # the fault kinds among its events (pointing at the face apart)


@dataclass(frozen=True)
class Records:
    counter: str
    since: datetime
    interactions: list[Interaction]
    days: int  # local days (shift dates) with an interaction
    nudges_by_cue: dict[str, int]
    slow_greetings: int
    expression_frames: int
    frown_frames: int
    smile_frames: int
    other_counters: tuple[str, ...]  # in the database, when this one has no interaction

    @property
    def customer_h(self) -> float:
        return sum(i.duration_s for i in self.interactions) / 3600.0


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise StorageError(
            f"{path}: no shift database there: check [storage] path (kiosk run creates it and "
            "records into it; run it for a few days first)"
        )
    # With no -wal file beside it no kiosk has the database open, and reading it as immutable
    # leaves no -wal or -shm behind: made by root (sudo), those would lock the service out.
    # A kiosk writing it (a -wal file there) is read through its WAL, as `kiosk serve` does.
    live = path.with_name(path.name + "-wal").exists()
    try:
        query = "mode=ro" if live else "mode=ro&immutable=1"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: cannot read the shift database ({exc})") from None
    if version != VERSION:
        conn.close()
        newer = version > VERSION
        raise StorageError(
            f"{path}: schema version {version}, this kiosk reads {VERSION}: "
            + ("upgrade the kiosk" if newer else "kiosk run or kiosk serve migrates it on opening")
        )
    return conn


def _kinds(summary_json: str) -> frozenset[str]:
    try:
        events = json.loads(summary_json).get("events") or ()
    except (ValueError, AttributeError):
        return frozenset()
    kinds = set()
    for event in events:
        if not isinstance(event, dict):
            continue
        kind = event.get("kind")
        kinds.add("pointing_at_face" if kind == "pointing" and event.get("at_face") else kind)
    return frozenset(k for k in kinds if isinstance(k, str))


def read_records(path: str | Path, counter: str, since: datetime) -> Records:
    """The numbers of `counter` since `since` (aware) from the database at `path`."""
    path = Path(path)
    conn = _open_read_only(path)
    when = iso(since)
    try:
        rows = conn.execute(
            "SELECT i.duration_s, i.eye_contact_ratio, i.greeting_s, i.summary_json, s.date "
            "FROM interactions i JOIN shifts s ON s.id = i.shift_id "
            "WHERE i.counter = ? AND i.start_utc >= ? ORDER BY i.start_utc",
            (counter, when),
        ).fetchall()
        nudges = conn.execute(
            "SELECT cue, COUNT(*) FROM nudges WHERE counter = ? AND t_utc >= ? GROUP BY cue",
            (counter, when),
        ).fetchall()
        slow = conn.execute(
            "SELECT COUNT(*) FROM events WHERE counter = ? AND t_utc >= ? "
            "AND kind = 'slow_greeting'",
            (counter, when),
        ).fetchone()[0]
        expression = conn.execute(
            "SELECT COALESCE(SUM(expression_frames), 0), COALESCE(SUM(frown_frames), 0), "
            "COALESCE(SUM(smile_frames), 0) FROM minutes WHERE counter = ? AND minute_utc >= ?",
            (counter, when),
        ).fetchone()
        others = () if rows else conn.execute("SELECT DISTINCT counter FROM shifts").fetchall()
    except sqlite3.Error as exc:
        raise StorageError(f"{path}: cannot read the shift database ({exc})") from None
    finally:
        conn.close()
    return Records(
        counter=counter,
        since=since,
        interactions=[
            Interaction(duration_s or 0.0, eye, greeting, _kinds(summary))
            for duration_s, eye, greeting, summary, _date in rows
        ],
        days=len({row[4] for row in rows}),
        nudges_by_cue=dict(nudges),
        slow_greetings=slow,
        expression_frames=expression[0],
        frown_frames=expression[1],
        smile_frames=expression[2],
        other_counters=tuple(sorted(c for (c,) in others if c != counter)),
    )


# --- the rules -------------------------------------------------------------------------------


def _section(config: Config, section: str) -> Any:
    obj: Any = config
    for part in section.split("."):
        obj = getattr(obj, part)
    return obj


def _up_to_5(value: float) -> float:
    return float(math.ceil(value / 5.0 - 1e-9) * 5)


class _Proposals:
    """Lines for people and the settings behind them; a proposal is clamped to the key's
    documented bounds, and one that changes nothing is said, not proposed."""

    def __init__(self, config: Config, *, allowed: bool) -> None:
        self.config = config
        self.allowed = allowed
        self.cal = Calibration()

    def say(self, line: str) -> None:
        self.cal.lines.append(line)

    def propose(self, section: str, key: str, value: float, reason: str) -> None:
        obj = _section(self.config, section)
        current = getattr(obj, key)
        low, high = setting_bounds(obj, key)
        value = round(value, 3)
        if high is not None and value > high:
            value = float(high)
        if low is not None and value < low:
            value = float(low)
        if not self.allowed:
            return
        if value == current:
            self.say(f"  [{section}] {key} stays {current:g}: it is already at its bound")
            return
        self.cal.set(section, key, value)
        self.say(f"  -> [{section}] {key} {current:g} -> {value:g}: {reason}")


def _nudge_rule(records: Records, out: _Proposals) -> None:
    config = out.config
    nudges = {cue: n for cue, n in records.nudges_by_cue.items() if cue != "well_done"}
    total = sum(nudges.values())
    hours = records.customer_h
    if hours <= 0:
        return
    rate = total / hours
    busiest = sorted(nudges.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ", ".join(f"{cue} {n}" for cue, n in busiest[:3])
    out.say(
        f"nudges: {total} in {hours:.1f} h with a customer, {rate:.1f} an hour"
        + (f" (most: {top})" if top else "")
    )
    if rate <= NUDGES_PER_HOUR_HIGH:
        out.say(f"  at most {NUDGES_PER_HOUR_HIGH:g} an hour: nothing to change")
        return
    factor = min(rate / NUDGES_PER_HOUR_HIGH, RAISE_AT_MOST)
    current = config.nudges.min_interval_s
    interval = max(MIN_INTERVAL_FLOOR_S, min(_up_to_5(current * factor), MIN_INTERVAL_CEILING_S))
    if interval > current:
        out.propose(
            "nudges",
            "min_interval_s",
            interval,
            f"above {NUDGES_PER_HOUR_HIGH:g} an hour an agent stops noticing them; nudges are "
            f"spaced further apart (at most x{RAISE_AT_MOST:g} a run, never below "
            f"{MIN_INTERVAL_FLOOR_S:g} s)",
        )
    elif current >= MIN_INTERVAL_CEILING_S and out.allowed:
        out.say(
            f"  [nudges] min_interval_s is already {current:g} s: look at which faults fire "
            "(below) rather than spacing nudges further"
        )
    # The busiest cue (every one tied for it: none is more to blame) waits longer.
    tied = sum(1 for _, n in busiest if n == busiest[0][1]) > 1
    for cue, n in busiest:
        if n < busiest[0][1]:
            break
        if not hasattr(config.cues, cue):
            continue
        cooldown = getattr(config.cues, cue).cooldown_s
        out.propose(
            f"cues.{cue}",
            "cooldown_s",
            max(_up_to_5(cooldown * factor), cooldown + 5.0),
            f"{cue} is {'one of ' if tied else ''}the busiest cue{'s' if tied else ''} "
            f"({n} of {total}): it waits longer before it nudges again",
        )


def _eye_contact_rule(records: Records, out: _Proposals) -> None:
    ratios = [i.eye_contact_ratio for i in records.interactions if i.eye_contact_ratio is not None]
    if not ratios:
        out.say("eye contact: not measured in these records")
        return
    median = statistics.median(ratios)
    text = f"eye contact: median ratio {median:.2f} over {len(ratios)} interactions"
    if median < EYE_CONTACT_LOW or median > EYE_CONTACT_HIGH:
        out.say(
            f"{text}, outside {EYE_CONTACT_LOW:g}..{EYE_CONTACT_HIGH:g}: the customer's direction "
            "is likely wrong for this counter, not the agent; re-run `kiosk calibrate "
            "customer-target` (no number is proposed from the records)"
        )
    else:
        out.say(f"{text}: plausible, the customer's direction needs no change")


def _greeting_rule(records: Records, out: _Proposals) -> None:
    limit_s = out.config.greeting.limit_s
    greetings = [i.greeting_s for i in records.interactions if i.greeting_s is not None]
    per_day = records.slow_greetings / max(1, records.days)
    slow = f"{records.slow_greetings} slow greetings, {per_day:.1f} a day"
    if not greetings:
        out.say(f"greeting: no greeting time in these records ({slow})")
        return
    median = statistics.median(greetings)
    text = f"greeting: median {median:.1f} s over {len(greetings)} interactions"
    if median > SLOW_GREETING_FACTOR * limit_s:
        out.say(
            f"{text}, well above [greeting] limit_s {limit_s:g} s ({slow}): keep the limit; a "
            "customer waits for that first look whatever the site, so this is one for the "
            "supervisor, not a setting"
        )
    else:
        out.say(f"{text}, [greeting] limit_s {limit_s:g} s ({slow}): nothing to change")


def _expression_report(records: Records, out: _Proposals) -> None:
    frames = records.expression_frames
    if not frames:
        out.say("expression: not measured in these minutes")
        return
    out.say(
        f"expression: frowning {records.frown_frames / frames:.0%}, smiling "
        f"{records.smile_frames / frames:.0%} of the frames with the face read: measured "
        "against the agent's own neutral face, nothing to tune"
    )


def _fault_rule(records: Records, out: _Proposals) -> None:
    n = len(records.interactions)
    counts = Counter(kind for i in records.interactions for kind in i.kinds)
    shares = {kind: counts[kind] / n for kind in FAULT_NOTCHES if counts[kind]}
    common = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    most = [(kind, share) for kind, share in common if share > MOST]
    if not most:
        listed = ", ".join(f"{kind} {share:.0%}" for kind, share in common[:3])
        out.say(
            "faults: none fires in most interactions"
            + (f" (the commonest: {listed})" if listed else "")
        )
        return
    for kind, share in most:
        section, key, notch = FAULT_NOTCHES[kind]
        current = getattr(_section(out.config, section), key)
        out.say(
            f"faults: {kind} in {counts[kind]} of {n} interactions ({share:.0%}): at this "
            "counter the setting, not the agent, may be what fires"
        )
        out.propose(
            section, key, current + notch, f"one notch (+{notch:g}): it must last longer to count"
        )


def propose(records: Records, config: Config, days: float) -> Calibration:
    """The lines and settings for `records` (pure: no database, no clock)."""
    n = len(records.interactions)
    allowed = n >= MIN_INTERACTIONS
    out = _Proposals(config, allowed=allowed)
    since = records.since.astimezone().strftime("%Y-%m-%d %H:%M")
    if n == 0:
        out.say(f"no interaction of counter {records.counter} since {since} (last {days:g} days)")
        if records.other_counters:
            out.say(
                f"the database has counters {', '.join(records.other_counters)}: is [counter] "
                "name right?"
            )
        return out.cal
    out.say(
        f"counter {records.counter} since {since} (last {days:g} days): {n} interactions on "
        f"{records.days} days, {records.customer_h:.1f} h with a customer"
    )
    if not allowed:
        out.say(
            f"only {n} interactions: nothing is proposed from fewer than {MIN_INTERACTIONS}; "
            "run again after more shifts (or with more --days)"
        )
    _nudge_rule(records, out)
    _eye_contact_rule(records, out)
    _greeting_rule(records, out)
    _expression_report(records, out)
    _fault_rule(records, out)
    return out.cal


def suggest_thresholds(
    config: Config,
    args: argparse.Namespace,
    *,
    say: Callable[[str], None],
    now: datetime | None = None,
) -> Calibration:
    """Propose per-site settings from the last `args.days` days of [storage] path's records of
    this counter ([counter] name); see the module's constants for each rule's numbers."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=args.days)
    say(f"reading {config.storage.path} (read only)")
    records = read_records(config.storage.path, config.counter.name, since)
    return propose(records, config, args.days)
