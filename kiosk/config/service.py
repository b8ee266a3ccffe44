"""Configuration of what the kiosk keeps and serves: the counter's name, storage, shifts and
the supervisors' dashboard. Defaults follow the installed layout (`/var/lib/kiosk`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.config.fields import setting

DATA_DIR = "/var/lib/kiosk"
# [0-9], not \d: \d also matches other scripts' digits, which time.fromisoformat() refuses.
SHIFT_PATTERN = re.compile(
    r"^\s*(?P<name>[\w-]+)\s+(?P<start>[0-9]{2}:[0-9]{2})\s*-\s*(?P<end>[0-9]{2}:[0-9]{2})\s*$"
)


@dataclass(frozen=True)
class CounterConfig:
    name: str = setting(
        "counter-1",
        "This counter's name, stored with every record so that several kiosks' records can be "
        "told apart (letters, digits, '-', '_' and '.').",
    )
    site: str = setting(
        "site-1", "The site (branch, hotel, clinic) this counter belongs to; same characters."
    )


@dataclass(frozen=True)
class StorageConfig:
    enabled: bool = setting(
        True, "kiosk run records shifts, interactions, nudges and pauses in the database."
    )
    path: str = setting(
        DATA_DIR + "/kiosk.db",
        "The SQLite database (numbers only: never an image or a landmark). kiosk run writes "
        "it; kiosk serve reads it at the same time.",
    )
    retention_days: int = setting(
        365,
        "Records older than this many days are deleted (checked at start and every hour).",
        min=1,
        max=36500,
    )
    flush_s: float = setting(
        1.0,
        "Records are written in batches off the frame loop this often: a crash or power cut "
        "loses at most this much.",
        min=0.1,
        max=10.0,
    )


@dataclass(frozen=True)
class ShiftsConfig:
    schedule: tuple[str, ...] = setting(
        (),
        'The shifts of a day in local time, e.g. ["early 06:00-14:00", "late 14:00-22:00"] '
        '(a shift may run past midnight: "night 22:00-06:00"). Empty: each local day is one '
        'shift. Time outside every shift is recorded in an "off-shift" shift.',
    )


@dataclass(frozen=True)
class DashboardConfig:
    enabled: bool = setting(
        False,
        "kiosk run also serves the dashboard from its own process; false: run kiosk serve "
        "(e.g. a second service) beside it, reading the same database.",
    )
    host: str = setting(
        "0.0.0.0",
        "The interface the dashboard listens on: 0.0.0.0 for the whole LAN, 127.0.0.1 for "
        "this machine only, or one interface's address.",
    )
    port: int = setting(8080, "The dashboard's TCP port.", min=1, max=65535)
    secret_key_file: str = setting(
        DATA_DIR + "/secret_key",
        "Signs login sessions; created once (mode 0600) if missing. Keep it private.",
    )
    cookie_secure: bool = setting(
        False,
        "Send the session cookie over HTTPS only: set it when a TLS proxy sits in front; a "
        "plain-HTTP LAN dashboard needs false to log in at all.",
    )
    session_hours: float = setting(
        12.0, "A login lasts this long (about one shift).", min=0.1, max=720.0
    )
    login_attempts: int = setting(
        5,
        "Failed logins allowed per address and per user name in login_window_s; then refused "
        "until the window has passed.",
        min=1,
        max=1000,
    )
    login_window_s: float = setting(300.0, "See login_attempts.", min=1.0, max=86400.0)
    metrics_allow: tuple[str, ...] = setting(
        ("127.0.0.1", "::1"),
        'Addresses (or CIDR networks, e.g. "10.0.0.0/24") that may read /metrics without a '
        "login, for a Prometheus scraper; others need a login or an API token.",
    )
