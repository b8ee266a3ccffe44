"""Power cut: a process writing the database is killed with SIGKILL mid-stream. The file opens
intact and holds everything recorded up to about one flush interval before the kill."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

from kiosk.storage.store import Store

CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from types import SimpleNamespace
    from kiosk.storage.recorder import Recorder
    from kiosk.storage.rows import WallClock
    from kiosk.storage.shifts import ShiftSchedule
    from kiosk.storage.writer import StoreWriter

    wall = WallClock(datetime.now(UTC), time.monotonic())
    recorder = Recorder(counter="c",
                        schedule=ShiftSchedule(()), wall=wall)
    writer = StoreWriter(sys.argv[1], recorder, site="s", source="test", retention_days=30,
                         flush_s=1.0)
    signals = SimpleNamespace(gaze_on_customer=True, facing=True, lean_posture="upright", nod=False,
                              expression="neutral", gesturing=False, events=())
    step = SimpleNamespace(customer=True, measuring=True, cue=None,
                           frame=SimpleNamespace(signals=signals))
    print("ready", flush=True)
    i = 0
    while True:
        t_s = time.monotonic()
        recorder.record({"kind": "nudge", "cue": "staring", "t_s": t_s, "reason": str(i)})
        recorder.frame(t_s, step)
        i += 1
        time.sleep(0.004)
    """
)


def test_sigkill_loses_at_most_the_last_second_and_never_corrupts_the_file(tmp_path):
    path = tmp_path / "k.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(2.6)  # two flushes done, the third a little over half way
        killed_s = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT t_s, reason FROM nudges ORDER BY id").fetchall()
    reasons = [int(reason) for _, reason in rows]
    assert reasons == list(range(len(reasons)))  # nothing lost in the middle
    last_s = rows[-1][0]
    assert killed_s - last_s <= 1.0 + 0.3  # one flush interval, and a batch being committed
    frames = conn.execute("SELECT SUM(frames) FROM minutes").fetchone()[0]
    assert frames == len(rows)  # each batch commits its nudges and minutes together
    assert Store.open(path).status()["status"] == "starting"  # never said "stopped"
