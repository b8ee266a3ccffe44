"""Faults injected into a whole `kiosk run` (real models, storage and the dashboard's API):
a camera missing at start is shown on /api/status and retried; SIGTERM while the models load
ends the process cleanly; an unreadable config is one line and exit 2."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from kiosk import app
from kiosk.cli import main
from kiosk.config import Config
from kiosk.dashboard import create_app
from kiosk.dashboard.auth import new_token
from kiosk.storage.store import Store


def _config(folder) -> Config:
    config = Config()
    return dataclasses.replace(
        config,
        camera=dataclasses.replace(config.camera, source="usb:63"),  # no such camera here
        tracker=dataclasses.replace(config.tracker, hands=False),
        storage=dataclasses.replace(config.storage, path=str(folder / "kiosk.db"), flush_s=0.2),
        dashboard=dataclasses.replace(
            config.dashboard, enabled=False, secret_key_file=str(folder / "key")
        ),
    )


def test_a_camera_missing_at_start_is_shown_on_api_status_and_the_run_ends_cleanly(tmp_path):
    config = _config(tmp_path)
    stop = threading.Event()
    done = {}

    def run():
        done["stats"] = app.run_kiosk(config, leds_backend="mock", stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 20.0
        status = None
        while time.monotonic() < deadline:
            if (tmp_path / "kiosk.db").exists():
                status = Store.open(tmp_path / "kiosk.db").status(config.counter.name)
                if status["status"] == "camera_fault":
                    break
            time.sleep(0.1)
        store = Store.open(tmp_path / "kiosk.db")
        token, token_hash = new_token()
        store.add_token("test", token_hash)
        client = create_app(store, config).test_client()
        reply = client.get("/api/status", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200 and reply.get_json()["status"] == "camera_fault"
    finally:
        stop.set()
        thread.join(timeout=30.0)
    assert not thread.is_alive()
    assert done["stats"].processed == 0
    final = Store.open(tmp_path / "kiosk.db").status(config.counter.name)
    assert final["status"] == "stopped"
    conn = sqlite3.connect(tmp_path / "kiosk.db")
    assert conn.execute("SELECT COUNT(*) FROM runs WHERE ended_utc IS NOT NULL").fetchone() == (1,)


def test_sigterm_while_the_models_load_ends_the_run_cleanly_with_exit_0(tmp_path):
    (tmp_path / "kiosk.toml").write_text(
        f'[storage]\npath = "{tmp_path / "kiosk.db"}"\n[dashboard]\nenabled = false\n'
        f'secret_key_file = "{tmp_path / "key"}"\n'
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "kiosk", "run", "--config", str(tmp_path / "kiosk.toml")),
            *("--source", "scene:attentive", "--leds", "mock", "--realtime"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    time.sleep(1.0)  # importing MediaPipe and building the models takes longer than this
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    assert out.startswith("run: ")
    if (tmp_path / "kiosk.db").exists():
        conn = sqlite3.connect(tmp_path / "kiosk.db")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_unreadable_config_is_one_line_and_exit_2(tmp_path, capsys):
    folder = tmp_path / "kiosk.toml"
    folder.mkdir()  # a folder where the file should be
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00[camera]\x00")
    for path in (folder, binary, tmp_path / "missing.toml"):
        assert main(["run", "--config", str(path), "--leds", "mock"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and str(path) in err and "Traceback" not in err
