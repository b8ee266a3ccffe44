"""The live kiosk on rendered scenes, real models: cues light when faults reach their limits,
not otherwise, and the same scene nudges alike at 5 and 15 fps."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime

import pytest
from conftest import config_at

from kiosk import app
from kiosk.config import Config
from kiosk.gpio import mock_pin_factory
from kiosk.scenes.library import SCENARIOS
from kiosk.storage.store import Store


@pytest.mark.parametrize("fps", [15.0])  # 5 fps: counter_shift's staring nudge, below
def test_stares_lights_the_staring_cue_within_its_limit_plus_one_frame(live_of, fps):
    run = live_of("stares", fps)
    nudges = run.of_kind("nudge")
    assert [n["cue"] for n in nudges] == ["staring"]
    nudge = nudges[0]
    limit_s = Config().eye_contact.stare_limit_s
    # the gaze begins as the head comes up from the desk at 2.0 s (0.4 s ease)
    assert 2.0 <= nudge["fault_since_s"] <= 2.5
    assert nudge["t_s"] - nudge["fault_since_s"] <= limit_s + 1.0 / fps + 1e-6
    assert nudge["t_s"] == nudge["fault_active_s"]  # lit on the frame the limit was reached


def test_attentive_service_lights_nothing(live_of):
    run = live_of("attentive")
    assert run.of_kind("nudge") == []
    assert len(run.of_kind("interaction")) == 1


def cues(run):
    return [n["cue"] for n in run.of_kind("nudge")]


def test_a_customer_not_looked_at_within_the_limit_lights_slow_greeting(live_of):
    run = live_of("slow_greeting")
    fps = run.fps
    (arrive_s, _), limit_s = SCENARIOS["slow_greeting"].customer[0], Config().greeting.limit_s
    (nudge,) = run.of_kind("nudge")
    assert nudge["cue"] == "slow_greeting"
    assert nudge["fault_since_s"] == pytest.approx(arrive_s, abs=1.0 / fps + 1e-6)
    assert arrive_s + limit_s <= nudge["t_s"] <= arrive_s + limit_s + 1.0 / fps + 1e-6
    (interaction,) = run.of_kind("interaction")
    # the head comes up from the till at 7.0 s, 6 s after the arrival
    assert 6.0 <= interaction["summary"]["greeting_s"] <= 6.7
    assert interaction["arrived_s"] == pytest.approx(arrive_s, abs=1.0 / fps + 1e-6)


@pytest.mark.parametrize("name, cue", [("stiff", "stiff"), ("wide_gestures", "wide_gesture")])
def test_each_new_fault_reaches_its_cue(live_of, name, cue):
    assert cue in cues(live_of(name))


def test_a_blank_stare_is_held_back_by_the_no_look_nudge_shown_just_before_it(live_of):
    # a vacant look away is also no look at the customer, nudged at 8 s; the blank stare's
    # fault comes 2 s later, while that cue shows and within 20 s of it: held, saying why
    run = live_of("blank_stare")
    assert cues(run) == ["no_eye_contact"]
    held = {cue: why for step in run.steps for cue, why in step.held}
    assert held["blank_stare"] in (
        "no_eye_contact is showing",
        "at most one nudge per 20 s (next at t=%.1f s)" % (run.of_kind("nudge")[0]["t_s"] + 20),
    )


def test_a_frown_is_a_live_fault_but_not_nudged_by_default(live_of):
    run = live_of("frowning")
    assert "frown" not in cues(run)
    faults = {f.kind for step in run.steps for f in step.faults}
    assert "frown" in faults


def test_counter_shift_nudges_alike_at_5_and_15_fps(live_of):
    slow, fast = live_of("counter_shift", 5.0), live_of("counter_shift", 15.0)
    assert cues(fast) == cues(slow)
    assert "staring" in cues(fast)
    for a, b in zip(slow.of_kind("nudge"), fast.of_kind("nudge"), strict=True):
        assert a["t_s"] == pytest.approx(b["t_s"], abs=0.6)


@pytest.mark.parametrize("fps", [5.0, 15.0])
def test_counter_shift_is_one_interaction_from_arrival_to_departure(live_of, fps):
    run = live_of("counter_shift", fps)
    (interaction,) = run.of_kind("interaction")
    min_present_s = Config().presence.min_present_s
    (arrive_s, leave_s) = SCENARIOS["counter_shift"].customer[0]
    assert interaction["start_s"] == pytest.approx(arrive_s + min_present_s, abs=1.5 / fps)
    assert interaction["end_s"] == pytest.approx(leave_s, abs=1.5 / fps)
    summary = interaction["summary"]
    assert summary["eye_contact"]["staring_bouts"] == 1
    assert summary["nods"]["impatient_bouts"] == 1


@pytest.mark.parametrize("fps", [5.0, 15.0])
def test_nothing_is_nudged_or_counted_while_no_customer_is_there(live_of, fps):
    run = live_of("counter_shift", fps)
    (interaction,) = run.of_kind("interaction")
    for nudge in run.of_kind("nudge"):
        assert interaction["start_s"] <= nudge["t_s"] <= interaction["end_s"]
    for step in run.steps:
        if not step.customer:
            assert step.cue is None and step.faults == ()


def test_kiosk_run_lights_the_mock_led_on_the_nudge_frame_and_darkens_at_the_end(tmp_path):
    config = dataclasses.replace(Config(), camera=config_at(5.0).camera)
    config = dataclasses.replace(
        config,
        leds=dataclasses.replace(config.leds, backend="mock"),
        storage=dataclasses.replace(config.storage, path=str(tmp_path / "data" / "kiosk.db")),
    )
    factory = mock_pin_factory()
    eyes = config.cues.staring.pins[0]
    lit_on_nudge = []

    def check(step):
        if step.nudges:
            lit_on_nudge.append(factory.pin(eyes).state)

    stats = app.run_kiosk(config, source="scene:stares", pin_factory=factory, on_step=check)
    assert stats.nudges_by_cue == {"staring": 1}
    assert lit_on_nudge == [pytest.approx(config.leds.brightness)]
    assert len(stats.latencies_ms) == 1 and stats.latencies_ms[0] >= 0.0
    assert factory.pin(eyes).state == 0  # everything dark after the run
    assert stats.interactions == 1
    # ... and the shift database holds the same run, in numbers only
    store = Store.open(tmp_path / "data" / "kiosk.db")
    (interaction,) = store.interactions(datetime(2000, 1, 1, tzinfo=UTC))
    assert interaction["staring_bouts"] == 1 and interaction["nudges"] == 1
    detail = store.shift(interaction["shift_id"])
    assert detail["summary"]["nudges_by_cue"] == {"staring": 1}
    assert sum(m["frames"] for m in detail["minutes"]) == stats.processed
    assert store.status()["status"] == "stopped"
    assert_no_image_data(tmp_path / "data")


# JPEG, PNG, GIF, WebP/AVI, MP4/HEIF, Matroska: the start of any image or video file
IMAGE_SIGNATURES = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n",
    b"GIF89a",
    b"RIFF",
    b"ftypisom",
    b"\x1aE\xdf\xa3",
)


def assert_no_image_data(folder):
    """Privacy: the data folder holds the database alone, and the database only numbers and
    short texts: no image, no landmark stream, no blob."""
    names = sorted(p.name for p in folder.iterdir())
    assert set(names) <= {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm"}, names
    conn = sqlite3.connect(folder / "kiosk.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    values = 0
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                values += 1
                assert value is None or isinstance(value, int | float | str), (table, value)
                if isinstance(value, str):
                    assert len(value) < 20_000 and "landmark" not in value, (table, value[:80])
    assert values > 50  # the scan saw the run: shifts, the interaction, minutes, the nudge
    for path in folder.iterdir():
        data = path.read_bytes()
        assert not any(signature in data for signature in IMAGE_SIGNATURES), path
    assert (folder / "kiosk.db").stat().st_size < 1_000_000
