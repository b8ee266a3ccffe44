"""DashboardServer: waitress on a real socket, its URL, a port in use as one clear error, and a
stop that returns promptly even with a browser's connection still open."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest
from flask import Flask

from kiosk.dashboard.server import DashboardServer
from kiosk.errors import ServeError


@pytest.fixture
def tiny_app():
    app = Flask("tiny")
    app.get("/healthz")(lambda: {"ok": True})
    return app


def test_the_server_answers_on_the_port_it_was_given_and_stops_within_a_second(tiny_app, caplog):
    server = DashboardServer(tiny_app, "127.0.0.1", 0)
    server.start()
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server.port > 0
    with urllib.request.urlopen(server.url + "healthz", timeout=5) as response:
        assert response.read() == b'{"ok":true}\n'
    # A keep-alive connection left open, as a browser does.
    idle = socket.create_connection(("127.0.0.1", server.port))
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    # a clean stop says nothing (waitress's "unhandled close event" once came out at Ctrl-C)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []


def test_listening_everywhere_gives_a_local_url(tiny_app):
    server = DashboardServer(tiny_app, "0.0.0.0", 0)
    try:
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.stop()


def test_a_port_in_use_is_one_clear_serve_error(tiny_app):
    first = DashboardServer(tiny_app, "127.0.0.1", 0)
    try:
        with pytest.raises(ServeError, match=rf"127\.0\.0\.1:{first.port}: .*in use.*port"):
            DashboardServer(tiny_app, "127.0.0.1", first.port)
    finally:
        first.stop()


@pytest.mark.parametrize("host", ["no-such-host.invalid", "10.255.255.1"])
def test_a_host_that_is_not_this_machine_is_one_clear_serve_error(tiny_app, host):
    with pytest.raises(ServeError, match=f"cannot serve the dashboard on {host}:0"):
        DashboardServer(tiny_app, host, 0)


def test_stop_before_start_and_twice_is_harmless(tiny_app):
    server = DashboardServer(tiny_app, "127.0.0.1", 0)
    server.stop()
    server.stop()


def _lan_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_bound_to_one_interface_it_cannot_be_reached_on_another(tiny_app):
    """[dashboard] host = "127.0.0.1" keeps the dashboard off the LAN: the machine's own LAN
    address is refused while loopback answers."""
    lan = _lan_address()
    if lan is None:
        pytest.skip("this machine has no address besides loopback to try")
    server = DashboardServer(tiny_app, "127.0.0.1", 0)
    server.start()
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
        with pytest.raises(OSError):
            socket.create_connection((lan, server.port), timeout=2).close()
    finally:
        server.stop()
    # and bound to the LAN address, loopback is refused in turn
    server = DashboardServer(tiny_app, lan, 0)
    server.start()
    try:
        socket.create_connection((lan, server.port), timeout=2).close()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    finally:
        server.stop()
