"""Who may read the dashboard: password and token hashes, the session-signing key, the login
rate limit, CSRF tokens, and the /login and /logout views."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.errors import ServeError

log = logging.getLogger(__name__)

SECRET_KEY_BYTES = 32
CSRF_FIELD = "csrf_token"
# Failure records kept at most, all addresses and names together: a flood of made-up names
# cannot grow memory without bound (the oldest keys are forgotten first).
LIMITER_MAX_KEYS = 10_000


def hash_password(password: str) -> str:
    """A salted scrypt hash for `store.add_user` (werkzeug's format, "scrypt:...")."""
    if not password:
        raise ValueError("the password is empty")
    return generate_password_hash(password, method="scrypt")


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def new_token() -> tuple[str, str]:
    """(the token to show once, the sha256 hex hash to store): the database never holds a
    usable token, and a high-entropy token needs no slow hash."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_secret_key(path: str | Path) -> bytes:
    """The key that signs session cookies, created (mode 0600, parents made) on first use."""
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ServeError(
            f"cannot read the dashboard's secret key {path}: {exc.strerror}; set "
            "[dashboard] secret_key_file to a file the kiosk user may read"
        ) from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_key(path)
        return _read_key(path)
    except OSError as exc:
        raise ServeError(
            f"cannot create the dashboard's secret key {path}: {exc.strerror or exc}; make "
            "its folder writable or set [dashboard] secret_key_file"
        ) from exc


def _read_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) < SECRET_KEY_BYTES:
        raise ServeError(
            f"the dashboard's secret key {path} is shorter than {SECRET_KEY_BYTES} bytes; "
            "delete it and a new one is made (everyone logs in again)"
        )
    if path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users: chmod 600 it", path)
    return key


def _create_key(path: Path) -> None:
    # Written to a private temporary file and linked into place, so that `kiosk run` and
    # `kiosk serve` starting together never read a half-written key nor overwrite each other's.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(SECRET_KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
            log.info("created the dashboard's secret key %s", path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)


class LoginLimiter:
    """Failed logins per key (an address, a user name) within a sliding window, in memory."""

    def __init__(
        self,
        attempts: int,
        window_s: float,
        *,
        max_keys: int = LIMITER_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.attempts = attempts
        self.window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            now_s = self._clock()
            return any(len(self._recent(key, now_s)) >= self.attempts for key in keys)

    def fail(self, *keys: str) -> None:
        with self._lock:
            now_s = self._clock()
            for key in keys:
                times = self._recent(key, now_s)
                times.append(now_s)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now_s: float) -> deque[float]:
        times = self._failures.get(key, deque(maxlen=self.attempts))
        while times and times[0] <= now_s - self.window_s:
            times.popleft()
        return times


def csrf_token() -> str:
    """This session's CSRF token, made on first use (before login too, for the login form)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Every POST carries the session's token: a missing or different one is a 400."""
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD, "")
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters (a TypeError,
    # so a 500), and a forged token may hold any.
    if not expected or not sent or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        abort(400, "the form's security token is missing or stale: reload the page and retry")


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of the user's hash kept in the session: removing the user or
    changing the password ends every session on their next request."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def safe_next(target: str | None) -> str:
    """`next` only within this site (a relative path), never an open redirect."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("pages.today")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return url_for("pages.today")
    return target


bp = Blueprint("auth", __name__)


@bp.get("/login")
def login_form():
    if g.get("user"):
        return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", next=request.args.get("next", ""), message=None)


@bp.post("/login")
def login():
    limiter: LoginLimiter = current_app.extensions["kiosk_login_limiter"]
    store = current_app.extensions["kiosk_store"]
    name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    next_url = request.form.get("next", "")
    address = f"addr:{request.remote_addr}"
    user_key = f"user:{name.casefold()}"
    if limiter.blocked(address, user_key):
        log.warning("login refused (too many failures) for %r from %s", name, request.remote_addr)
        message = f"Too many failed logins: wait {limiter.window_s / 60:.0f} minutes and try again."
        return render_template("login.html", next=next_url, message=message), 429
    stored_hash = store.user_password_hash(name) if name else None
    # An unknown name costs one hash check too, so timing does not tell which names exist.
    valid = check_password(stored_hash or _dummy_hash(), password) and stored_hash is not None
    if not valid:
        limiter.fail(address, user_key)
        log.warning("failed login for %r from %s", name, request.remote_addr)
        message = "Wrong user name or password."
        return render_template("login.html", next=next_url, message=message), 401
    limiter.clear(user_key)
    # A fresh session on login, so a token planted before it (session fixation) is dropped.
    session.clear()
    session.permanent = True
    session["user"] = name
    session["stamp"] = password_stamp(stored_hash)
    session["login_at"] = time.time()
    csrf_token()
    log.info("%s logged in from %s", name, request.remote_addr)
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout():
    user = session.get("user")
    session.clear()
    if user:
        log.info("%s logged out", user)
    return redirect(url_for("auth.login_form"))


_dummy = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(hash_password(secrets.token_hex(16)))
    return _dummy[0]
