"""Credentials for the CLI (password and token hashes), the session-signing key file, and the
login rate limiter's window and memory bound."""

from __future__ import annotations

import stat

import pytest

from kiosk.dashboard.auth import (
    LoginLimiter,
    check_password,
    hash_password,
    load_secret_key,
    new_token,
    token_hash,
)
from kiosk.errors import ServeError


def test_a_password_hash_is_salted_scrypt_and_checks_only_the_right_password():
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first.startswith("scrypt:")
    assert first != second  # salted
    assert check_password(first, "s3cret")
    assert not check_password(first, "s3cret ")
    with pytest.raises(ValueError):
        hash_password("")


def test_a_new_token_is_random_and_only_its_sha256_is_stored():
    (token_a, hash_a), (token_b, _) = new_token(), new_token()
    assert token_a != token_b and len(token_a) >= 40
    assert hash_a == token_hash(token_a) != token_a
    assert len(hash_a) == 64 and int(hash_a, 16) >= 0


def test_the_secret_key_is_created_once_private_in_new_folders_and_then_reused(tmp_path):
    path = tmp_path / "var" / "lib" / "kiosk" / "secret_key"
    key = load_secret_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_a_key_folder_that_cannot_be_made_is_one_clear_serve_error():
    # Nothing, not even root, can make a folder in /proc.
    with pytest.raises(
        ServeError, match=r"cannot create the dashboard's secret key .*secret_key_file"
    ):
        load_secret_key("/proc/kiosk-dashboard-test/secret_key")


def test_a_key_path_under_a_file_is_one_clear_serve_error(tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ServeError, match=r"secret key .*a_file/secret_key: Not a directory"):
        load_secret_key(tmp_path / "a_file" / "secret_key")


def test_a_truncated_key_file_is_refused_rather_than_used(tmp_path):
    path = tmp_path / "secret_key"
    path.write_bytes(b"short")
    with pytest.raises(ServeError, match="shorter than 32 bytes"):
        load_secret_key(path)


class Clock:
    def __init__(self):
        self.t_s = 1000.0

    def __call__(self):
        return self.t_s


def test_the_limiter_blocks_after_the_allowed_failures_until_the_window_has_passed():
    clock = Clock()
    limiter = LoginLimiter(3, 60.0, clock=clock)
    for _ in range(2):
        limiter.fail("addr:a")
        clock.t_s += 10
    assert not limiter.blocked("addr:a")
    limiter.fail("addr:a")
    assert limiter.blocked("addr:a")
    assert not limiter.blocked("addr:b")
    clock.t_s += 40.1  # the first failure (t=1000) is now more than 60 s old
    assert not limiter.blocked("addr:a")


def test_the_limiter_forgets_the_oldest_keys_beyond_its_bound():
    limiter = LoginLimiter(1, 60.0, max_keys=100, clock=Clock())
    for n in range(1000):
        limiter.fail(f"user:{n}")
    assert len(limiter._failures) == 100
    assert limiter.blocked("user:999")
    assert not limiter.blocked("user:0")
