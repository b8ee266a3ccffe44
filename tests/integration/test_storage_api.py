"""The dashboard's API gives the same numbers as `kiosk analyze --json` for the same scene: the
scene's landmarks (tracked once, shared with the other scene tests) go through the pipeline
step as `kiosk run` takes them, into the shift database, and out through the Flask app."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from conftest import config_at, scenario_run, tracked_scene

from kiosk.dashboard import create_app
from kiosk.dashboard.auth import new_token
from kiosk.feedback.rules import NudgeRules
from kiosk.pipeline import Pipeline
from kiosk.presence.interaction import InteractionTracker
from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.store import Store
from kiosk.storage.writer import StoreWriter

SCENE = "counter_shift"
METRICS = {
    "eye_contact_ratio": ("eye_contact", "ratio"),
    "longest_gaze_s": ("eye_contact", "longest_gaze_s"),
    "staring_bouts": ("eye_contact", "staring_bouts"),
    "no_look_spells": ("eye_contact", "no_look_spells"),
    "facing_ratio": ("facing", "ratio"),
    "head_only_turns": ("facing", "head_only_turns"),
    "lean_forward_ratio": ("lean", "forward_ratio"),
    "lean_back_ratio": ("lean", "back_ratio"),
    "nods": ("nods", "count"),
    "nods_per_min": ("nods", "per_minute"),
    "impatient_bouts": ("nods", "impatient_bouts"),
    "pointing_events": ("pointing", "events"),
    "face_visible_ratio": ("face_visible_ratio",),
    "frames": ("frames",),
}
# Issue 18's: null in the API where the summary has no such number (a summary written before
# those signals, or nothing measured).
CONDUCT_METRICS = {
    "greeting_s": ("greeting_s",),
    "frown_ratio": ("expression", "frown_ratio"),
    "smile_ratio": ("expression", "smile_ratio"),
    "blank_stare_spells": ("expression", "blank_stare_spells"),
    "gesturing_ratio": ("gestures", "gesturing_ratio"),
    "wide_gestures": ("gestures", "wide_gestures"),
    "stiff_spells": ("stiffness", "stiff_spells"),
    "hidden_hands": ("gestures", "hidden_hands"),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The scene run as `kiosk run` with a customer there from the first frame (presence
    "always", no minimum), stored, and an API client with a bearer token."""
    folder = tmp_path_factory.mktemp("api")
    tracked = tracked_scene(SCENE, 15.0)
    config = config_at(15.0)
    config = dataclasses.replace(
        config,
        storage=dataclasses.replace(config.storage, path=str(folder / "kiosk.db")),
        dashboard=dataclasses.replace(config.dashboard, secret_key_file=str(folder / "key")),
    )
    pipeline = Pipeline(
        config,
        None,
        source_name=f"scene:{SCENE}",
        fps=15.0,
        interactions=InteractionTracker(0.0, 3600.0),
        rules=NudgeRules(config.nudges, config.cues),
    )
    recorder = Recorder(
        counter=config.counter.name,
        schedule=ShiftSchedule(()),
        wall=WallClock(datetime.now(UTC)),
    )
    writer = StoreWriter(
        folder / "kiosk.db", recorder, site="site-1", source=f"scene:{SCENE}", retention_days=30
    )
    for landmarks in tracked.landmarks:
        step = pipeline.step_landmarks(landmarks, True)
        recorder.frame(landmarks.t_s, step)
        for record in step.records:
            recorder.record(record)
    for record in pipeline.finish(len(tracked.landmarks) / 15.0):
        recorder.record(record)
    writer.close()
    store = Store.open(folder / "kiosk.db")
    token, token_hash = new_token()
    store.add_token("grafana", token_hash)
    client = create_app(store, config).test_client()
    yield client, {"Authorization": f"Bearer {token}"}
    store.close()


def dig(summary, path):
    for key in path:
        summary = summary[key]
    return summary


def dig_or_none(summary, path):
    for key in path:
        if not isinstance(summary, dict):
            return None
        summary = summary.get(key)
    return summary


def test_the_api_interaction_has_the_numbers_analyze_prints(api):
    client, auth = api
    response = client.get("/api/interactions?since=2000-01-01T00:00:00Z", headers=auth)
    assert response.status_code == 200
    (stored,) = response.get_json()["interactions"]
    analyzed = scenario_run(SCENE).summary
    for column, path in METRICS.items():
        assert stored[column] == dig(analyzed, path), column
    for column, path in CONDUCT_METRICS.items():
        expected = dig_or_none(analyzed, path)
        assert stored[column] == expected and type(stored[column]) is type(expected), column
    assert stored["duration_s"] == pytest.approx(analyzed["duration_s"], abs=1e-3)
    assert stored["summary"]["eye_contact"] == analyzed["eye_contact"]
    assert stored["summary"]["nods"] == analyzed["nods"]


def test_the_api_shift_summary_of_one_interaction_is_that_interaction(api):
    client, auth = api
    (shift,) = client.get("/api/shifts", headers=auth).get_json()["shifts"]
    detail = client.get(f"/api/shifts/{shift['id']}", headers=auth).get_json()
    analyzed = scenario_run(SCENE).summary
    summary = detail["summary"]
    assert summary["interactions"] == 1
    assert summary["eye_contact_ratio"] == analyzed["eye_contact"]["ratio"]
    assert summary["facing_ratio"] == analyzed["facing"]["ratio"]
    assert summary["nods"] == analyzed["nods"]["count"]
    assert summary["impatient_bouts"] == analyzed["nods"]["impatient_bouts"]
    for key in ("frown_ratio", "smile_ratio"):
        assert summary[key] == dig_or_none(analyzed, ("expression", key)), key
    assert summary["gesturing_ratio"] == dig_or_none(analyzed, ("gestures", "gesturing_ratio"))
    greeting_s = analyzed.get("greeting_s")
    assert summary["mean_greeting_s"] == (None if greeting_s is None else round(greeting_s, 2))
    assert summary["hidden_hands_interactions"] == int(
        bool(dig_or_none(analyzed, ("gestures", "hidden_hands")))
    )
    # Slow greetings are counted from the stored events: each one the run recorded is there.
    kinds = [event["kind"] for event in analyzed["events"]]
    assert summary["slow_greetings"] == kinds.count("slow_greeting")
    assert sum(m["frowns"] for m in detail["minutes"]) == kinds.count("frown")
    # the per-minute frames add up to every frame of the scene
    assert sum(m["frames"] for m in detail["minutes"]) == analyzed["frames"]
    csv_lines = client.get(f"/shifts/{shift['id']}.csv", headers=auth).get_data(as_text=True)
    assert len(csv_lines.strip().splitlines()) == 2  # the header and the one interaction
