"""Dashboard fixtures: a real shift database filled by `fill_sample` once per module, and a
fresh app (so a fresh login limiter) per test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dashboard_support import PASSWORD, log_in_directly, make_config

from kiosk.config import Config
from kiosk.dashboard import create_app
from kiosk.dashboard.auth import hash_password
from kiosk.storage.sample import fill_sample
from kiosk.storage.store import Store


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dashboard") / "kiosk.db"
    fill_sample(path, now=datetime.now(UTC))
    return path


@pytest.fixture(scope="module")
def store(db_path):
    store = Store.open(db_path)
    store.add_user("ana", hash_password(PASSWORD))
    yield store
    store.close()


@pytest.fixture
def config(tmp_path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
def app(store, config):
    return create_app(store, config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def logged_in(client, store):
    log_in_directly(client, store)
    return client


@pytest.fixture
def shift_id(store) -> int:
    """The newest shift: the one with the camera fault and the live status."""
    return store.shifts("counter-1")[0]["id"]
