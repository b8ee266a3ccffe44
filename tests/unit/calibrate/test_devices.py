"""`kiosk calibrate test-leds` and `test-presence` on gpiozero's MockFactory, paced by a fake
clock (no real waiting), and the near_cm rule on synthetic HC-SR04 readings."""

from __future__ import annotations

import dataclasses
import time
from argparse import Namespace

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin, MockTriggerPin

from kiosk.calibrate import devices
from kiosk.config import Config, config_from_dict
from kiosk.errors import ConfigError, GpioError

BRIGHTNESS = 0.15  # the default [leds] brightness
EYES, BODY, HANDS = 17, 27, 22  # the default cue wiring
STATUS_RED, STATUS_GREEN, STATUS_BLUE = 5, 6, 13
SENSOR_PIN, ECHO_PIN, TRIGGER_PIN = 4, 24, 23  # the [presence] defaults
SPEED_OF_SOUND_M_PER_S = 343.26  # what gpiozero's DistanceSensor assumes


class FakeClock:
    """A monotonic clock that moves only when slept on; `at` runs actions when time passes."""

    def __init__(self, *, real_sleep_s: float = 0.0) -> None:
        self.now = 1000.0
        self.slept = 0
        self.watchers: list = []
        self.actions: list[tuple[float, object]] = []  # (seconds after the start, action)
        self.start = self.now
        self.real_sleep_s = real_sleep_s

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds
        self.slept += 1
        while self.actions and self.actions[0][0] <= self.now - self.start + 1e-9:
            self.actions.pop(0)[1]()
        for watch in self.watchers:
            watch(self.now - self.start)
        if self.real_sleep_s:
            time.sleep(self.real_sleep_s)  # gpiozero's own sampling thread runs in real time


class Said(list):
    """The live lines, each with the fake time it was said at."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.times: list[float] = []

    def __call__(self, line: str) -> None:
        self.append(line)
        self.times.append(self.clock() - self.clock.start)

    def when(self, fragment: str) -> float:
        return next(t for line, t in zip(self, self.times, strict=True) if fragment in line)


def _with_cue(config: Config, cue: str, **changes) -> Config:
    cue_config = dataclasses.replace(getattr(config.cues, cue), **changes)
    return dataclasses.replace(config, cues=dataclasses.replace(config.cues, **{cue: cue_config}))


def _run_leds(config: Config, factory, clock: FakeClock, *, leds="mock", seconds=2.0):
    said = Said(clock)
    result = devices.test_leds(
        config,
        Namespace(leds=leds, seconds=seconds, source=None, write=False, config=None),
        say=said,
        clock=clock,
        sleep=clock.sleep,
        pin_factory=factory,
    )
    return said, result


@pytest.fixture
def pwm_factory():
    return MockFactory(pin_class=MockPWMPin)


# --- test-leds -------------------------------------------------------------------------------


def test_every_enabled_cue_lights_in_priority_order_then_each_status_then_all_go_dark(
    pwm_factory,
):
    clock = FakeClock()
    said, result = _run_leds(Config(), pwm_factory, clock)
    cues = [line.split(": ")[1].split(",")[0] for line in said[:12]]
    assert cues == [
        "pointing_at_face", "slow_greeting", "no_eye_contact", "staring", "blank_stare",
        "pointing", "impatient_nodding", "not_facing", "wide_gesture", "head_only_turn",
        "leaning_back", "stiff",
    ]  # fmt: skip
    assert said[3] == "GPIO17 (eyes): staring, slow pulse — lit for 2 s"
    assert said[12:16] == [
        "GPIO5/6/13 (status): tracking, steady, green — lit for 2 s",
        "GPIO5/6/13 (status): no_customer, slow pulse, green — lit for 2 s",
        "GPIO5/6/13 (status): paused, blink, blue — lit for 2 s",
        "GPIO5/6/13 (status): camera_fault, fast blink, red — lit for 2 s",
    ]
    assert said[16] == "all off"
    # 12 cues and 4 status looks of 2 s each, paced by the clock, not by a real wait
    assert said.when("all off") == pytest.approx(32.0, abs=0.03)
    for pin in (EYES, BODY, HANDS, STATUS_RED, STATUS_GREEN, STATUS_BLUE):
        assert pwm_factory.pin(pin).state == 0.0
    assert any(
        line.startswith("staring            GPIO17 (eyes)   slow pulse") for line in result.lines
    )
    assert "disabled (not lit): frown, well_done" in result.lines
    assert result.settings == {}


def test_each_cue_runs_its_own_pattern_on_its_pin_for_the_whole_time(pwm_factory):
    clock = FakeClock()
    levels: list[tuple[float, float]] = []
    clock.watchers.append(lambda t: levels.append((t, pwm_factory.pin(EYES).state)))
    said, _ = _run_leds(Config(), pwm_factory, clock)

    def level(at_s: float) -> float:
        return min(levels, key=lambda tl: abs(tl[0] - at_s))[1]

    staring = said.when("staring")
    # a slow pulse: at its peak when shown, dark at 1 s, lit again towards 2 s
    assert level(staring + 0.02) == pytest.approx(BRIGHTNESS, abs=0.01)
    assert level(staring + 1.0) == pytest.approx(0.0, abs=0.01)
    assert level(staring + 1.9) > 0.1
    nodding = said.when("impatient_nodding")
    # a blink: on for half a second, off for the next half, on again
    assert [level(nodding + s) for s in (0.25, 0.75, 1.25, 1.75)] == [BRIGHTNESS, 0, BRIGHTNESS, 0]
    # the body cue that follows turns the eyes LED off
    assert level(said.when("not_facing") + 0.5) == 0.0


def test_the_status_led_mixes_each_states_colour(pwm_factory):
    clock = FakeClock()
    rgb: dict[float, tuple[float, ...]] = {}
    pins = (STATUS_RED, STATUS_GREEN, STATUS_BLUE)
    clock.watchers.append(
        lambda t: rgb.__setitem__(t, tuple(pwm_factory.pin(p).state for p in pins))
    )
    said, _ = _run_leds(Config(), pwm_factory, clock)
    paused = said.when("paused")
    assert rgb[min(rgb, key=lambda t: abs(t - paused - 0.25))] == (0.0, 0.0, BRIGHTNESS)
    tracking = said.when("tracking")
    assert rgb[min(rgb, key=lambda t: abs(t - tracking - 1.0))] == (0.0, BRIGHTNESS, 0.0)


def test_well_done_when_enabled_comes_last_on_its_own_led_and_a_cue_without_pins_is_said(
    pwm_factory,
):
    config = _with_cue(Config(), "well_done", enabled=True)
    config = _with_cue(config, "stiff", pins=())
    said, result = _run_leds(config, pwm_factory, FakeClock(), seconds=0.5)
    assert said[11] == "(no pins): stiff has no LED ([cues.stiff] pins = [])"
    assert said[12] == "GPIO12 (well done): well_done, slow pulse — lit for 0.5 s"
    assert "GPIO5/6/13 (status): tracking" in said[13]
    assert any(line.startswith("stiff") and "(no pins)" in line for line in result.lines)


def test_leds_console_overrides_a_gpio_backend_and_needs_no_pins(off_a_pi, no_global_factory):
    config = config_from_dict({"leds": {"backend": "gpio"}})
    said, result = _run_leds(config, None, FakeClock(), leds="console", seconds=0.5)
    assert said[-1] == "all off"
    assert any("no LED was lit" in line for line in result.lines)


def test_the_gpio_backend_off_a_pi_is_the_one_line_gpio_error_never_a_mock(
    off_a_pi, no_global_factory, monkeypatch
):
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    clock = FakeClock()
    with pytest.raises(GpioError, match=r"no GPIO here.*--leds console"):
        _run_leds(Config(), None, clock, leds=None)  # [leds] backend's default: gpio
    assert clock.slept == 0


def test_ctrl_c_during_the_test_leaves_every_led_dark(pwm_factory):
    clock = FakeClock()
    clock.actions.append((5.0, lambda: (_ for _ in ()).throw(KeyboardInterrupt)))
    with pytest.raises(KeyboardInterrupt):
        _run_leds(Config(), pwm_factory, clock)
    assert clock() - clock.start == pytest.approx(5.0, abs=0.03)
    for pin in (EYES, BODY, HANDS, STATUS_RED, STATUS_GREEN, STATUS_BLUE):
        assert pwm_factory.pin(pin).state == 0.0


# --- test-presence ---------------------------------------------------------------------------


def _run_presence(config: Config, clock: FakeClock, *, seconds: float, source=None, factory=None):
    said = Said(clock)
    result = devices.test_presence(
        config,
        Namespace(source=source, seconds=seconds, write=False, config=None),
        say=said,
        clock=clock,
        sleep=clock.sleep,
        pin_factory=factory,
    )
    return said, result


def test_a_switch_is_read_every_half_second_and_its_spells_are_summarised():
    factory = MockFactory()
    pin = factory.pin(SENSOR_PIN)
    clock = FakeClock()
    # a customer on the mat from 1 s to 2.5 s, off for half a second, back from 3 s to the end
    clock.actions += [
        (1.0, pin.drive_low), (2.5, pin.drive_high), (3.0, pin.drive_low)
    ]  # fmt: skip
    config = config_from_dict({"presence": {"source": "button"}})
    said, result = _run_presence(config, clock, seconds=5.0, factory=factory)
    readings = said[1:]
    assert len(readings) == 11  # 0, 0.5, ... 5.0 s
    assert readings[0] == "   0.0 s  absent"
    assert readings[2] == "   1.0 s  present"
    assert readings[5] == "   2.5 s  absent"
    assert result.lines[0] == (
        "11 readings over 5.0 s from the button source: 3 changes, longest present 2.0 s, "
        "longest absent 1.0 s"
    )
    assert any(
        line.startswith("1 absent gap(s) between present spells, longest 0.5 s")
        and line.endswith("0 would end it")
        for line in result.lines
    )
    assert result.settings == {}


def test_a_gap_longer_than_absent_end_s_is_said_to_end_the_interaction():
    factory = MockFactory()
    pin = factory.pin(SENSOR_PIN)
    clock = FakeClock()
    clock.actions += [(0.5, pin.drive_low), (2.0, pin.drive_high), (8.0, pin.drive_low)]
    config = config_from_dict({"presence": {"source": "button", "absent_end_s": 5.0}})
    _, result = _run_presence(config, clock, seconds=10.0, factory=factory)
    gap = next(line for line in result.lines if "absent gap" in line)
    assert "longest 6.0 s" in gap and gap.endswith("1 would end it")
    assert any(
        "1 present spell(s) shorter than [presence] min_present_s" in x for x in result.lines
    )


def test_a_scene_follows_the_scenarios_customer_on_its_own_clock():
    config = config_from_dict({"presence": {"source": "scene"}})
    said, result = _run_presence(config, FakeClock(), seconds=3.0, source="scene:counter_shift")
    # counter_shift's customer arrives at 1.0 s
    assert [line.split()[-1] for line in said[1:]] == ["absent"] * 2 + ["present"] * 5
    assert result.lines[0].startswith("7 readings over 3.0 s from the scene source: 1 change,")
    # the customer still there when the test ends is no passer-by
    assert not any("passers-by" in line for line in result.lines)


def test_scene_presence_without_a_scene_source_says_to_give_one():
    config = config_from_dict({"presence": {"source": "scene"}})
    with pytest.raises(ConfigError, match="--source scene:NAME"):
        _run_presence(config, FakeClock(), seconds=3.0, source="usb:0")


def test_no_sensor_is_explained_and_nothing_is_read():
    clock = FakeClock()
    said, result = _run_presence(Config(), clock, seconds=20.0, source="usb:0")
    assert said == [] and clock.slept == 0
    assert result.lines[0].startswith('[presence] source = "auto" resolves to "always" for usb:0')


def test_a_distance_sensor_reading_says_the_distance_in_cm():
    factory = MockFactory()
    echo = factory.pin(ECHO_PIN)
    factory.pin(
        TRIGGER_PIN,
        pin_class=MockTriggerPin,
        echo_pin=echo,
        echo_time=0.2 * 2.0 / SPEED_OF_SOUND_M_PER_S,  # a customer at 20 cm
    )
    config = config_from_dict({"presence": {"source": "distance"}})
    clock = FakeClock(real_sleep_s=0.1)  # the sensor's sampling thread needs real time
    said, result = _run_presence(config, clock, seconds=5.0, factory=factory)
    present = [line for line in said[1:] if " present " in line]
    assert present, said
    # the mock echo is timed by sleep(), which only overshoots: nearer than near_cm (100)
    assert all(15.0 < float(line.split()[-2]) < 100.0 for line in present)
    assert result.lines[-1].startswith("(the sensor's range is 150 cm")


# --- the near_cm rule ------------------------------------------------------------------------

NEAR_BOUNDS = (5.0, 400.0)


def test_a_customer_reading_around_near_cm_gets_the_middle_of_the_gap_to_the_empty_counter():
    customer = [96.0, 99.0, 101.0, 104.0, 108.0, 97.0, 103.0]  # flickers across near_cm 100
    empty = [150.0] * 6  # no one: the sensor's range (1.5 x near_cm)
    advice = devices.near_cm_advice(customer + empty, 100.0, NEAR_BOUNDS)
    assert advice.near_cm == 130.0  # (108 + 150) / 2, rounded to 5 cm
    assert "up to 108 cm, no one from 150 cm" in advice.line


def test_near_cm_well_inside_the_gap_is_kept():
    advice = devices.near_cm_advice([55.0, 60.0, 62.0, 150.0, 148.0, 150.0], 100.0, NEAR_BOUNDS)
    assert advice.near_cm is None and advice.line.endswith("keep it")


def test_near_cm_next_to_the_empty_counters_readings_moves_into_the_gap():
    # the counter's far edge reads 120-125 cm; near_cm 115 is barely short of it
    advice = devices.near_cm_advice([50.0, 55.0, 52.0, 120.0, 125.0, 122.0], 115.0, NEAR_BOUNDS)
    assert advice.near_cm == 90.0 and "at no one's readings" in advice.line


def test_readings_spread_across_near_cm_without_a_gap_propose_nothing():
    spread = [80.0 + 4.0 * k for k in range(12)]  # 80 to 124 cm, every 4 cm
    advice = devices.near_cm_advice(spread, 100.0, NEAR_BOUNDS)
    assert advice.near_cm is None and "no clear gap" in advice.line


def test_one_group_of_readings_alone_proposes_nothing():
    advice = devices.near_cm_advice([150.0, 149.0, 150.0, 150.0], 100.0, NEAR_BOUNDS)
    assert advice.near_cm is None and "all on one side" in advice.line


def test_spells_skip_readings_without_an_answer():
    readings = [
        devices.Reading(0.0, None), devices.Reading(0.5, False), devices.Reading(1.0, True),
        devices.Reading(1.5, None), devices.Reading(2.0, True), devices.Reading(2.5, False),
    ]  # fmt: skip
    s = devices.spells(readings)
    assert (s.changes, s.longest_present_s, s.longest_absent_s) == (2, 1.5, 0.5)
