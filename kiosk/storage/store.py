"""Reading the shift database for the dashboard and the API (and the CLI's user admin).

One `Store` is shared by every server thread: it keeps one SQLite connection per thread. Every
time it returns is an ISO 8601 UTC string (`rows.iso`); ratios are 0..1 or None.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.errors import StorageError
from kiosk.storage.db import connect
from kiosk.storage.rows import FLAG_COLUMNS, INTERACTION_COLUMNS, iso, parse_iso

__all__ = ["INTERACTION_COLUMNS", "OFFLINE_AFTER_S", "Store"]

OFFLINE_AFTER_S = 15.0  # the live loop writes its status every second while it runs

_RATIOS = (
    "eye_contact_ratio",
    "facing_ratio",
    "lean_forward_ratio",
    "lean_back_ratio",
    "frown_ratio",
    "smile_ratio",
    "gesturing_ratio",
)
_COUNTS = (
    "staring_bouts",
    "no_look_spells",
    "head_only_turns",
    "nods",
    "impatient_bouts",
    "pointing_events",
    "pointing_at_face",
    "open_palm_events",
)
# Issue 18's figures, in the shift list and the trends as well as a shift's summary: the mean
# greeting, the fault counts, and the interactions whose hands were never seen.
_CONDUCT_COUNTS = ("blank_stare_spells", "wide_gestures", "stiff_spells")
_CONDUCT = ", ".join(
    [
        "AVG(i.greeting_s) AS mean_greeting_s",
        *(f"COALESCE(SUM(i.{c}), 0) AS {c}" for c in _CONDUCT_COUNTS),
        "COALESCE(SUM(i.hidden_hands), 0) AS hidden_hands_interactions",
    ]
)
# A shift's ratio is its interactions' ratios weighted by their length.
_WEIGHTED = ", ".join(
    f"SUM(i.{r} * i.duration_s) / SUM(CASE WHEN i.{r} IS NOT NULL THEN i.duration_s END) AS {r}"
    for r in _RATIOS
)
_SUMS = ", ".join(f"COALESCE(SUM(i.{c}), 0) AS {c}" for c in _COUNTS)
_NODS_PER_MIN = (
    "SUM(i.nods) * 60.0 / SUM(CASE WHEN i.nods IS NOT NULL THEN i.duration_s END) AS nods_per_min"
)
_INTERACTION_SELECT = 'SELECT i.*, i.start_utc AS start, i.end_utc AS "end" FROM interactions i'


def _round(value: Any, digits: int = 3) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> Store:
        """Open (and migrate) the database; StorageError if it is missing or unusable."""
        store = cls(Path(path))
        store._conn(create=create)
        return store

    def _conn(self, *, create: bool = False) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, create=create)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _rows(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        try:
            rows = self._conn().execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot read the shift database: {exc}") from None
        return [{k: _round(row[k]) for k in row.keys()} for row in rows]  # noqa: SIM118

    def _write(self, sql: str, args: tuple | list = ()) -> int:
        conn = self._conn()
        try:
            return conn.execute(sql, args).rowcount
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot write the shift database: {exc}") from None

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def counters(self) -> list[str]:
        rows = self._rows(
            "SELECT counter FROM status UNION SELECT counter FROM shifts ORDER BY counter"
        )
        return [r["counter"] for r in rows]

    # -- status -----------------------------------------------------------------------------
    def status(self, counter: str | None = None, now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        if counter is None:
            rows = self._rows("SELECT * FROM status ORDER BY updated_utc DESC LIMIT 1")
        else:
            rows = self._rows("SELECT * FROM status WHERE counter = ?", (counter,))
        if not rows:
            return {
                "counter": counter,
                "site": None,
                "status": "unknown",
                "since": None,
                "updated": None,
                "source": None,
                "interaction": None,
                "cue": None,
                "nudges_last_hour": {"total": 0, "by_cue": {}},
                "shift": None,
                "counters": _counters({}),
            }
        row = rows[0]
        counter = row["counter"]
        status = row["status"]
        updated = parse_iso(row["updated_utc"])
        if status != "stopped" and (now - updated).total_seconds() > OFFLINE_AFTER_S:
            status = "offline"
        interaction = None
        if row["interaction_start_utc"] and status not in ("offline", "stopped"):
            start = parse_iso(row["interaction_start_utc"])
            elapsed = max(0.0, (now - start).total_seconds())
            interaction = {"start": row["interaction_start_utc"], "elapsed_s": round(elapsed, 1)}
        by_cue = {
            r["cue"]: r["n"]
            for r in self._rows(
                "SELECT cue, COUNT(*) AS n FROM nudges WHERE counter = ? AND t_utc >= ? "
                "GROUP BY cue ORDER BY n DESC, cue",
                (counter, iso(now - timedelta(hours=1))),
            )
        }
        shifts = self._rows(
            "SELECT id, name, date FROM shifts WHERE counter = ? AND start_utc <= ? "
            "AND end_utc > ? ORDER BY start_utc DESC LIMIT 1",
            (counter, iso(now), iso(now)),
        )
        return {
            "counter": counter,
            "site": row["site"],
            "status": status,
            "since": row["since_utc"],
            "updated": row["updated_utc"],
            "source": row["source"],
            "interaction": interaction,
            "cue": row["cue"] if status in ("tracking", "no_customer") else None,
            "nudges_last_hour": {"total": sum(by_cue.values()), "by_cue": by_cue},
            "shift": shifts[0] if shifts else None,
            "counters": _counters(json.loads(row["counters_json"])),
        }

    # -- shifts -----------------------------------------------------------------------------
    def _shift_items(self, where: str, args: tuple, limit: int) -> list[dict[str, Any]]:
        return self._rows(
            'SELECT s.id, s.counter, s.name, s.date, s.start_utc AS start, s.end_utc AS "end", '
            "COUNT(i.id) AS interactions, AVG(i.duration_s) AS mean_interaction_s, "
            f"{_WEIGHTED}, {_CONDUCT}, "
            "(SELECT COUNT(*) FROM nudges n WHERE n.shift_id = s.id) AS nudges, "
            "(SELECT COUNT(*) FROM events e WHERE e.shift_id = s.id AND e.kind = 'slow_greeting') "
            "AS slow_greetings "
            f"FROM shifts s LEFT JOIN interactions i ON i.shift_id = s.id WHERE {where} "
            "GROUP BY s.id ORDER BY s.start_utc DESC LIMIT ?",
            (*args, limit),
        )

    def shifts(self, counter: str | None = None, limit: int = 60) -> list[dict[str, Any]]:
        items = self._shift_items(
            "(? IS NULL OR s.counter = ?)", (counter, counter), max(1, min(limit, 1000))
        )
        return [_shift_item(item) for item in items]

    def shift(self, shift_id: int, counter: str | None = None) -> dict[str, Any] | None:
        """One shift's record; None when there is no such shift, or it is another counter's
        (a database may hold several counters' records)."""
        items = self._shift_items(
            "s.id = ? AND (? IS NULL OR s.counter = ?)", (shift_id, counter, counter), 1
        )
        if not items:
            return None
        totals = self._rows(
            f"SELECT COUNT(i.id) AS interactions, AVG(i.duration_s) AS mean_interaction_s, "
            f"{_WEIGHTED}, {_SUMS}, {_NODS_PER_MIN}, {_CONDUCT} "
            "FROM interactions i WHERE i.shift_id = ?",
            (shift_id,),
        )[0]
        summary = {k: _round(v) for k, v in totals.items()}
        summary["nods_per_min"] = _round(summary["nods_per_min"], 2)
        summary["mean_greeting_s"] = _round(summary["mean_greeting_s"], 2)
        summary["slow_greetings"] = items[0]["slow_greetings"]
        nudges = self._rows(
            "SELECT t_utc AS t, t_s, cue, reason FROM nudges WHERE shift_id = ? ORDER BY t_utc",
            (shift_id,),
        )
        by_cue: dict[str, int] = {}
        for nudge in nudges:
            by_cue[nudge["cue"]] = by_cue.get(nudge["cue"], 0) + 1
        pauses = self._rows(
            'SELECT start_utc AS start, end_utc AS "end", end_s - start_s AS duration_s '
            "FROM pauses WHERE shift_id = ? ORDER BY start_utc",
            (shift_id,),
        )
        faults = self._rows(
            'SELECT start_utc AS start, end_utc AS "end", down_s, error FROM camera_faults '
            "WHERE shift_id = ? ORDER BY id",
            (shift_id,),
        )
        summary |= {
            "nudges": len(nudges),
            "nudges_by_cue": dict(sorted(by_cue.items(), key=lambda kv: (-kv[1], kv[0]))),
            "pauses": len(pauses),
            "paused_s": round(float(sum(p["duration_s"] for p in pauses)), 1),
            "camera_faults": len(faults),
            "camera_down_s": round(float(sum(f["down_s"] for f in faults)), 1),
        }
        return {
            "shift": _shift_item(items[0]),
            "summary": summary,
            "minutes": [
                _minute(m)
                for m in self._rows(
                    "SELECT * FROM minutes WHERE shift_id = ? ORDER BY minute_utc", (shift_id,)
                )
            ],
            "interactions": self.shift_interactions(shift_id, summaries=False),
            "nudges": nudges,
            "pauses": [p | {"duration_s": round(p["duration_s"], 1)} for p in pauses],
            "camera_faults": faults,
        }

    def trends(
        self, counter: str | None = None, days: int = 30, today: date | None = None
    ) -> list[dict[str, Any]]:
        today = today or datetime.now().astimezone().date()
        first = (today - timedelta(days=max(1, days) - 1)).isoformat()
        rows = self._rows(
            "SELECT s.date, COUNT(DISTINCT s.id) AS shifts, COUNT(i.id) AS interactions, "
            f"AVG(i.duration_s) AS mean_interaction_s, {_WEIGHTED}, {_NODS_PER_MIN}, {_CONDUCT} "
            "FROM shifts s LEFT JOIN interactions i ON i.shift_id = s.id "
            "WHERE s.date >= ? AND (? IS NULL OR s.counter = ?) GROUP BY s.date ORDER BY s.date",
            (first, counter, counter),
        )
        nudges = {
            r["date"]: r["n"]
            for r in self._rows(
                "SELECT s.date, COUNT(n.id) AS n FROM shifts s JOIN nudges n ON n.shift_id = s.id "
                "WHERE s.date >= ? AND (? IS NULL OR s.counter = ?) GROUP BY s.date",
                (first, counter, counter),
            )
        }
        slow_greetings = {
            r["date"]: r["n"]
            for r in self._rows(
                "SELECT s.date, COUNT(e.id) AS n FROM shifts s JOIN events e ON e.shift_id = s.id "
                "WHERE e.kind = 'slow_greeting' AND s.date >= ? AND (? IS NULL OR s.counter = ?) "
                "GROUP BY s.date",
                (first, counter, counter),
            )
        }
        out = []
        for row in rows:
            row.pop("lean_back_ratio")
            row["nods_per_min"] = _round(row["nods_per_min"], 2)
            row["mean_greeting_s"] = _round(row["mean_greeting_s"], 2)
            out.append(
                row
                | {
                    "nudges": nudges.get(row["date"], 0),
                    "slow_greetings": slow_greetings.get(row["date"], 0),
                }
            )
        return out

    # -- interactions -----------------------------------------------------------------------
    def interactions(
        self, since: datetime, counter: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        rows = self._rows(
            f"{_INTERACTION_SELECT} WHERE i.start_utc >= ? AND (? IS NULL OR i.counter = ?) "
            "ORDER BY i.start_utc LIMIT ?",
            (iso(since), counter, counter, max(1, min(limit, 5000))),
        )
        return [_interaction(r) for r in rows]

    def shift_interactions(self, shift_id: int, *, summaries: bool = True) -> list[dict[str, Any]]:
        """A shift's interactions; `summaries` False leaves out (and never parses) each one's
        summary object, for views that show only the columns."""
        rows = self._rows(
            f"{_INTERACTION_SELECT} WHERE i.shift_id = ? ORDER BY i.start_utc", (shift_id,)
        )
        return [_interaction(r, summary=summaries) for r in rows]

    # -- users and tokens (the CLI's admin commands) ----------------------------------------
    def add_user(self, name: str, password_hash: str) -> None:
        self._write(
            "INSERT INTO users (name, password_hash, created_utc) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
            (name, password_hash, iso(datetime.now(UTC))),
        )

    def remove_user(self, name: str) -> bool:
        removed = self._write("DELETE FROM users WHERE name = ?", (name,)) > 0
        self.revoke_tokens(name)
        return removed

    def user_password_hash(self, name: str) -> str | None:
        rows = self._rows("SELECT password_hash FROM users WHERE name = ?", (name,))
        return rows[0]["password_hash"] if rows else None

    def users(self) -> list[str]:
        return [r["name"] for r in self._rows("SELECT name FROM users ORDER BY name")]

    def add_token(self, name: str, token_hash: str) -> None:
        self._write(
            "INSERT INTO tokens (name, token_hash, created_utc) VALUES (?, ?, ?)",
            (name, token_hash, iso(datetime.now(UTC))),
        )

    def token_owner(self, token_hash: str) -> str | None:
        rows = self._rows(
            "SELECT name FROM tokens WHERE token_hash = ? AND revoked_utc IS NULL", (token_hash,)
        )
        return rows[0]["name"] if rows else None

    def revoke_tokens(self, name: str) -> int:
        return self._write(
            "UPDATE tokens SET revoked_utc = ? WHERE name = ? AND revoked_utc IS NULL",
            (iso(datetime.now(UTC)), name),
        )


def _counters(raw: dict[str, Any]) -> dict[str, Any]:
    stage = raw.get("stage_ms") or {}
    return {
        "frames": int(raw.get("frames", 0)),
        "processed": int(raw.get("processed", 0)),
        "fps": raw.get("fps"),
        "stage_ms": {k: stage.get(k) for k in ("track", "signals", "rules")},
        "camera_faults": int(raw.get("camera_faults", 0)),
        "interactions": int(raw.get("interactions", 0)),
        "nudges_by_cue": dict(raw.get("nudges_by_cue", {})),
        "bad_frames": int(raw.get("bad_frames", 0)),
        "model_errors": int(raw.get("model_errors", 0)),
        # null without [mqtt]: summaries waiting for the broker, and whether it is reachable
        "mqtt_queued": raw.get("mqtt_queued"),
        "mqtt_connected": raw.get("mqtt_connected"),
    }


def _shift_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "counter": row["counter"],
        "name": row["name"],
        "date": row["date"],
        "start": row["start"],
        "end": row["end"],
        "interactions": row["interactions"],
        "mean_interaction_s": _round(row["mean_interaction_s"], 1),
        "eye_contact_ratio": _round(row["eye_contact_ratio"]),
        "facing_ratio": _round(row["facing_ratio"]),
        "nudges": row["nudges"],
        "mean_greeting_s": _round(row["mean_greeting_s"], 2),
        "slow_greetings": row["slow_greetings"],
        "frown_ratio": _round(row["frown_ratio"]),
        "smile_ratio": _round(row["smile_ratio"]),
        "blank_stare_spells": row["blank_stare_spells"],
        "gesturing_ratio": _round(row["gesturing_ratio"]),
        "wide_gestures": row["wide_gestures"],
        "stiff_spells": row["stiff_spells"],
        "hidden_hands_interactions": row["hidden_hands_interactions"],
    }


def _minute(row: dict[str, Any]) -> dict[str, Any]:
    active = row["frames"] - row["paused_frames"]
    return {
        "minute": row["minute_utc"],
        "frames": row["frames"],
        "customer_ratio": _ratio(row["customer_frames"], active),
        "eye_contact_ratio": _ratio(row["eye_contact_frames"], row["gaze_frames"]),
        "facing_ratio": _ratio(row["facing_frames"], row["body_frames"]),
        "lean_forward_ratio": _ratio(row["forward_frames"], row["lean_frames"]),
        "lean_back_ratio": _ratio(row["back_frames"], row["lean_frames"]),
        "nods": row["nods"],
        "pointing": row["pointing"],
        "nudges": row["nudges"],
        "paused_frames": row["paused_frames"],
        "frown_ratio": _ratio(row["frown_frames"], row["expression_frames"]),
        "smile_ratio": _ratio(row["smile_frames"], row["expression_frames"]),
        "gesturing_ratio": _ratio(row["gesturing_frames"], row["gesture_judged_frames"]),
        "slow_greetings": row["slow_greetings"],
        "frowns": row["frowns"],
        "blank_stares": row["blank_stares"],
        "stiff_spells": row["stiff_spells"],
        "wide_gestures": row["wide_gestures"],
        "hidden_hands": row["hidden_hands"],
    }


def _interaction(row: dict[str, Any], *, summary: bool = True) -> dict[str, Any]:
    out = {key: row[key] for key in INTERACTION_COLUMNS}
    for key in FLAG_COLUMNS:  # stored as 0/1, a yes or no in JSON as in the summary
        out[key] = None if out[key] is None else bool(out[key])
    if summary:
        out["summary"] = json.loads(row["summary_json"])
    return out
