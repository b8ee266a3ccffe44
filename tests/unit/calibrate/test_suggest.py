"""`kiosk calibrate suggest-thresholds` on shift databases written through the real recorder and
writer: the sample shifts, and sites built to trip (or not) each rule."""

from __future__ import annotations

import dataclasses
import hashlib
from argparse import Namespace
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.calibrate.suggest import suggest_thresholds
from kiosk.config import Config, config_from_dict
from kiosk.errors import StorageError
from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock
from kiosk.storage.sample import fill_sample
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.writer import StoreWriter

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
FIRST = NOW - timedelta(days=5)  # the built sites' records start here, 5 days of them
DAY_S = 86400.0


def _config(path, **sections) -> Config:
    return config_from_dict({"storage": {"path": str(path)}, **sections})


def _suggest(config: Config, days: float = 7.0):
    said: list[str] = []
    args = Namespace(days=days, source=None, write=False, config=None)
    result = suggest_thresholds(config, args, say=said.append, now=NOW)
    return said, result


def _line(result, start: str) -> str:
    return next(line for line in result.lines if line.startswith(start))


def _site(
    path,
    n: int,
    *,
    duration_s: float = 300.0,
    eye: float = 0.6,
    greeting_s: float | None = 1.5,
    nudges: tuple[str, ...] = (),
    kinds: tuple = (),
    kinds_in: int | None = None,
    counter: str = "counter-1",
):
    """`n` interactions spread over five days (from FIRST, one each 20 minutes of a day), each
    `duration_s` long with these numbers and nudges; the first `kinds_in` (all) have one event
    of each of `kinds` (a kind, or an event's fields)."""
    recorder = Recorder(counter=counter, schedule=ShiftSchedule((), UTC), wall=WallClock(FIRST))
    writer = StoreWriter(
        path,
        recorder,
        site="site-1",
        source="test",
        retention_days=36500,
        flush_s=10.0,
        clock=lambda: NOW,
    )
    for k in range(n):
        start_s = (k % 5) * DAY_S + (k // 5) * 1200.0
        end_s = start_s + duration_s
        events = [
            (kind if isinstance(kind, dict) else {"kind": kind})
            | {"t_s": start_s + 10.0, "duration_s": 5.0}
            for kind in (kinds if kinds_in is None or k < kinds_in else ())
        ]
        if greeting_s is not None and greeting_s > 3.0:
            events.append(
                {
                    "kind": "slow_greeting",
                    "t_s": start_s,
                    "duration_s": 3.0,
                    "greeting_s": greeting_s,
                }
            )
        recorder.record({"kind": "interaction_start", "start_s": start_s, "arrived_s": start_s})
        for i, cue in enumerate(nudges):
            recorder.record(
                {"kind": "nudge", "cue": cue, "t_s": start_s + 30.0 * (i + 1), "reason": "test"}
            )
        for event in events:
            recorder.record(event)
        recorder.record(
            {
                "kind": "interaction",
                "start_s": start_s,
                "end_s": end_s,
                "arrived_s": start_s,
                "nudges": len(nudges),
                "summary": {
                    "eye_contact": {"ratio": eye},
                    "greeting_s": greeting_s,
                    "events": events,
                },
            }
        )
    writer.close()


def test_the_sample_shifts_nudge_too_often_so_spacing_and_the_busiest_cues_cooldown_go_up(
    tmp_path,
):
    fill_sample(tmp_path / "k.db", now=NOW, days=7)
    said, result = _suggest(_config(tmp_path / "k.db"), days=10)
    assert said == [f"reading {tmp_path / 'k.db'} (read only)"]
    assert "42 interactions on 7 days, 2.2 h with a customer" in result.lines[0]
    assert _line(result, "nudges:") == (
        "nudges: 30 in 2.2 h with a customer, 13.6 an hour "
        "(most: not_facing 9, staring 9, impatient_nodding 7)"
    )
    # 13.6 an hour is 4.5 times the 3 an hour tolerated: raised by the most a run allows (x1.5);
    # not_facing and staring tie for the busiest cue
    assert result.settings == {
        "nudges": {"min_interval_s": 30.0},
        "cues.not_facing": {"cooldown_s": 90.0},
        "cues.staring": {"cooldown_s": 90.0},
    }
    assert _line(result, "eye contact:").startswith("eye contact: median ratio 0.66 over 42")
    assert "8 slow greetings, 1.1 a day" in _line(result, "greeting:")
    assert _line(result, "expression:").startswith("expression: frowning 8%, smiling 29%")
    assert _line(result, "faults:").startswith("faults: none fires in most interactions")


def test_a_quiet_site_with_sound_numbers_gets_no_proposal(tmp_path):
    _site(tmp_path / "k.db", 25, nudges=())
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.settings == {}
    assert _line(result, "nudges:").startswith("nudges: 0 in 2.1 h with a customer, 0.0 an hour")
    assert "  at most 3 an hour: nothing to change" in result.lines


def test_spacing_is_never_proposed_past_two_minutes(tmp_path):
    # one nudge per 5-minute interaction: 12 an hour
    _site(tmp_path / "k.db", 25, nudges=("pointing",))
    config = _config(tmp_path / "k.db", nudges={"min_interval_s": 100.0})
    _, result = _suggest(config)
    assert result.settings["nudges"] == {"min_interval_s": 120.0}  # not 100 x 1.5
    assert result.settings["cues.pointing"] == {"cooldown_s": 90.0}


def test_eye_contact_far_too_low_asks_to_measure_the_customer_again_and_proposes_no_number(
    tmp_path,
):
    _site(tmp_path / "k.db", 25, eye=0.1)
    _, result = _suggest(_config(tmp_path / "k.db"))
    line = _line(result, "eye contact:")
    assert line.startswith("eye contact: median ratio 0.10 over 25 interactions, outside 0.2..0.95")
    assert "re-run `kiosk calibrate customer-target`" in line
    assert result.settings == {}


def test_slow_greetings_keep_the_limit_and_say_how_many_a_day(tmp_path):
    _site(tmp_path / "k.db", 25, greeting_s=8.0)  # every customer waits 8 s for a look
    _, result = _suggest(_config(tmp_path / "k.db"))
    line = _line(result, "greeting:")
    assert line.startswith("greeting: median 8.0 s over 25 interactions, well above")
    assert "(25 slow greetings, 5.0 a day): keep the limit" in line
    assert "greeting" not in result.settings


def test_a_fault_in_most_interactions_gets_its_minimum_time_up_one_notch(tmp_path):
    # staring in 18 of 25 interactions (72%)
    _site(tmp_path / "k.db", 25, kinds=("staring",), kinds_in=18)
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.settings == {"eye_contact": {"stare_limit_s": 5.0}}
    assert _line(result, "faults:").startswith("faults: staring in 18 of 25 interactions (72%)")


def test_a_fault_in_fewer_than_half_the_interactions_is_left_alone(tmp_path):
    _site(tmp_path / "k.db", 25, kinds=("stiff", "wide_gesture"), kinds_in=12)  # 48%
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.settings == {}
    assert _line(result, "faults:") == (
        "faults: none fires in most interactions (the commonest: stiff 48%, wide_gesture 48%)"
    )


def test_a_notch_stops_at_the_keys_documented_maximum(tmp_path):
    _site(tmp_path / "k.db", 25, kinds=("staring", "blank_stare"))
    config = _config(
        tmp_path / "k.db", eye_contact={"stare_limit_s": 60.0}, expression={"blank_stare_s": 599.0}
    )
    _, result = _suggest(config)
    assert "  [eye_contact] stare_limit_s stays 60: it is already at its bound" in result.lines
    assert result.settings == {"expression": {"blank_stare_s": 600.0}}  # +2 s, capped at 600


def test_pointing_at_the_face_is_never_tuned(tmp_path):
    _site(tmp_path / "k.db", 25, kinds=("pointing",))
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.settings == {"pointing": {"min_hold_s": 0.5}}  # 0.3 s, one notch up
    # the same events aimed at the face count for nothing
    _site(tmp_path / "face.db", 25, kinds=({"kind": "pointing", "at_face": True},))
    _, result = _suggest(_config(tmp_path / "face.db"))
    assert result.settings == {}


def test_fewer_than_twenty_interactions_propose_nothing_and_say_so(tmp_path):
    _site(tmp_path / "k.db", 19, eye=0.1, nudges=("staring", "staring"), kinds=("staring",))
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.settings == {}
    assert result.lines[1] == (
        "only 19 interactions: nothing is proposed from fewer than 20; run again after more "
        "shifts (or with more --days)"
    )
    # what was found is still said
    assert _line(result, "faults:").startswith("faults: staring in 19 of 19 interactions")


def test_only_the_last_days_count(tmp_path):
    _site(tmp_path / "k.db", 25, nudges=("staring",) * 3)  # over five days from FIRST
    _, result = _suggest(_config(tmp_path / "k.db"), days=2.5)  # the last two of them
    assert result.lines[0].endswith("10 interactions on 2 days, 0.8 h with a customer")
    assert result.settings == {}


def test_records_of_another_counter_are_not_this_ones(tmp_path):
    _site(tmp_path / "k.db", 25, counter="counter-2")
    _, result = _suggest(_config(tmp_path / "k.db"))
    assert result.lines == [
        result.lines[0],
        "the database has counters counter-2: is [counter] name right?",
    ]
    assert result.lines[0].startswith("no interaction of counter counter-1 since")
    assert result.settings == {}


def test_a_missing_database_is_one_storage_error_naming_the_setting(tmp_path):
    with pytest.raises(StorageError, match=r"no shift database there: check \[storage\] path"):
        _suggest(_config(tmp_path / "none.db"))
    assert not (tmp_path / "none.db").exists()


def test_the_database_is_only_read(tmp_path):
    path = tmp_path / "k.db"
    _site(path, 25, nudges=("staring",) * 3)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    _, result = _suggest(_config(path))
    assert result.settings  # it did find something
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_closed_database_is_read_without_leaving_a_wal_or_shm_file_beside_it(tmp_path):
    # made by root (sudo), such files would lock the kiosk's own service out of its database
    _site(tmp_path / "k.db", 25)
    assert [p.name for p in tmp_path.iterdir()] == ["k.db"]
    _suggest(_config(tmp_path / "k.db"))
    assert [p.name for p in tmp_path.iterdir()] == ["k.db"]


def test_a_database_a_kiosk_is_writing_is_read_with_its_latest_batch(tmp_path):
    _site(tmp_path / "k.db", 24)
    recorder = Recorder(counter="counter-1", schedule=ShiftSchedule((), UTC), wall=WallClock(NOW))
    writer = StoreWriter(
        tmp_path / "k.db", recorder, site="site-1", source="test", retention_days=36500,
        flush_s=10.0, clock=lambda: NOW,
    )  # fmt: skip
    try:
        recorder.record(
            {"kind": "interaction", "start_s": -400.0, "end_s": -100.0, "nudges": 0, "summary": {}}
        )
        writer.flush()  # in the WAL, not yet in the database file
        _, result = _suggest(_config(tmp_path / "k.db"))
    finally:
        writer.close()
    assert "25 interactions" in result.lines[0]


def test_a_database_from_an_older_kiosk_is_not_migrated_here(tmp_path):
    import sqlite3

    path = tmp_path / "k.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with pytest.raises(StorageError, match=r"schema version 2.*migrates it on opening"):
        _suggest(_config(path))


def test_every_proposal_lies_within_its_keys_bounds(tmp_path):
    _site(tmp_path / "k.db", 25, nudges=("staring",) * 4, kinds=tuple(_ALL_KINDS))
    config = _config(tmp_path / "k.db")
    _, result = _suggest(config)
    # every fault's notch, the spacing and the busiest cue's cooldown
    assert sum(len(values) for values in result.settings.values()) == len(_ALL_KINDS) + 2
    for section, values in result.settings.items():
        obj = config
        for part in section.split("."):
            obj = getattr(obj, part)
        fields = {f.name: f for f in dataclasses.fields(obj)}
        for key, value in values.items():
            meta = fields[key].metadata
            assert meta["min"] <= value <= meta["max"], (section, key, value)
            assert value > getattr(obj, key), (section, key)


_ALL_KINDS = (
    "staring", "no_look", "head_only_turn", "turned_away", "leaning_back", "impatient_nodding",
    "pointing", "watch_checks", "frown", "blank_stare", "stiff", "wide_gesture", "hidden_hands",
)  # fmt: skip
