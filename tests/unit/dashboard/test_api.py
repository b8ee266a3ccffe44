"""The JSON API and the CSV export give the store's own numbers; every bad parameter is a clear
4xx and a storage failure a 503, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from dashboard_support import log_in_directly, make_config, mark_live

from kiosk.dashboard import create_app
from kiosk.errors import StorageError
from kiosk.storage.store import INTERACTION_COLUMNS


def test_a_shifts_api_numbers_equal_what_the_store_returns(logged_in, store, shift_id):
    body = logged_in.get(f"/api/shifts/{shift_id}").json
    record = store.shift(shift_id)
    assert body == record
    assert body["summary"]["interactions"] == 6
    assert len(body["minutes"]) == len(record["minutes"]) > 10
    assert body["summary"]["nudges"] == sum(body["summary"]["nudges_by_cue"].values())


def test_the_shifts_api_lists_every_shift_newest_first_and_the_trends(logged_in, store):
    body = logged_in.get("/api/shifts").json
    assert body["counter"] == "counter-1"
    assert body["shifts"] == store.shifts("counter-1")
    assert [s["date"] for s in body["shifts"]] == sorted(
        (s["date"] for s in body["shifts"]), reverse=True
    )
    assert body["trends"] == store.trends("counter-1")
    assert [d["interactions"] for d in body["trends"]] == [6, 6, 6]


def test_the_status_api_says_tracking_with_the_interaction_in_progress(logged_in, db_path):
    mark_live(db_path)
    body = logged_in.get("/api/status").json
    assert body["status"] == "tracking"
    assert body["counter"] == "counter-1"
    assert 40 <= body["interaction"]["elapsed_s"] < 600
    assert body["counters"]["frames"] == 5400


def test_interactions_since_a_time_are_those_that_started_at_or_after_it(logged_in, store):
    everything = store.interactions(datetime(2000, 1, 1, tzinfo=UTC), "counter-1", 5000)
    middle = everything[len(everything) // 2]["start"]
    body = logged_in.get("/api/interactions", query_string={"since": middle}).json
    assert body["since"] == middle
    assert [i["id"] for i in body["interactions"]] == [
        i["id"] for i in everything if i["start"] >= middle
    ]
    assert 0 < len(body["interactions"]) < len(everything)


def test_a_since_without_an_offset_is_utc_and_an_unencoded_plus_still_reads(logged_in):
    naive = logged_in.get("/api/interactions?since=2020-01-02T03:04:05").json
    assert naive["since"] == "2020-01-02T03:04:05.000+00:00"
    # "+01:00" typed into a URL arrives as " 01:00".
    plus = logged_in.get("/api/interactions?since=2020-01-02T03:04:05+01:00").json
    assert plus["since"] == "2020-01-02T02:04:05.000+00:00"


def test_limit_caps_the_number_of_interactions_oldest_first(logged_in, store):
    body = logged_in.get("/api/interactions?since=2000-01-01T00:00:00Z&limit=4").json
    everything = store.interactions(datetime(2000, 1, 1, tzinfo=UTC), "counter-1", 5000)
    assert [i["id"] for i in body["interactions"]] == [i["id"] for i in everything[:4]]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "since is required"),
        ("since=", "since is required"),
        ("since=yesterday", "not an ISO 8601 time"),
        ("since=2026-13-01T00:00:00Z", "not an ISO 8601 time"),
        ("since=0001-01-01T00:00:00%2B05:00", "not an ISO 8601 time"),
        ("since=2026-01-01&limit=0", "limit='0' must be a whole number from 1 to 5000"),
        ("since=2026-01-01&limit=5001", "from 1 to 5000"),
        ("since=2026-01-01&limit=-3", "from 1 to 5000"),
        ("since=2026-01-01&limit=ten", "from 1 to 5000"),
        ("since=2026-01-01&limit=%C2%B2", "from 1 to 5000"),
    ],
)
def test_a_bad_since_or_limit_is_a_400_that_says_what_is_wrong(logged_in, query, words):
    response = logged_in.get("/api/interactions?" + query)
    assert response.status_code == 400
    assert words in response.json["error"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/shifts/999999", 404),
        ("/api/shifts/0", 404),
        ("/api/shifts/99999999999999999999999", 404),
        ("/api/shifts/abc", 404),
        ("/api/shifts/-1", 404),
        ("/api/shifts/1.5", 404),
    ],
)
def test_an_unknown_or_malformed_shift_id_is_a_404_json(logged_in, path, code):
    response = logged_in.get(path)
    assert response.status_code == code
    assert "error" in response.json


@pytest.mark.parametrize(
    "path", ["/shifts/999999", "/shifts/abc", "/shifts/99999999999999999999999", "/shifts/7.csv"]
)
def test_an_unknown_shift_page_is_a_small_404_page(logged_in, path):
    response = logged_in.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404" in response.text


def test_a_post_to_a_read_only_route_is_a_405_with_allow(logged_in):
    response = logged_in.post("/api/status", data={"csrf_token": "csrf-ana"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_the_csv_has_the_header_and_one_row_per_interaction(logged_in, store, shift_id):
    response = logged_in.get(f"/shifts/{shift_id}.csv")
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"shift-{shift_id}.csv" in disposition
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == INTERACTION_COLUMNS
    interactions = store.shift_interactions(shift_id)
    assert len(rows) == 1 + len(interactions) == 7
    first = dict(zip(rows[0], rows[1], strict=True))
    assert int(first["id"]) == interactions[0]["id"]
    assert float(first["duration_s"]) == pytest.approx(interactions[0]["duration_s"])


def test_the_csv_export_takes_a_bearer_token_without_a_session(client, store, shift_id):
    from kiosk.dashboard.auth import new_token

    token, digest = new_token()
    store.add_token("ana", digest)
    response = client.get(f"/shifts/{shift_id}.csv", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.text.count("\r\n") == 7


class BrokenStore:
    """A database that cannot be read (a disk gone, a file replaced by something else)."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise StorageError("/var/lib/kiosk/kiosk.db: cannot read the shift database: disk I/O")

        return fail


@pytest.fixture
def broken_client(tmp_path, store):
    app = create_app(BrokenStore(), make_config(tmp_path))
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = "ana"
    return client


def test_healthz_is_503_when_the_database_cannot_be_read(broken_client):
    response = broken_client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"ok": False}


@pytest.mark.parametrize("path", ["/api/status", "/", "/metrics"])
def test_a_storage_failure_is_a_503_with_one_line(broken_client, path):
    response = broken_client.get(path, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 503
    text = response.json["error"] if response.is_json else response.text
    assert "cannot read the shift database" in text


def test_an_offline_kiosk_reads_as_offline(tmp_path, store):
    from kiosk.storage.sample import fill_sample
    from kiosk.storage.store import Store

    path = tmp_path / "old.db"
    fill_sample(path, now=datetime.now(UTC) - timedelta(hours=2), days=1)
    old = Store.open(path)
    old.add_user("ana", store.user_password_hash("ana"))
    client = create_app(old, make_config(tmp_path)).test_client()
    log_in_directly(client, old)
    assert client.get("/api/status").json["status"] == "offline"
    old.close()
