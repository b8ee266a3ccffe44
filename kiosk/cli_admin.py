"""The installer's admin commands: dashboard logins (`kiosk user`) and API tokens
(`kiosk token`). Supervisors only read; everything that changes access is done here."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.config import load_config
from kiosk.errors import AuthError


def _open_store(config, *, create: bool = False):
    from kiosk.storage.store import Store

    return Store.open(config.storage.path, create=create)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise AuthError("the two passwords differ; nothing changed")
    if len(password) < 8:
        raise AuthError("a password needs at least 8 characters; nothing changed")
    return password


def cmd_user(args: argparse.Namespace) -> int:
    from kiosk.dashboard.auth import hash_password

    config = load_config(args.config)
    if args.user_command == "list":
        store = _open_store(config)
        print("\n".join(store.users()) or "(no users yet: kiosk user add NAME)")
        return 0
    _check_name(args.name)
    if args.user_command == "add":
        password = _read_password(args.password_stdin)
        store = _open_store(config, create=True)
        existed = args.name in store.users()
        store.add_user(args.name, hash_password(password))
        print(f"user {args.name}: {'password changed' if existed else 'added'}")
        return 0
    store = _open_store(config)
    if not store.remove_user(args.name):
        raise AuthError(f"no user {args.name!r}")
    print(f"user {args.name}: removed, with their API tokens")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from kiosk.dashboard.auth import new_token

    config = load_config(args.config)
    _check_name(args.name)
    store = _open_store(config, create=True)
    if args.token_command == "revoke":
        print(f"{args.name}: {store.revoke_tokens(args.name)} token(s) revoked")
        return 0
    token, token_hash = new_token()
    store.add_token(args.name, token_hash)
    print(token)
    print(
        f"(API token for {args.name}: send it as 'Authorization: Bearer ...'; it is shown only "
        "now, the kiosk keeps only its hash)",
        file=sys.stderr,
    )
    return 0


def _check_name(name: str) -> None:
    if not (1 <= len(name) <= 64) or not all(c.isalnum() or c in "-_.@" for c in name):
        raise AuthError(f"{name!r}: a name is 1-64 letters, digits, '-', '_', '.' or '@'")
