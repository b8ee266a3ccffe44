"""`kiosk run` as a process: SIGTERM mid-interaction, exit codes, the --events file."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

from kiosk.storage.store import Store


def wait_for(predicate, proc, timeout_s=90.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_sigterm_mid_interaction_darkens_closes_and_writes_it_and_exits_0(tmp_path):
    events = tmp_path / "events.jsonl"
    config = tmp_path / "kiosk.toml"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config.write_text(
        f'[storage]\npath = "{tmp_path / "kiosk.db"}"\n'
        f'[dashboard]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
        f'secret_key_file = "{tmp_path / "secret_key"}"\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--config",
            str(config),
            "--source",
            "scene:stares",
            "--leds",
            "console",
            "--events",
            str(events),
            "--realtime",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the stare's nudge comes about 6.2 s into the scene, in real time
        wait_for(lambda: events.exists() and '"nudge"' in events.read_text(), proc)
        # [dashboard] enabled: the same process serves the dashboard while it runs
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
        time.sleep(0.5)
        sent_s = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        stopped_s = time.monotonic() - sent_s
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert stopped_s < 2.0  # the bound for a clean stop, with the interpreter's exit
    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["interaction_start", "nudge", "staring", "interaction"]
    interaction = records[-1]
    assert 2.0 <= interaction["start_s"] < interaction["end_s"] < 12.0
    assert interaction["summary"]["eye_contact"]["staring_bouts"] == 1
    assert set(interaction["summary"]) >= {"eye_contact", "facing", "lean", "nods", "events"}
    lines = out.splitlines()
    lit = next(i for i, line in enumerate(lines) if "LED GPIO17" in line and "staring" in line)
    # after the cue lit, the last word on each LED is "off": the kiosk leaves nothing lit
    assert any("LED GPIO17" in line and line.endswith("off") for line in lines[lit:])
    assert lines[-2].endswith("status: off") and lines[-1].startswith("run: ")
    # the database got the interaction that SIGTERM closed, written before the process ended
    (stored,) = Store.open(tmp_path / "kiosk.db").interactions(datetime(2000, 1, 1, tzinfo=UTC))
    assert stored["end_s"] == interaction["end_s"] and stored["staring_bouts"] == 1
