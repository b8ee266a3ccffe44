"""The supervisors' dashboard as a Flask app over the shift database (read only): who may see
what, the security headers, and errors as one clear line instead of a traceback."""

from __future__ import annotations

import ipaddress
import logging
import sqlite3
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from kiosk.dashboard import api, auth, metrics, pages
from kiosk.dashboard.context import get_config, get_store
from kiosk.errors import ServeError, StorageError

log = logging.getLogger(__name__)

# No inline script or style anywhere, so the policy needs no 'unsafe-inline': an injected
# <script> in a counter's name could not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
OPEN_ENDPOINTS = frozenset({"auth.login_form", "auth.login", "api.healthz", "static"})
# Forms hold a user name, a password and a token: anything larger is not from our pages.
MAX_FORM_BYTES = 16 * 1024


def create_app(store: Any, config: Any) -> Flask:
    """The dashboard for `config.counter.name`, reading `store` (a `kiosk.storage.Store`)."""
    dash = config.dashboard
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=auth.load_secret_key(dash.secret_key_file),
        # Cookies are shared by every port of a host: a name of our own avoids clashes.
        SESSION_COOKIE_NAME="kiosk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=dash.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=dash.session_hours),
        # A login lasts session_hours from logging in, not from the last click.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
    )
    app.extensions["kiosk_store"] = store
    app.extensions["kiosk_config"] = config
    app.extensions["kiosk_login_limiter"] = auth.LoginLimiter(
        dash.login_attempts, dash.login_window_s
    )
    app.extensions["kiosk_metrics_allow"] = _networks(dash.metrics_allow)
    app.extensions["kiosk_metrics_registry"] = metrics.registry_for(
        store, config.counter.name, config.counter.site
    )
    for blueprint in (auth.bp, pages.bp, api.bp, metrics.bp):
        app.register_blueprint(blueprint)

    app.before_request(_guard)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StorageError, _storage_error)
    app.register_error_handler(sqlite3.Error, _storage_error)
    app.context_processor(_template_globals)
    return app


def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ServeError(f"[dashboard] metrics_allow: {exc}") from exc


def metrics_allowed(remote_addr: str | None, networks: tuple) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # "::ffff:10.0.0.5" on a dual stack
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _guard():
    """Runs before every view: CSRF on every POST, then who is asking, then whether they may."""
    if request.method == "POST":
        auth.check_csrf()
    if request.endpoint in ("api.healthz", "static"):
        return None  # open, and must answer even when the database cannot be read
    store = get_store()
    g.user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        g.user = store.token_owner(auth.token_hash(token.strip())) if token.strip() else None
        if g.user is None:
            log.warning("unknown or revoked API token from %s", request.remote_addr)
            return _unauthorized("the API token is unknown or revoked")
    else:
        g.user = _session_user(store)
    if g.user or request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.endpoint == "metrics.metrics" and metrics_allowed(
        request.remote_addr, current_app.extensions["kiosk_metrics_allow"]
    ):
        return None
    if _wants_json():
        return _unauthorized("log in or send Authorization: Bearer <token>")
    return redirect(url_for("auth.login_form") + "?next=" + quote(request.full_path.rstrip("?")))


def _session_user(store: Any) -> str | None:
    name = session.get("user")
    if not name:
        return None
    hours = get_config().dashboard.session_hours
    login_at = session.get("login_at", 0)
    # A cookie that passed the signature check but holds other types than ours wrote (an old
    # version's, or one made with a leaked key) is no session, never a 500.
    if not isinstance(name, str) or not isinstance(login_at, int | float):
        session.clear()
        return None
    age_s = time.time() - float(login_at)
    password_hash = store.user_password_hash(name)
    if not 0 <= age_s <= hours * 3600:
        reason = "expired"
    elif password_hash is None:
        reason = "the user was removed"
    elif auth.password_stamp(password_hash) != session.get("stamp"):
        reason = "the password was changed"
    else:
        return name
    log.info("session of %s ended: %s", name, reason)
    session.clear()
    return None


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.endpoint == "metrics.metrics"


def _unauthorized(message: str):
    response = jsonify(error=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
    return response


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Records of people at work: never kept by a browser or a proxy.
        headers["Cache-Control"] = "no-store"
    return response


def _http_error(exc: HTTPException):
    code = exc.code or 500
    message = exc.description or exc.name
    if _wants_json():
        response = jsonify(error=message)
        response.status_code = code
    else:
        response = make_response(
            render_template("error.html", code=code, title=exc.name, message=message), code
        )
    if exc.code == 405:
        response.headers["Allow"] = exc.get_response().headers.get("Allow", "")
    return response


def _storage_error(exc: Exception):
    log.error("dashboard: storage failed: %s", exc)
    message = str(exc) if isinstance(exc, StorageError) else "the shift database cannot be read"
    if _wants_json():
        response = jsonify(error=message)
        response.status_code = 503
        return response
    return make_response(
        render_template("error.html", code=503, title="Records unavailable", message=message), 503
    )


def _template_globals() -> dict:
    config = get_config()
    return {
        "counter_name": config.counter.name,
        "site_name": config.counter.site,
        "current_user": g.get("user"),
        "csrf_token": auth.csrf_token,
    }
