"""What the kiosk publishes, as pure functions: topic names and the JSON of a status and of an
interaction summary (numbers only: never an image, a landmark or a file name)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.storage.rows import WallClock, interaction_metrics, iso

# The retained status the broker publishes for a kiosk that vanished without saying goodbye
# (MQTT's Last Will); fixed when connecting, so it cannot say since when.
OFFLINE = "offline"
WILL_PAYLOAD = json.dumps({"status": OFFLINE})


@dataclass(frozen=True)
class Identity:
    """Which kiosk publishes: `[counter] site` and `name`, and the kiosk's version."""

    site: str
    counter: str
    version: str


@dataclass(frozen=True)
class Topics:
    status: str
    interactions: str

    @classmethod
    def of(cls, prefix: str, identity: Identity) -> Topics:
        base = f"{prefix}/{identity.site}/{identity.counter}"
        return cls(status=f"{base}/status", interactions=f"{base}/interactions")


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, allow_nan=False, separators=(",", ":"))


def status_payload(
    identity: Identity, status: str, since: datetime | None, updated: datetime
) -> str:
    """The retained status: what the counter is doing, since when and as of when (UTC)."""
    return _dumps(
        {
            "status": status,
            "since": iso(since) if since is not None else None,
            "site": identity.site,
            "counter": identity.counter,
            "version": identity.version,
            "updated": iso(updated),
        }
    )


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def interaction_payload(
    record: dict[str, Any],
    wall: WallClock,
    identity: Identity,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> str:
    """One finished interaction (an `--events` "interaction" record) as its summary message.

    `id` is made once here and stored with the message, so every re-send of this interaction
    carries the same id and a consumer can drop duplicates. The metrics are the shift
    database's columns (the API's and the CSV export's names), flat numbers or null.
    """
    start_s, end_s = float(record["start_s"]), float(record["end_s"])
    metrics = interaction_metrics(record.get("summary") or {}, end_s - start_s)
    duration_s = metrics.pop("duration_s")
    return _dumps(
        {
            "id": new_id(),
            "site": identity.site,
            "counter": identity.counter,
            "start": iso(wall.at(start_s)),
            "end": iso(wall.at(end_s)),
            "duration_s": duration_s,
            "nudges": int(record.get("nudges") or 0),
            "summary": {key: _finite(value) for key, value in metrics.items()},
            "version": identity.version,
        }
    )
