import json
from datetime import timedelta

from fleet_support import IDENTITY, START, WALL, interaction

from kiosk.fleet.messages import WILL_PAYLOAD, Topics, interaction_payload, status_payload
from kiosk.storage.rows import WallClock


def test_topics_are_prefix_site_counter_then_status_or_interactions():
    topics = Topics.of("acme/kiosks", IDENTITY)
    assert topics.status == "acme/kiosks/north/desk-2/status"
    assert topics.interactions == "acme/kiosks/north/desk-2/interactions"


def test_an_interaction_is_sent_with_utc_times_from_the_runs_wall_clock():
    payload = json.loads(interaction_payload(interaction(10.0, 70.5), WALL, IDENTITY))
    assert payload["start"] == "2025-03-04T09:00:10.000+00:00"
    assert payload["end"] == "2025-03-04T09:01:10.500+00:00"
    assert payload["duration_s"] == 60.5
    assert payload["nudges"] == 1
    assert (payload["site"], payload["counter"], payload["version"]) == ("north", "desk-2", "9.9.9")


def test_a_live_cameras_monotonic_times_map_to_utc_through_the_anchor():
    live = WallClock(START, 5000.0)  # the monotonic clock read 5000 s when the run began
    payload = json.loads(interaction_payload(interaction(5012.0, 5042.0), live, IDENTITY))
    assert payload["start"] == (START + timedelta(seconds=12)).isoformat(timespec="milliseconds")
    assert payload["duration_s"] == 30.0


def test_the_summary_is_flat_numbers_only_never_a_path_a_pose_or_an_event_list():
    payload = json.loads(interaction_payload(interaction(), WALL, IDENTITY))
    summary = payload["summary"]
    assert all(v is None or isinstance(v, int | float) for v in summary.values())
    assert summary["eye_contact_ratio"] == 0.62
    assert summary["nods"] == 3
    assert summary["hidden_hands"] == 1  # a yes/no metric is 0 or 1, as in the database
    assert summary["faults"] == 1  # staring is a fault, an open palm is not
    assert "clip.mp4" not in json.dumps(payload)
    assert "events" not in summary and "head_pose" not in summary


def test_each_interaction_gets_its_own_id_made_once_with_the_message():
    ids = {json.loads(interaction_payload(interaction(), WALL, IDENTITY))["id"] for _ in range(50)}
    assert len(ids) == 50
    fixed = interaction_payload(interaction(), WALL, IDENTITY, new_id=lambda: "abc")
    assert json.loads(fixed)["id"] == "abc"


def test_a_non_finite_number_goes_out_as_null_instead_of_invalid_json():
    record = interaction()
    record["summary"]["eye_contact"]["ratio"] = float("nan")
    payload = json.loads(interaction_payload(record, WALL, IDENTITY))
    assert payload["summary"]["eye_contact_ratio"] is None


def test_the_status_says_what_since_when_and_as_of_when_in_utc():
    since = START + timedelta(minutes=3)
    payload = json.loads(status_payload(IDENTITY, "paused", since, START + timedelta(minutes=5)))
    assert payload == {
        "status": "paused",
        "since": "2025-03-04T09:03:00.000+00:00",
        "site": "north",
        "counter": "desk-2",
        "version": "9.9.9",
        "updated": "2025-03-04T09:05:00.000+00:00",
    }


def test_the_last_will_says_offline():
    assert json.loads(WILL_PAYLOAD) == {"status": "offline"}
