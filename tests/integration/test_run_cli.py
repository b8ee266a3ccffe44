"""`kiosk run` as a process: SIGTERM mid-interaction, exit codes, the --events file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time


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
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--source",
            "scene:stares",
            "--leds",
            "mock",
            "--events",
            str(events),
            "--realtime",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: events.exists() and "interaction_start" in events.read_text(), proc)
        time.sleep(1.0)
        sent_s = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        stopped_s = time.monotonic() - sent_s
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert stopped_s < 2.0  # the bound for a clean stop, with the interpreter's exit
    records = [json.loads(line) for line in events.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["interaction_start", "interaction"]
    interaction = records[-1]
    assert 2.0 <= interaction["start_s"] < interaction["end_s"] < 10.0
    assert interaction["summary"]["frames"] > 0
    assert set(interaction["summary"]) >= {"eye_contact", "facing", "lean", "nods", "events"}
    assert out.startswith("run: ")
