"""LED output on gpiozero's MockFactory (PWM pins), driven with synthetic times; and the console."""

from __future__ import annotations

import dataclasses
import io
import itertools
import subprocess
import sys
import time

import pytest
from gpiozero import PWMLED
from gpiozero.exc import GPIOPinInUse
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.config import Config, config_from_dict
from kiosk.errors import ConfigError, GpioError
from kiosk.feedback.leds import build_leds, pattern_level

BRIGHTNESS = 0.15  # the default [leds] brightness
EYES, BODY, HANDS = 17, 27, 22  # the default cue wiring
STATUS_RED, STATUS_GREEN, STATUS_BLUE = 5, 6, 13


@pytest.fixture
def factory():
    return MockFactory(pin_class=MockPWMPin)


def _leds(factory, config: Config | None = None):
    return build_leds(config or Config(), "mock", pin_factory=factory, animate=False)


def _level(factory, pin: int) -> float:
    return factory.pin(pin).state


def _with_cue(config: Config, cue: str, **changes) -> Config:
    cue_config = dataclasses.replace(getattr(config.cues, cue), **changes)
    return dataclasses.replace(config, cues=dataclasses.replace(config.cues, **{cue: cue_config}))


def _with_leds(config: Config, **changes) -> Config:
    return dataclasses.replace(config, leds=dataclasses.replace(config.leds, **changes))


def _refresh_levels(leds, factory, pin: int, start_s: float, offsets_s) -> list[float]:
    leds.refresh(start_s)  # the pattern's clock starts at the first refresh after a change
    levels = []
    for offset_s in offsets_s:
        leds.refresh(start_s + offset_s)
        levels.append(_level(factory, pin))
    return levels


# --- patterns, pure --------------------------------------------------------------------------


def test_blink_is_on_for_half_a_second_then_off_for_half_a_second():
    assert [pattern_level("blink", t) for t in (0.0, 0.25, 0.49, 0.5, 0.75, 1.0, 1.25)] == [
        1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0
    ]  # fmt: skip


def test_fast_blink_toggles_every_eighth_of_a_second():
    levels = [pattern_level("fast_blink", t) for t in (0.06, 0.19, 0.31, 0.44)]
    assert levels == [1.0, 0.0, 1.0, 0.0]


def test_slow_pulse_starts_at_its_peak_fades_out_at_one_second_and_repeats_every_two():
    assert pattern_level("slow_pulse", 0.0) == pytest.approx(1.0)
    assert pattern_level("slow_pulse", 0.5) == pytest.approx(0.5)
    assert pattern_level("slow_pulse", 1.0) == pytest.approx(0.0)
    assert pattern_level("slow_pulse", 2.0) == pytest.approx(1.0)
    levels = [pattern_level("slow_pulse", i / 100) for i in range(400)]
    steps = [abs(b - a) for a, b in itertools.pairwise(levels)]
    assert max(steps) < 0.02  # smooth: no jump between 10 ms samples
    assert min(levels) >= 0.0 and max(levels) <= 1.0


def test_every_pattern_starts_lit_so_a_new_cue_shows_at_once():
    for pattern in ("steady", "slow_pulse", "blink", "fast_blink"):
        assert pattern_level(pattern, 0.0) == 1.0


# --- cue LEDs on mock pins ---------------------------------------------------------------------


def test_a_steady_cue_lights_its_led_at_brightness_on_the_show_call_itself(factory):
    leds = _leds(factory)
    assert _level(factory, EYES) == 0.0
    leds.show("no_eye_contact", 3.0)  # steady, GPIO17
    assert _level(factory, EYES) == pytest.approx(BRIGHTNESS)  # before any refresh
    assert _refresh_levels(leds, factory, EYES, 100.0, (0.3, 0.8, 5.0)) == pytest.approx(
        [BRIGHTNESS] * 3
    )


def test_a_blinking_cue_is_on_at_a_quarter_second_and_off_at_three_quarters(factory):
    leds = _leds(factory)
    leds.show("leaning_back", 0.0)  # blink, GPIO27
    assert _level(factory, BODY) == pytest.approx(BRIGHTNESS)
    levels = _refresh_levels(leds, factory, BODY, 50.0, (0.25, 0.75, 1.25, 1.75))
    assert levels == pytest.approx([BRIGHTNESS, 0.0, BRIGHTNESS, 0.0])


def test_pointing_at_the_face_blinks_fast_every_eighth_of_a_second(factory):
    leds = _leds(factory)
    leds.show("pointing_at_face", 0.0)  # fast_blink, GPIO22
    levels = _refresh_levels(leds, factory, HANDS, 7.0, (0.06, 0.19, 0.31, 0.44))
    assert levels == pytest.approx([BRIGHTNESS, 0.0, BRIGHTNESS, 0.0])


def test_a_pulsing_cue_peaks_at_brightness_never_above_and_fades_to_dark(factory):
    leds = _leds(factory)
    leds.show("staring", 0.0)  # slow_pulse, GPIO17
    levels = _refresh_levels(leds, factory, EYES, 20.0, [i * 0.02 for i in range(1, 201)])
    assert max(levels) == pytest.approx(BRIGHTNESS, abs=1e-3)
    assert max(levels) <= BRIGHTNESS + 1e-12
    assert min(levels) == pytest.approx(0.0, abs=1e-3)
    assert levels[24] == pytest.approx(BRIGHTNESS / 2, abs=1e-6)  # 0.5 s: half way down


def test_repeating_the_same_cue_every_frame_does_not_restart_its_blink(factory):
    leds = _leds(factory)
    leds.show("leaning_back", 0.0)
    leds.refresh(50.0)
    leds.show("leaning_back", 0.1)
    leds.refresh(50.75)
    leds.show("leaning_back", 0.2)
    assert _level(factory, BODY) == 0.0  # still in the off half of the blink


def test_showing_another_cue_turns_the_previous_cues_led_off(factory):
    leds = _leds(factory)
    leds.show("pointing", 1.0)  # GPIO22
    leds.show("not_facing", 2.0)  # GPIO27
    assert _level(factory, HANDS) == 0.0
    assert _level(factory, BODY) == pytest.approx(BRIGHTNESS)
    leds.show(None, 3.0)
    assert _level(factory, BODY) == 0.0


def test_a_shared_led_takes_the_new_cues_pattern_and_stays_lit(factory):
    leds = _leds(factory)
    leds.show("no_eye_contact", 0.0)  # steady on GPIO17
    leds.refresh(10.0)
    leds.show("impatient_nodding", 0.5)  # blink on the same GPIO17
    assert _level(factory, EYES) == pytest.approx(BRIGHTNESS)
    assert _refresh_levels(leds, factory, EYES, 11.0, (0.25, 0.75)) == pytest.approx(
        [BRIGHTNESS, 0.0]
    )


def test_an_rgb_cue_led_mixes_its_colour_at_brightness(factory):
    config = _with_cue(Config(), "staring", pins=(16, 20, 21), pattern="steady", color="amber")
    config = _with_cue(config, "pointing", pins=(16, 20, 21), color="red")
    leds = _leds(factory, config)
    leds.show("staring", 0.0)
    amber = [_level(factory, pin) for pin in (16, 20, 21)]
    assert amber == pytest.approx([BRIGHTNESS, BRIGHTNESS / 2, 0.0])
    leds.show("pointing", 1.0)
    red = [_level(factory, pin) for pin in (16, 20, 21)]
    assert red == pytest.approx([BRIGHTNESS, 0.0, 0.0])


def test_brightness_sets_the_duty_of_a_lit_led(factory):
    leds = _leds(factory, _with_leds(Config(), brightness=0.6))
    leds.show("not_facing", 0.0)
    assert _level(factory, BODY) == pytest.approx(0.6)


def test_active_low_leds_are_inverted_dark_is_a_high_pin(factory):
    leds = _leds(factory, _with_leds(Config(), active_high=False))
    assert _level(factory, BODY) == pytest.approx(1.0)
    leds.show("not_facing", 0.0)
    assert _level(factory, BODY) == pytest.approx(1.0 - BRIGHTNESS)


def test_an_unknown_cue_name_is_a_bug(factory):
    with pytest.raises(ValueError, match="squinting"):
        _leds(factory).show("squinting", 0.0)


# --- status LED --------------------------------------------------------------------------------


def _status(factory) -> list[float]:
    return [_level(factory, pin) for pin in (STATUS_RED, STATUS_GREEN, STATUS_BLUE)]


def test_tracking_is_steady_green(factory):
    leds = _leds(factory)
    leds.set_status("tracking", 0.0)
    leds.refresh(1.0)
    leds.refresh(1.75)
    assert _status(factory) == pytest.approx([0.0, BRIGHTNESS, 0.0])


def test_no_customer_pulses_green_slowly(factory):
    leds = _leds(factory)
    leds.set_status("no_customer", 0.0)
    greens = _refresh_levels(leds, factory, STATUS_GREEN, 5.0, (0.5, 1.0, 2.0))
    assert greens == pytest.approx([BRIGHTNESS / 2, 0.0, BRIGHTNESS], abs=1e-6)
    assert _level(factory, STATUS_RED) == 0.0 and _level(factory, STATUS_BLUE) == 0.0


def test_paused_blinks_blue(factory):
    leds = _leds(factory)
    leds.set_status("paused", 0.0)
    blues = _refresh_levels(leds, factory, STATUS_BLUE, 5.0, (0.25, 0.75))
    assert blues == pytest.approx([BRIGHTNESS, 0.0])
    assert _level(factory, STATUS_GREEN) == 0.0


def test_a_camera_fault_blinks_red_fast_and_replaces_green_at_once(factory):
    leds = _leds(factory)
    leds.set_status("tracking", 0.0)
    leds.set_status("camera_fault", 1.0)
    assert _status(factory) == pytest.approx([BRIGHTNESS, 0.0, 0.0])
    reds = _refresh_levels(leds, factory, STATUS_RED, 5.0, (0.06, 0.19))
    assert reds == pytest.approx([BRIGHTNESS, 0.0])


def test_status_off_is_dark(factory):
    leds = _leds(factory)
    leds.set_status("tracking", 0.0)
    leds.set_status("off", 1.0)
    leds.refresh(2.0)
    assert _status(factory) == [0.0, 0.0, 0.0]


def test_a_single_pin_status_led_blinks_when_paused(factory):
    leds = _leds(factory, _with_leds(Config(), status_pins=(19,)))
    leds.set_status("paused", 0.0)
    assert _refresh_levels(leds, factory, 19, 3.0, (0.25, 0.75)) == pytest.approx([BRIGHTNESS, 0.0])


def test_no_status_pins_opens_no_status_led(factory):
    leds = _leds(factory, _with_leds(Config(), status_pins=()))
    leds.set_status("tracking", 0.0)  # nothing to light, and no error
    PWMLED(STATUS_GREEN, pin_factory=factory).close()  # the pin was never taken


def test_status_and_a_cue_on_the_same_pins_is_a_config_error(factory):
    config = _with_cue(Config(), "staring", pins=(5, 6, 13))
    with pytest.raises(ConfigError, match=r"\[leds\] status_pins.*\[cues.staring\]"):
        _leds(factory, config)


# --- shutdown, animation -----------------------------------------------------------------------


def test_off_darkens_every_led_and_refresh_keeps_them_dark(factory):
    leds = _leds(factory)
    leds.show("staring", 0.0)
    leds.set_status("tracking", 0.0)
    leds.off()
    leds.refresh(1.0)
    assert [_level(factory, pin) for pin in (EYES, BODY, HANDS)] == [0.0, 0.0, 0.0]
    assert _status(factory) == [0.0, 0.0, 0.0]


def test_close_releases_the_pins(factory):
    leds = _leds(factory)
    leds.show("pointing", 0.0)
    leds.close()
    PWMLED(HANDS, pin_factory=factory).close()


def test_the_animation_thread_blinks_the_led_on_its_own(factory):
    leds = build_leds(Config(), "mock", pin_factory=factory, animate=True)
    try:
        leds.show("pointing_at_face", 0.0)  # fast blink: off after 0.125 s
        deadline_s = time.monotonic() + 2.0
        while _level(factory, HANDS) != 0.0 and time.monotonic() < deadline_s:
            time.sleep(0.005)
        assert _level(factory, HANDS) == 0.0
    finally:
        leds.close()
    assert _level(factory, HANDS) == 0.0


# --- which pins are opened, and errors ---------------------------------------------------------


def test_disabled_cues_open_no_pin(factory):
    leds_by_default = _leds(factory)  # well_done (GPIO12) is disabled by default
    PWMLED(12, pin_factory=factory).close()
    leds_by_default.close()
    other = MockFactory(pin_class=MockPWMPin)
    leds = _leds(other, _with_cue(Config(), "well_done", enabled=True))  # enabled: opened
    with pytest.raises(GPIOPinInUse):
        PWMLED(12, pin_factory=other)
    leds.close()


def test_showing_a_disabled_cue_lights_nothing(factory):
    leds = _leds(factory)
    leds.show("not_facing", 0.0)
    leds.show("well_done", 1.0)
    assert _level(factory, BODY) == 0.0


def test_a_pin_in_use_is_a_gpio_error_naming_the_config_key_and_frees_the_others(factory):
    busy = PWMLED(EYES, pin_factory=factory)
    with pytest.raises(
        GpioError, match=r"\[cues\.no_eye_contact\] pins GPIO17: cannot open"
    ) as err:
        _leds(factory)
    busy.close()
    # GPIO22 was opened before the failure; it is released even while the traceback (which
    # a debug log keeps) still references it.
    PWMLED(HANDS, pin_factory=factory).close()
    assert err.value.__traceback__ is not None


def test_a_pin_the_board_does_not_have_is_a_gpio_error_naming_the_config_key(factory):
    config = _with_cue(Config(), "leaning_back", pins=(28,))
    with pytest.raises(GpioError, match=r"\[cues\.leaning_back\] pins GPIO28"):
        _leds(factory, config)


@pytest.mark.usefixtures("off_a_pi")
@pytest.mark.parametrize("env", [None, "mock"])
def test_the_gpio_backend_off_a_pi_is_an_error_never_a_mock(monkeypatch, no_global_factory, env):
    if env is None:
        monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    else:
        monkeypatch.setenv("GPIOZERO_PIN_FACTORY", env)
    with pytest.raises(GpioError):
        build_leds(Config(), "gpio", animate=False)


# --- console -----------------------------------------------------------------------------------


def test_the_console_prints_one_line_per_led_change_not_per_frame():
    out = io.StringIO()
    leds = build_leds(Config(), "console", out=out)
    leds.set_status("tracking", 3.0)
    for t_s in (12.4, 12.5, 12.6):
        leds.show("staring", t_s)
        leds.refresh(100.0 + t_s)
    leds.show("impatient_nodding", 14.0)  # same LED, new pattern
    leds.show("not_facing", 16.0)  # another LED: the first goes off
    leds.show(None, 18.0)
    assert out.getvalue().splitlines() == [
        "  t=  3.0 s  status: tracking (steady green)",
        "  t= 12.4 s  LED GPIO17 (eyes/head): staring, slow pulse",
        "  t= 14.0 s  LED GPIO17 (eyes/head): impatient_nodding, blink",
        "  t= 16.0 s  LED GPIO17 (eyes/head): off",
        "  t= 16.0 s  LED GPIO27 (body): not_facing, steady",
        "  t= 18.0 s  LED GPIO27 (body): off",
    ]


def test_the_console_names_the_hands_led_and_prints_status_faults():
    out = io.StringIO()
    leds = build_leds(config_from_dict({"leds": {"backend": "console"}}), "console", out=out)
    leds.show("pointing_at_face", 1.0)
    leds.set_status("camera_fault", 2.0)
    leds.set_status("camera_fault", 2.1)
    assert out.getvalue().splitlines() == [
        "  t=  1.0 s  LED GPIO22 (hands): pointing_at_face, fast blink",
        "  t=  2.0 s  status: camera_fault (fast blink red)",
    ]


def test_importing_the_leds_and_using_the_console_loads_no_gpiozero():
    code = (
        "import io, sys\n"
        "from kiosk.config import Config\n"
        "from kiosk.feedback.leds import build_leds\n"
        "build_leds(Config(), 'console', out=io.StringIO()).show('staring', 0.0)\n"
        "print('gpiozero' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_a_cue_shown_after_close_writes_nothing_and_close_twice_is_harmless(factory):
    leds = _leds(factory)
    leds.close()
    leds.show("pointing", 1.0)
    leds.refresh(2.0)
    leds.close()
    assert _level(factory, HANDS) == 0.0


def test_the_mock_pins_keep_a_bounded_history_however_long_the_run():
    """gpiozero's mock pins keep every value written; ours keep the newest MOCK_PIN_HISTORY
    to 2x that, so a long `kiosk run --leds mock` does not grow (kiosk soak found 20 MB/h)."""
    from kiosk import gpio

    factory = gpio.mock_pin_factory()
    pin = factory.pin(17)
    pin.function = "output"
    for i in range(5 * gpio.MOCK_PIN_HISTORY):
        pin.state = (i % 100) / 100
    assert gpio.MOCK_PIN_HISTORY <= len(pin.states) <= 2 * gpio.MOCK_PIN_HISTORY + 1
    assert pin.states[-1].state == pin.state  # the newest are the ones kept
    factory.close()
