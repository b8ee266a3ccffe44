"""/metrics exposes the live loop's counters, labelled with the counter and site, in the
Prometheus text format, from the app's own registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard_support import make_config, mark_live
from prometheus_client.parser import text_string_to_metric_families

from kiosk.dashboard import create_app
from kiosk.storage.sample import fill_sample
from kiosk.storage.store import Store


def scrape(client) -> dict[tuple[str, tuple], float]:
    text = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


LABELS = (("counter", "counter-1"), ("site", "site-1"))


def test_metrics_carry_the_stored_counters_with_counter_and_site_labels(client, db_path):
    mark_live(db_path)
    samples = scrape(client)
    assert samples[("kiosk_frames_total", LABELS)] == 5400
    assert samples[("kiosk_frames_processed_total", LABELS)] == 5390
    assert samples[("kiosk_fps", LABELS)] == 14.8
    assert samples[("kiosk_camera_faults_total", LABELS)] == 1
    assert samples[("kiosk_interactions_total", LABELS)] == 18
    assert (
        samples[
            (
                "kiosk_nudges_total",
                (("counter", "counter-1"), ("cue", "staring"), ("site", "site-1")),
            )
        ]
        == 3
    )
    stage = (("counter", "counter-1"), ("site", "site-1"), ("stage", "track"))
    assert samples[("kiosk_stage_seconds", stage)] == 0.066
    assert samples[("kiosk_live_up", LABELS)] == 1
    states = {dict(k[1])["state"]: v for k, v in samples.items() if k[0] == "kiosk_state"}
    assert states["tracking"] == 1 and sum(states.values()) == 1


def test_metrics_say_the_live_loop_is_down_when_it_stopped_updating(tmp_path):
    path = tmp_path / "old.db"
    fill_sample(path, now=datetime.now(UTC) - timedelta(minutes=5), days=1)
    store = Store.open(path)
    samples = scrape(create_app(store, make_config(tmp_path)).test_client())
    assert samples[("kiosk_live_up", LABELS)] == 0
    assert (
        samples[
            ("kiosk_state", (("counter", "counter-1"), ("site", "site-1"), ("state", "offline")))
        ]
        == 1
    )
    store.close()


def test_two_apps_in_one_process_each_export_their_own_metrics(store, tmp_path, client):
    other = create_app(store, make_config(tmp_path / "b")).test_client()
    assert (
        scrape(other)[("kiosk_frames_total", LABELS)]
        == scrape(client)[("kiosk_frames_total", LABELS)]
    )
    assert not any(
        name.startswith("python_") or name.startswith("process_") for name, _ in scrape(client)
    )


def test_skipped_frames_model_errors_and_the_mqtt_queue_are_exported_when_stored(client, db_path):
    import json
    import sqlite3

    mark_live(db_path)
    samples = scrape(client)
    assert samples[("kiosk_bad_frames_total", LABELS)] == 0
    assert not any(name.startswith("kiosk_mqtt") for name, _ in samples)  # no [mqtt]: absent
    conn = sqlite3.connect(db_path)
    with conn:
        (raw,) = conn.execute("SELECT counters_json FROM status").fetchone()
        counters = json.loads(raw) | {
            "bad_frames": 7,
            "model_errors": 2,
            "mqtt_queued": 12,
            "mqtt_connected": False,
        }
        conn.execute("UPDATE status SET counters_json = ?", (json.dumps(counters),))
    conn.close()
    samples = scrape(client)
    assert samples[("kiosk_bad_frames_total", LABELS)] == 7
    assert samples[("kiosk_model_errors_total", LABELS)] == 2
    assert samples[("kiosk_mqtt_queued", LABELS)] == 12
    assert samples[("kiosk_mqtt_connected", LABELS)] == 0
