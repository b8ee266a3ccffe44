"""`kiosk serve` and `kiosk demo` as processes: the dashboard over HTTP through waitress."""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from kiosk.dashboard.auth import new_token
from kiosk.storage.store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_until(proc, pattern: str, timeout_s: float = 120.0) -> re.Match:
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("ended early:\n" + "".join(seen) + proc.stderr.read()[-2000:])
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError("timed out:\n" + "".join(seen))


def get(url: str, headers=None, opener=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_answers_health_and_tokens_and_stops_on_sigterm(tmp_path):
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "kiosk.db"}"\n'
        f'[dashboard]\nhost = "127.0.0.1"\nport = {port}\n'
        f'secret_key_file = "{tmp_path / "secret_key"}"\n'
    )
    store = Store.open(tmp_path / "kiosk.db", create=True)
    token, token_hash = new_token()
    store.add_token("scraper", token_hash)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = read_until(proc, r"at (http://\S+)")[1].rstrip("/")
        assert get(url + "/healthz") == (200, '{"ok":true}\n')
        assert get(url + "/api/status")[0] == 401
        status, body = get(url + "/api/status", {"Authorization": f"Bearer {token}"})
        assert status == 200 and json.loads(body)["status"] == "unknown"
        assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()


def test_demo_prints_a_url_and_a_login_that_shows_the_scenes_shift_until_ctrl_c(tmp_path):
    config = tmp_path / "five_fps.toml"
    config.write_text(f"[camera]\nfps = 5\n[dashboard]\nport = {free_port()}\n")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "demo",
            "--fast",
            "--scene",
            "head_shakes",
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        login = read_until(proc, r"dashboard: (http://\S+)  \(user (\w+), password (\S+),")
        url, user, password = login[1].rstrip("/"), login[2], login[3]
        assert url.startswith("http://127.0.0.1:")
        read_until(proc, r"still serving")
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        assert get(url + "/api/shifts", opener=browser)[0] == 401
        page = get(url + "/login", opener=browser)[1]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        form = urllib.parse.urlencode(
            {"csrf_token": csrf, "username": user, "password": password, "next": "/"}
        ).encode()
        browser.open(urllib.request.Request(url + "/login", data=form), timeout=10)
        status, body = get(url + "/api/shifts", opener=browser)
        assert status == 200
        (shift,) = json.loads(body)["shifts"]
        assert shift["interactions"] == 1
        detail = json.loads(get(url + f"/api/shifts/{shift['id']}", opener=browser)[1])
        assert detail["summary"]["nods"] == 0  # head shakes are not nods
        assert sum(m["frames"] for m in detail["minutes"]) >= 70  # 15 s at 5 fps
        status = json.loads(get(url + "/api/status", opener=browser)[1])
        assert status["status"] == "stopped" and status["source"] == "scene:head_shakes"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        proc.kill()
