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


@pytest.mark.parametrize("limit", ["4", "0004", "0" * 5000 + "4"])
def test_limit_caps_the_number_of_interactions_oldest_first(logged_in, store, limit):
    body = logged_in.get(f"/api/interactions?since=2000-01-01T00:00:00Z&limit={limit}").json
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
        # Past the 4300 digits int() reads, with and without leading zeros.
        ("since=2026-01-01&limit=" + "9" * 5000, "from 1 to 5000"),
        ("since=2026-01-01&limit=" + "0" * 5000 + "6000", "from 1 to 5000"),
    ],
)
def test_a_bad_since_or_limit_is_a_400_that_says_what_is_wrong(logged_in, query, words):
    response = logged_in.get("/api/interactions?" + query)
    assert response.status_code == 400
    assert words in response.json["error"]
    assert len(response.json["error"]) < 200  # what was sent is repeated, cut short


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("since=" + "x" * 5000, "since='" + "x" * 40 + "'... (5000 characters) is not"),
        ("since=2026-01-01&limit=" + "9" * 5000, "limit='" + "9" * 40 + "'... (5000 characters)"),
    ],
)
def test_a_huge_bad_value_is_repeated_cut_short_saying_how_long_it_was(logged_in, query, words):
    error = logged_in.get("/api/interactions?" + query).json["error"]
    assert error.startswith(words) and len(error) < 200


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/shifts/999999", 404),
        ("/api/shifts/0", 404),
        ("/api/shifts/99999999999999999999999", 404),
        ("/api/shifts/abc", 404),
        ("/api/shifts/-1", 404),
        ("/api/shifts/1.5", 404),
        ("/api/shifts/" + "9" * 4300, 404),
    ],
)
def test_an_unknown_or_malformed_shift_id_is_a_404_json(logged_in, path, code):
    response = logged_in.get(path)
    assert response.status_code == code
    assert 0 < len(response.json["error"]) < 200


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


# The CSV's and the API's columns up to schema version 2: scripts read them by position too, so
# new columns are added after them, never renamed or moved.
VERSION_2_COLUMNS = (
    "id",
    "counter",
    "shift_id",
    "start",
    "end",
    "start_s",
    "end_s",
    "duration_s",
    "nudges",
    "faults",
    "frames",
    "fps",
    "face_visible_ratio",
    "eye_contact_ratio",
    "longest_gaze_s",
    "staring_bouts",
    "no_look_spells",
    "facing_ratio",
    "head_only_turns",
    "lean_forward_ratio",
    "lean_back_ratio",
    "nods",
    "nods_per_min",
    "impatient_bouts",
    "pointing_events",
    "pointing_at_face",
    "open_palm_events",
)
ISSUE_18_COLUMNS = (
    "greeting_s",
    "frown_ratio",
    "smile_ratio",
    "blank_stare_spells",
    "gesturing_ratio",
    "wide_gestures",
    "stiff_spells",
    "hidden_hands",
)


def test_the_csv_keeps_its_columns_and_adds_the_greeting_expression_and_gestures(
    logged_in, store, shift_id
):
    rows = list(csv.reader(io.StringIO(logged_in.get(f"/shifts/{shift_id}.csv").text)))
    assert tuple(rows[0]) == VERSION_2_COLUMNS + ISSUE_18_COLUMNS
    by_id = {i["id"]: i for i in store.shift_interactions(shift_id)}
    hidden = []
    for line in rows[1:]:
        row = dict(zip(rows[0], line, strict=True))
        summary = by_id[int(row["id"])]["summary"]
        greeting = summary["greeting_s"]
        assert row["greeting_s"] == ("" if greeting is None else str(greeting))
        assert float(row["frown_ratio"]) == summary["expression"]["frown_ratio"]
        assert float(row["gesturing_ratio"]) == summary["gestures"]["gesturing_ratio"]
        assert int(row["stiff_spells"]) == summary["stiffness"]["stiff_spells"]
        hidden.append(row["hidden_hands"])
    assert sorted(hidden) == ["0"] * 5 + ["1"]  # a yes or no as 1 or 0, as stored


def test_the_api_gives_hidden_hands_as_a_yes_or_no_like_the_summary(logged_in, shift_id):
    body = logged_in.get("/api/interactions?since=2000-01-01T00:00:00Z").json
    flags = [
        (i["hidden_hands"], i["summary"]["gestures"]["hidden_hands"]) for i in body["interactions"]
    ]
    assert flags.count((True, True)) == 3 and flags.count((False, False)) == 15


def test_a_shifts_greeting_expression_and_gesture_figures_come_from_its_interactions(
    logged_in, shift_id
):
    """The SQL's figures against the same figures computed here from each interaction's own
    summary, and the slow greetings stored as events against those in the summaries."""
    body = logged_in.get(f"/api/shifts/{shift_id}").json
    summaries = [
        (i["summary"], i["duration_s"])
        for i in logged_in.get("/api/interactions?since=2000-01-01T00:00:00Z").json["interactions"]
        if i["shift_id"] == shift_id
    ]

    def weighted(group: str, key: str) -> float:
        measured = [(s[group][key], d) for s, d in summaries if s[group][key] is not None]
        return sum(r * d for r, d in measured) / sum(d for _, d in measured)

    greetings = [s["greeting_s"] for s, _ in summaries if s["greeting_s"] is not None]
    expected = {
        "mean_greeting_s": sum(greetings) / len(greetings),
        "slow_greetings": sum(
            1 for s, _ in summaries for e in s["events"] if e["kind"] == "slow_greeting"
        ),
        "frown_ratio": weighted("expression", "frown_ratio"),
        "smile_ratio": weighted("expression", "smile_ratio"),
        "gesturing_ratio": weighted("gestures", "gesturing_ratio"),
        "blank_stare_spells": sum(s["expression"]["blank_stare_spells"] for s, _ in summaries),
        "wide_gestures": sum(s["gestures"]["wide_gestures"] for s, _ in summaries),
        "stiff_spells": sum(s["stiffness"]["stiff_spells"] for s, _ in summaries),
        "hidden_hands_interactions": sum(s["gestures"]["hidden_hands"] for s, _ in summaries),
    }
    assert len(summaries) == 6
    listed = next(s for s in logged_in.get("/api/shifts").json["shifts"] if s["id"] == shift_id)
    for figures in (body["summary"], listed):
        # Rounded to 3 places (the mean greeting to 2).
        assert figures["mean_greeting_s"] == pytest.approx(expected["mean_greeting_s"], abs=0.006)
        assert {key: figures[key] for key in expected} == pytest.approx(
            expected | {"mean_greeting_s": figures["mean_greeting_s"]}, abs=6e-4
        )
    assert expected["slow_greetings"] >= 1 and expected["frown_ratio"] > 0


def test_the_minutes_give_frowning_smiling_and_gesturing_as_shares_of_their_frames(
    logged_in, shift_id
):
    minutes = logged_in.get(f"/api/shifts/{shift_id}").json["minutes"]
    measured = [m for m in minutes if m["frown_ratio"] is not None]
    assert len(measured) >= len(minutes) // 2
    # The sample draws frames with each interaction's ratios: frowning is rarer than smiling.
    mean = lambda key: sum(m[key] for m in measured) / len(measured)  # noqa: E731
    assert 0.0 < mean("frown_ratio") < mean("smile_ratio") < 0.6
    assert 0.0 < mean("gesturing_ratio") < 0.4
    assert sum(m["slow_greetings"] for m in minutes) >= 1


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


def test_another_counters_shift_is_a_404_on_its_page_csv_and_api(tmp_path, store):
    """A site may gather several counters' records in one database: this dashboard serves its
    own counter's ([counter] name) and no other's."""
    from kiosk.storage.sample import fill_sample
    from kiosk.storage.store import Store

    path = tmp_path / "site.db"
    fill_sample(path, now=datetime.now(UTC), days=1)
    fill_sample(path, now=datetime.now(UTC), counter="counter-2", days=1)
    both = Store.open(path)
    both.add_user("ana", store.user_password_hash("ana"))
    client = create_app(both, make_config(tmp_path)).test_client()
    log_in_directly(client, both)
    [own] = both.shifts("counter-1")
    [other] = both.shifts("counter-2")
    for route in ("/shifts/{}", "/shifts/{}.csv", "/api/shifts/{}"):
        assert client.get(route.format(own["id"])).status_code == 200
        response = client.get(route.format(other["id"]))
        assert response.status_code == 404
        assert "counter-2" not in response.text
    both.close()
