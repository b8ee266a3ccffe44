"""Rows from records: an interaction's metrics, and frame times mapped to wall-clock times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.storage.rows import WallClock, interaction_metrics, iso, parse_iso

SUMMARY = {
    "frames": 300,
    "fps": 15.0,
    "face_visible_ratio": 0.98,
    "eye_contact": {"ratio": 0.7, "longest_gaze_s": 4.2, "staring_bouts": 1, "no_look_spells": 0},
    "facing": {"ratio": None, "head_only_turns": None},  # no body tracked
    "lean": {"forward_ratio": 0.25, "back_ratio": 0.05},
    "nods": {"count": 3, "per_minute": 9.0, "impatient_bouts": 0},
    "pointing": {"events": 2, "open_palm_events": 1, "at_face": 1},
    "events": [
        {"kind": "staring"},
        {"kind": "open_palm"},
        {"kind": "watch_check"},
        {"kind": "pointing"},
    ],
}


def test_interaction_metrics_flatten_the_summary_and_keep_unmeasured_as_none():
    metrics = interaction_metrics(SUMMARY, 20.0004)
    assert metrics["duration_s"] == 20.0
    assert metrics["eye_contact_ratio"] == 0.7 and metrics["longest_gaze_s"] == 4.2
    assert metrics["facing_ratio"] is None and metrics["head_only_turns"] is None
    assert (metrics["nods"], metrics["nods_per_min"]) == (3, 9.0)
    assert (metrics["pointing_events"], metrics["pointing_at_face"]) == (2, 1)
    assert metrics["faults"] == 2  # an open palm is not a fault, nor a single watch check


def test_a_malformed_summary_gives_none_not_an_error():
    metrics = interaction_metrics({"eye_contact": "?", "nods": {"count": True}}, -1.0)
    assert metrics["duration_s"] == 0.0
    assert metrics["eye_contact_ratio"] is None and metrics["nods"] is None


@pytest.mark.parametrize(("hidden", "stored"), [(True, 1), (False, 0), (None, None), (1, None)])
def test_hidden_hands_a_yes_or_no_is_stored_as_1_or_0_and_anything_else_as_unjudged(hidden, stored):
    summary = SUMMARY | {"gestures": {"gesturing_ratio": 0.0, "wide_gestures": 0}}
    summary["gestures"]["hidden_hands"] = hidden
    metrics = interaction_metrics(summary, 20.0)
    assert metrics["hidden_hands"] == stored and type(metrics["hidden_hands"]) is type(stored)
    assert (metrics["gesturing_ratio"], metrics["wide_gestures"]) == (0.0, 0)


def test_issue_18s_numbers_are_read_from_where_the_summary_keeps_them():
    summary = SUMMARY | {
        "greeting_s": 3.4,
        "expression": {"frown_ratio": 0.05, "smile_ratio": 0.35, "blank_stare_spells": 2},
        "gestures": {"gesturing_ratio": 0.2, "wide_gestures": 1, "hidden_hands": False},
        "stiffness": {"stiff_spells": 3},
        "events": [{"kind": "slow_greeting"}, {"kind": "hidden_hands"}, {"kind": "open_palm"}],
    }
    metrics = interaction_metrics(summary, 60.0)
    assert metrics["greeting_s"] == 3.4
    assert (metrics["frown_ratio"], metrics["smile_ratio"]) == (0.05, 0.35)
    assert (metrics["blank_stare_spells"], metrics["stiff_spells"]) == (2, 3)
    assert metrics["faults"] == 2  # the new kinds are faults
    # A summary from before issue 18 (SUMMARY) has none of them: unmeasured, not zero.
    old = interaction_metrics(SUMMARY, 20.0)
    assert old["greeting_s"] is None and old["stiff_spells"] is None


def test_frame_times_of_a_live_camera_map_through_the_monotonic_anchor():
    anchor = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    live = WallClock(anchor, anchor_t_s=5000.0)  # the monotonic clock read 5000 s at the start
    assert live.at(5012.5) == anchor + timedelta(seconds=12.5)
    scene = WallClock(anchor)  # a file or scene is timed from the run's start
    assert scene.at(12.5) == anchor + timedelta(seconds=12.5)


def test_iso_times_are_utc_with_milliseconds_and_sort_as_strings():
    plus_two = timezone(timedelta(hours=2))
    text = iso(datetime(2026, 11, 28, 11, 0, 0, 123456, tzinfo=plus_two))
    assert text == "2026-11-28T09:00:00.123+00:00"
    assert parse_iso("2026-11-28T09:00:00Z") == datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert parse_iso("2026-11-28T09:00:00").tzinfo is not None  # no zone: taken as UTC
    times = [iso(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=s)) for s in (9.5, 10, 100)]
    assert sorted(times) == times
