"""Helpers for the dashboard tests: a config in a temporary folder, the form's CSRF token, a
logged-in session without paying for scrypt, and a status that reads as live."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from kiosk.config import Config, CounterConfig, DashboardConfig
from kiosk.dashboard.auth import password_stamp

PASSWORD = "correct horse battery staple"


def make_config(tmp_path: Path, **dashboard) -> Config:
    return dataclasses.replace(
        Config(),
        counter=CounterConfig(name="counter-1", site="site-1"),
        dashboard=DashboardConfig(secret_key_file=str(tmp_path / "secret_key"), **dashboard),
    )


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def log_in_directly(client, store, name: str = "ana") -> None:
    """The session a successful login leaves (the real login is tested in test_access)."""
    with client.session_transaction() as session:
        session["user"] = name
        session["stamp"] = password_stamp(store.user_password_hash(name))
        session["login_at"] = time.time()
        session["csrf_token"] = "csrf-" + name


def mark_live(db_path: Path, status: str = "tracking") -> None:
    """The sample's status was stored at fill time; after 15 s it reads as offline."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("UPDATE status SET updated_utc = ?, status = ?", (now, status))
    finally:
        conn.close()
