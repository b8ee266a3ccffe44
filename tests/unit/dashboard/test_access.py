"""Who gets in: login, logout, CSRF, the login rate limit, API tokens, ended sessions, /metrics
by address, and the security headers on every response."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from dashboard_support import PASSWORD, csrf_from, log_in_directly, make_config

from kiosk.dashboard import create_app
from kiosk.dashboard.auth import hash_password, new_token

PAGES = ["/", "/shifts", "/shifts/1", "/shifts/1.csv"]
API = ["/api/status", "/api/shifts", "/api/shifts/1", "/api/interactions?since=2020-01-01"]
PAGES_WITH_QUERY = ["/shifts?x=1&y=2"]


def post_login(client, name="ana", password=PASSWORD, address="10.0.0.7", **extra):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    form = {"csrf_token": csrf_from(page.text), "username": name, "password": password, **extra}
    return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("path", PAGES + PAGES_WITH_QUERY)
def test_a_page_without_login_redirects_to_the_login_page_with_next(client, path):
    response = client.get(path)
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": [path]}


@pytest.mark.parametrize("path", [*API, "/metrics"])
def test_the_api_without_login_is_a_401_json_and_no_data(client, path):
    response = client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 401
    assert set(response.json) == {"error"}
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_an_unknown_path_without_login_reveals_nothing_but_the_login_page(client):
    assert client.get("/admin").headers["Location"].startswith("/login?next=")
    assert client.get("/api/nothing").status_code == 401


def test_healthz_login_page_and_static_files_are_open(client):
    assert client.get("/healthz").json == {"ok": True}
    assert client.get("/login").status_code == 200
    chart = client.get("/static/vendor/chartjs-4.5.1/chart.umd.min.js")
    assert chart.status_code == 200
    assert b"Chart.js v4.5.1" in chart.data[:200]


def test_logging_in_opens_the_pages_and_goes_to_the_asked_page(client):
    response = post_login(client, next="/shifts")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shifts"
    assert client.get("/shifts").status_code == 200
    assert client.get("/api/status").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_outside_this_site_is_ignored(client, target):
    response = post_login(client, next=target)
    assert response.headers["Location"] == "/"


def test_a_wrong_password_gives_the_form_again_with_a_message_and_no_session(client):
    response = post_login(client, password="wrong")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert 'name="password"' in response.text
    assert client.get("/api/status").status_code == 401


def test_the_sixth_failure_from_one_address_is_refused_with_429_another_address_is_not(client, app):
    limiter = app.extensions["kiosk_login_limiter"]
    assert limiter.attempts == 5
    for n in range(5):
        response = post_login(client, name=f"nobody{n}", password="x", address="10.0.0.9")
        assert response.status_code == 401
    refused = post_login(client, name="ana", address="10.0.0.9")
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text
    # The right password from the blocked address is still refused: no session was made.
    assert client.get("/api/status").status_code == 401
    assert post_login(client, name="ana", address="10.0.0.10").status_code == 302


def test_failures_against_one_user_name_block_it_from_every_address(client):
    for n in range(5):
        assert post_login(client, password="x", address=f"10.1.0.{n}").status_code == 401
    assert post_login(client, address="10.1.0.99").status_code == 429


# hmac.compare_digest refuses a str with non-ASCII characters (TypeError): still a forgery.
@pytest.mark.parametrize("token", [None, "", "forged-token", "\u00e9", "t\u2603ken"])
def test_a_login_without_the_form_token_is_a_400(client, token):
    client.get("/login")
    form = {"username": "ana", "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    response = client.post("/login", data=form)
    assert response.status_code == 400
    assert "security token" in response.text
    assert client.get("/api/status").status_code == 401


def test_a_token_from_another_browser_session_is_forged(app):
    first, second = app.test_client(), app.test_client()
    token = csrf_from(first.get("/login").text)
    second.get("/login")
    form = {"csrf_token": token, "username": "ana", "password": PASSWORD}
    assert second.post("/login", data=form).status_code == 400


def test_logout_is_a_post_with_the_token_and_ends_the_session(logged_in):
    token = csrf_from(logged_in.get("/").text)
    assert logged_in.get("/logout").status_code == 405
    assert logged_in.post("/logout").status_code == 400
    assert logged_in.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert logged_in.get("/api/status").status_code == 200
    response = logged_in.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert logged_in.get("/api/status").status_code == 401


def test_a_removed_users_session_stops_working_on_the_next_request(client, store):
    store.add_user("ben", hash_password("ben's password"))
    log_in_directly(client, store, "ben")
    assert client.get("/api/status").status_code == 200
    assert store.remove_user("ben")
    assert client.get("/api/status").status_code == 401
    assert client.get("/").status_code == 302


def test_a_changed_password_ends_the_old_sessions(client, store):
    store.add_user("cleo", hash_password("old password"))
    log_in_directly(client, store, "cleo")
    store.add_user("cleo", hash_password("new password"))
    assert client.get("/api/status").status_code == 401


def test_a_session_older_than_session_hours_has_ended(client, store):
    log_in_directly(client, store)
    with client.session_transaction() as session:
        session["login_at"] -= 12 * 3600 + 1
    assert client.get("/api/status").status_code == 401


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(store, tmp_path):
    app = create_app(store, make_config(tmp_path, cookie_secure=True, session_hours=8.0))
    client = app.test_client()
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_a_good_bearer_token_reads_the_api_a_bad_or_revoked_one_gets_401(client, store):
    token, digest = new_token()
    store.add_token("ana", digest)
    good = client.get("/api/shifts", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert len(good.json["shifts"]) == 3
    bad = client.get("/api/shifts", headers={"Authorization": f"Bearer {token}x"})
    assert bad.status_code == 401
    assert bad.json == {"error": "the API token is unknown or revoked"}
    assert store.revoke_tokens("ana") >= 1
    revoked = client.get("/api/shifts", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", True), ("::1", True), ("10.0.0.7", False), ("not-an-ip", False)],
)
def test_metrics_are_open_only_to_the_allowed_addresses(client, address, allowed):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == (200 if allowed else 401)


def test_metrics_allow_takes_networks_and_ipv4_mapped_addresses(store, tmp_path):
    app = create_app(store, make_config(tmp_path, metrics_allow=("10.0.0.0/24",)))
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.200"}).status_code == 200
    mapped = {"REMOTE_ADDR": "::ffff:10.0.0.5"}
    assert client.get("/metrics", environ_base=mapped).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 401
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 401


def test_metrics_from_a_denied_address_open_with_a_login(logged_in):
    assert logged_in.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


@pytest.mark.parametrize("path", ["/login", "/", "/shifts", "/api/status", "/healthz"])
def test_every_response_carries_the_security_headers(logged_in, path):
    headers = logged_in.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    policy = dict(
        part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"


def test_static_files_may_be_cached_but_are_not_sniffed(client):
    headers = client.get("/static/dashboard.css").headers
    assert headers.get("Cache-Control") != "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/login", "/", "/shifts", "/shifts/{id}"])
def test_the_html_has_no_inline_scripts_or_event_handlers(logged_in, shift_id, path):
    html = logged_in.get(path.format(id=shift_id)).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert all('src="/static/' in attrs and body.strip() == "" for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "style=" not in html
    if path.startswith("/shifts"):
        assert len(scripts) == 2  # Chart.js and charts.js, both from /static
