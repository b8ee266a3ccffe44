"""The pause state: button toggles, optional auto-resume, spans on the frame clock."""

from kiosk.feedback.pause import PauseState


def test_two_presses_make_one_pause_span():
    pause = PauseState()
    assert pause.toggle(10.0) is None and pause.paused
    span = pause.toggle(25.5)
    assert not pause.paused
    assert span.to_json() == {"kind": "pause", "start_s": 10.0, "end_s": 25.5}


def test_auto_resume_ends_the_pause_at_exactly_its_limit():
    pause = PauseState(auto_resume_min=2.0)
    pause.toggle(100.0)
    assert pause.check(219.9) is None and pause.paused
    span = pause.check(221.3)
    assert (span.start_s, span.end_s) == (100.0, 220.0) and not pause.paused


def test_without_auto_resume_a_pause_lasts_until_the_next_press():
    pause = PauseState(auto_resume_min=0.0)
    pause.toggle(0.0)
    assert pause.check(86_400.0) is None and pause.paused
