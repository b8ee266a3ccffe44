"""Runs, shares of time and fault onsets on hand-placed frame times: where a change is placed,
when a break counts, dropouts, and timestamps that do not move forward."""

import pytest

from kiosk.signals.runs import Onset, Run, Runs, TimeShare


def play(runs: Runs, frames) -> list[tuple[float, Run]]:
    """(t_s of the frame a run ended on, run) for `frames` of (t_s, holds)."""
    ended = []
    for t_s, holds in frames:
        run = runs.update(t_s, holds)
        if run is not None:
            ended.append((t_s, run))
    return ended


def regular(start_s, end_s, step_s, holds):
    n = round((end_s - start_s) / step_s)
    return [(round(start_s + i * step_s, 6), holds) for i in range(n)]


def test_a_change_between_two_regular_frames_is_placed_at_their_midpoint():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    frames = regular(0.0, 0.5, 0.1, False) + regular(0.5, 1.5, 0.1, True)
    frames += regular(1.5, 2.5, 0.1, False)
    [(_, run)] = play(runs, frames)
    assert run.start_s == pytest.approx(0.45)
    assert run.end_s == pytest.approx(1.45)


def test_a_break_counts_on_the_first_frame_by_which_it_has_lasted_the_minimum():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    ended = play(runs, regular(0.0, 1.1, 0.1, True) + regular(1.1, 2.0, 0.1, False))
    # The break began at 1.05 (between the frames at 1.0 and 1.1): 0.25 s by 1.3, 0.35 s by 1.4.
    assert [t for t, _ in ended] == [pytest.approx(1.4)]
    assert ended[0][1].end_s == pytest.approx(1.05)


def test_a_single_frame_looking_away_among_regular_frames_is_too_short_to_break():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    frames = [*regular(0.0, 1.2, 0.2, True), (1.2, False), *regular(1.4, 3.0, 0.2, True)]
    assert play(runs, frames) == []
    assert runs.finish(3.0) == Run(0.0, 3.0)


def test_unseen_time_next_to_a_seen_break_belongs_to_the_break():
    # One frame saw the look away; the next one was dropped. Midpoints would give the break
    # (1.6 - 1.0) / 2 = 0.3 s; the frames around it speak only for half an interval: 0.4 s.
    runs = Runs(min_break_s=0.35, dropout_limit_s=1.0)
    frames = [*regular(0.0, 1.2, 0.2, True), (1.2, False), *regular(1.6, 3.0, 0.2, True)]
    [(t_s, run)] = play(runs, frames)
    assert t_s == pytest.approx(1.6)
    assert run == Run(0.0, pytest.approx(1.1))
    assert runs.start_s == pytest.approx(1.5)


def test_dropped_frames_between_frames_that_agree_are_bridged():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    frames = regular(0.0, 2.0, 0.1, True) + regular(2.9, 4.0, 0.1, True)
    assert play(runs, frames) == []
    assert runs.held_s == pytest.approx(3.9)


def test_a_gap_longer_than_the_dropout_limit_ends_the_run_where_it_was_last_seen():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    frames = regular(0.0, 2.0, 0.1, True) + regular(12.0, 13.0, 0.1, True)
    [(t_s, run)] = play(runs, frames)
    assert t_s == 12.0
    # Each frame beside the stall speaks for half a typical interval into it, no more.
    assert run == Run(0.0, pytest.approx(1.95))
    assert runs.start_s == pytest.approx(11.95)


def test_frames_whose_time_does_not_move_forward_are_ignored():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    play(runs, regular(0.0, 2.0, 0.1, True))
    assert runs.update(1.9, False) is None  # repeated
    assert runs.update(0.5, False) is None  # backwards
    assert runs.update(-3.0, True) is None
    assert runs.held_s == pytest.approx(1.9)
    run = runs.finish(2.0)
    assert run == Run(0.0, 2.0)


def test_a_frame_that_cannot_tell_ends_a_run_only_after_the_dropout_limit():
    runs = Runs(min_break_s=0.3, dropout_limit_s=1.0)
    play(runs, regular(0.0, 2.0, 0.1, True))
    assert runs.expire(2.5) is None
    assert runs.holding
    assert runs.expire(3.0) == Run(0.0, pytest.approx(1.95))
    assert not runs.holding


def test_time_share_splits_each_gap_at_its_middle_and_leaves_dropouts_unmeasured():
    share = TimeShare(dropout_limit_s=1.0)
    for t_s, value in [(0.0, True), (1.0, False), (2.0, None), (3.0, True), (10.0, True)]:
        share.update(t_s, value)
    share.update(9.0, False)  # backwards: ignored
    share.finish(10.5)
    # 0-0.5 true, 0.5-1.5 false, 1.5-2.5 none, 2.5-3 true, 3-10 a dropout, 10-10.5 true.
    assert share.measured_s == pytest.approx(2.5)
    assert share.true_s == pytest.approx(1.5)
    assert share.ratio == 0.6


def test_an_onset_is_active_from_the_frame_the_minimum_is_reached_until_it_is_not():
    onset = Onset("staring")
    assert onset.update(1.0, 0.0, reached=False) is None
    fault = onset.update(1.2, 0.0, reached=True)
    assert (fault.kind, fault.since_s, fault.active_s) == ("staring", 0.0, 1.2)
    assert onset.update(1.4, 0.0, reached=True).active_s == 1.2
    assert onset.update(1.6, 1.5, reached=True).active_s == 1.6  # a new behaviour
    assert onset.update(1.8, None, reached=True) is None
