"""The installer's admin commands: `kiosk user add|remove|list` and `kiosk token create|revoke`."""

from __future__ import annotations

import io

import pytest

from kiosk.cli import main
from kiosk.dashboard.auth import check_password, token_hash
from kiosk.storage.store import Store


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "kiosk.db"}"\n')
    return str(path)


def add_user(monkeypatch, config, name, password):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["user", "add", name, "--password-stdin", "--config", config])


def test_user_add_stores_a_password_hash_that_checks_and_never_the_password(
    monkeypatch, config, tmp_path, capsys
):
    assert add_user(monkeypatch, config, "ana", "correct horse") == 0
    stored = Store.open(tmp_path / "kiosk.db").user_password_hash("ana")
    assert stored != "correct horse" and stored.startswith("scrypt:")
    assert check_password(stored, "correct horse") and not check_password(stored, "wrong one")
    assert add_user(monkeypatch, config, "ana", "battery staple") == 0  # a new password
    assert check_password(
        Store.open(tmp_path / "kiosk.db").user_password_hash("ana"), "battery staple"
    )
    assert "password changed" in capsys.readouterr().out


def test_a_short_password_or_a_bad_name_is_refused_and_nothing_is_stored(
    monkeypatch, config, tmp_path, capsys
):
    assert add_user(monkeypatch, config, "ana", "short") == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert add_user(monkeypatch, config, "ana smith", "long enough") == 1
    assert not (tmp_path / "kiosk.db").exists()


def test_a_token_is_printed_once_and_only_its_hash_is_kept_until_revoked(
    monkeypatch, config, tmp_path, capsys
):
    assert main(["token", "create", "grafana", "--config", config]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 32
    store = Store.open(tmp_path / "kiosk.db")
    assert store.token_owner(token_hash(token)) == "grafana"
    assert store.token_owner(token) is None  # the token itself is not stored
    assert main(["token", "revoke", "grafana", "--config", config]) == 0
    assert "1 token(s) revoked" in capsys.readouterr().out
    assert store.token_owner(token_hash(token)) is None


def test_removing_a_user_ends_their_tokens_and_an_unknown_one_is_an_error(
    monkeypatch, config, tmp_path, capsys
):
    add_user(monkeypatch, config, "ana", "correct horse")
    main(["token", "create", "ana", "--config", config])
    token = capsys.readouterr().out.splitlines()[-1]
    assert main(["user", "list", "--config", config]) == 0
    assert capsys.readouterr().out.split() == ["ana"]
    assert main(["user", "remove", "ana", "--config", config]) == 0
    assert Store.open(tmp_path / "kiosk.db").token_owner(token_hash(token)) is None
    assert main(["user", "remove", "ana", "--config", config]) == 1
    assert "no user 'ana'" in capsys.readouterr().err
