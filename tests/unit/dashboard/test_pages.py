"""The pages show the store's numbers in the guidance's words, and the page scripts find what
they need (the API address, labels) in the HTML."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from dashboard_support import mark_live

from kiosk.dashboard.pages import clock, duration, percent


def cells(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


def test_today_shows_the_live_status_the_interaction_and_last_hours_nudges(
    logged_in, db_path, store
):
    mark_live(db_path)
    html = logged_in.get("/").text
    status = store.status("counter-1")
    assert re.search(r'<span id="status" class="status status-tracking">Tracking</span>', html)
    assert (
        'id="interaction"' in html
        and "since " + clock(status["interaction"]["start"], True) in html
    )
    assert f'<span id="nudges-total">{status["nudges_last_hour"]["total"]}</span>' in html
    live = re.search(r"data-status-labels='([^']+)'", html).group(1)
    assert json.loads(unescape(live))["camera_fault"] == "Camera fault"
    assert 'data-api="/api/status"' in html
    assert '<script src="/static/today.js" defer></script>' in html


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ("paused", "Paused (privacy)"),
        ("camera_fault", "Camera fault"),
        ("no_customer", "No customer"),
    ],
)
def test_today_names_each_status_in_words(logged_in, db_path, state, label):
    mark_live(db_path, state)
    html = logged_in.get("/").text
    assert f'class="status status-{state}">{label}</span>' in html
    mark_live(db_path)


def test_the_shift_list_has_one_row_per_shift_with_its_numbers(logged_in, store):
    html = logged_in.get("/shifts").text
    shifts = store.shifts("counter-1")
    assert html.count('.csv">CSV</a>') == len(shifts) == 3
    row = cells(html)[:12]
    newest = shifts[0]
    assert row[0] == newest["date"]
    assert row[4] == str(newest["interactions"])
    assert row[5] == duration(newest["mean_interaction_s"])
    assert row[6] == percent(newest["eye_contact_ratio"])
    assert row[8] == f"{newest['mean_greeting_s']:.1f} s"
    assert row[9] == str(newest["slow_greetings"]) != "0"
    assert row[10] == str(newest["nudges"])
    assert 'data-api="/api/shifts"' in html
    for chart in ("trend-ratios", "trend-expression", "trend-greeting", "trend-counts"):
        assert f'data-chart="{chart}"' in html


def test_the_shift_page_shows_the_summary_in_the_guidances_words(logged_in, store, shift_id):
    html = unescape(logged_in.get(f"/shifts/{shift_id}").text)
    summary = store.shift(shift_id)["summary"]
    expected = {
        "Interactions": str(summary["interactions"]),
        "Eye contact": percent(summary["eye_contact_ratio"]),
        "Facing the customer": percent(summary["facing_ratio"]),
        "Forward lean": percent(summary["lean_forward_ratio"]),
        "Nods per minute": f"{summary['nods_per_min']:.1f}",
        "Impatient nodding bouts": str(summary["impatient_bouts"]),
        "Nudges": str(summary["nudges"]),
    }
    for label, value in expected.items():
        assert re.search(rf"<th>{label}</th><td>{re.escape(value)}</td>", html), label
    assert "Pointing</th><td>" + str(summary["pointing_events"]) in html
    assert f"Camera faults</th><td>{summary['camera_faults']}, down 12 s" in html
    assert html.count('data-chart="shift-') == 5
    assert f'data-api="/api/shifts/{shift_id}"' in html


def test_the_shift_page_shows_greetings_expressions_and_gestures(logged_in, store, shift_id):
    html = unescape(logged_in.get(f"/shifts/{shift_id}").text)
    summary = store.shift(shift_id)["summary"]
    expected = {
        "Mean greeting time": f"{summary['mean_greeting_s']:.1f} s",
        "Slow greetings": str(summary["slow_greetings"]),
        "Frowning": percent(summary["frown_ratio"]),
        "Smiling": percent(summary["smile_ratio"]),
        "Blank stares": str(summary["blank_stare_spells"]),
        "Gesturing": percent(summary["gesturing_ratio"]),
        "Wide gestures": str(summary["wide_gestures"]),
        "Stiff spells": str(summary["stiff_spells"]),
        "Interactions with the hands never seen": str(summary["hidden_hands_interactions"]),
    }
    for label, value in expected.items():
        assert re.search(rf"<th>{label}</th><td>{re.escape(value)}</td>", html), label
    # The sample's shifts each have a slow greeting and hands never seen: not a row of zeros.
    assert summary["slow_greetings"] >= 1 and summary["hidden_hands_interactions"] == 1
    for chart in ("shift-expression", "shift-gesturing"):
        assert f'data-chart="{chart}"' in html


def test_the_shift_page_lists_every_interaction(logged_in, store, shift_id):
    html = logged_in.get(f"/shifts/{shift_id}").text
    interactions = store.shift_interactions(shift_id)
    assert f"Interactions ({len(interactions)})" in html
    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", html.split("Interactions (")[1], re.S)]
    rows = [r for r in rows if r][: len(interactions)]
    assert len(rows) == len(interactions)
    for row, stored in zip(rows, interactions, strict=True):
        assert row[:3] == [
            clock(stored["start"], True),
            duration(stored["duration_s"]),
            "–" if stored["greeting_s"] is None else f"{stored['greeting_s']:.1f} s",
        ]
        assert row[6:9] == [
            percent(stored["frown_ratio"]),
            percent(stored["smile_ratio"]),
            percent(stored["gesturing_ratio"]),
        ]


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "–"), (42.4, "42 s"), (218.8, "3 min 39 s"), (3725, "1 h 02 min")]
)
def test_durations_read_in_seconds_minutes_and_hours(seconds, text):
    assert duration(seconds) == text


def test_ratios_read_as_whole_percent_and_none_as_a_dash():
    assert percent(0.588) == "59 %"
    assert percent(None) == "–"


def test_a_new_empty_database_shows_no_records_yet_and_no_shifts(tmp_path, store):
    from dashboard_support import log_in_directly, make_config

    from kiosk.dashboard import create_app
    from kiosk.storage.store import Store

    empty = Store.open(tmp_path / "new.db", create=True)
    empty.add_user("ana", store.user_password_hash("ana"))
    client = create_app(empty, make_config(tmp_path)).test_client()
    log_in_directly(client, empty)
    today = client.get("/")
    assert today.status_code == 200
    assert 'class="status status-unknown">No records yet</span>' in today.text
    assert "No nudges in the last hour." in today.text
    assert "No shifts recorded yet." in client.get("/shifts").text
    assert client.get("/api/shifts").json == {"counter": "counter-1", "shifts": [], "trends": []}
    metrics = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).text
    assert 'kiosk_live_up{counter="counter-1",site="site-1"} 0.0' in metrics
    empty.close()
