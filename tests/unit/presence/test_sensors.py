"""Presence sensors on gpiozero's MockFactory (an echoing HC-SR04, a PIR, a switch) and scenes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from gpiozero import Button
from gpiozero.pins.mock import MockFactory, MockTriggerPin

from kiosk.config import PresenceConfig
from kiosk.errors import ConfigError, GpioError
from kiosk.presence.sensors import (
    AlwaysPresent,
    ButtonPresence,
    DistancePresence,
    MotionPresence,
    ScenePresence,
    open_presence,
)
from kiosk.scenes.script import Scenario, Segment

SPEED_OF_SOUND_M_PER_S = 343.26  # what gpiozero's DistanceSensor assumes
TIMEOUT_S = 3.0
ECHO_PIN, TRIGGER_PIN, SENSOR_PIN = 24, 23, 4  # the [presence] defaults


def echo_time_s(distance_cm: float) -> float:
    """How long the HC-SR04 holds its echo pin high for a reflector at `distance_cm`."""
    return distance_cm / 100.0 * 2.0 / SPEED_OF_SOUND_M_PER_S


def wait_for_reading(sensor, expected: bool | None) -> bool | None:
    """Poll a sensor whose gpiozero thread samples in the background, up to TIMEOUT_S."""
    deadline_s = time.monotonic() + TIMEOUT_S
    reading = sensor.present(0.0)
    while reading != expected and time.monotonic() < deadline_s:
        time.sleep(0.01)
        reading = sensor.present(0.0)
    return reading


@pytest.fixture
def factory():
    return MockFactory()


@pytest.fixture
def echoing_trigger(factory):
    """An HC-SR04 on the default pins whose echo starts as from a customer at 20 cm."""
    echo = factory.pin(ECHO_PIN)
    return factory.pin(
        TRIGGER_PIN, pin_class=MockTriggerPin, echo_pin=echo, echo_time=echo_time_s(20.0)
    )


# The mock echo is timed by sleep(), which only ever overshoots (by milliseconds on a busy
# machine, i.e. tens of cm): "near" readings are kept far inside near_cm, "far" ones beyond it.


def test_a_customer_nearer_than_near_cm_is_present_and_one_who_leaves_is_not(
    factory, echoing_trigger
):
    config = PresenceConfig(source="distance", near_cm=200.0)
    sensor = DistancePresence(config, pin_factory=factory)
    try:
        assert wait_for_reading(sensor, True) is True
        assert 15.0 < sensor.distance_cm() < 200.0
        echoing_trigger.echo_time = echo_time_s(400.0)  # gone: the wall behind them
        assert wait_for_reading(sensor, False) is False
        assert sensor.distance_cm() == pytest.approx(300.0)  # capped at 1.5 x near_cm
        echoing_trigger.echo_time = echo_time_s(30.0)  # the next customer
        assert wait_for_reading(sensor, True) is True
    finally:
        sensor.close()


def test_near_cm_sets_where_presence_ends(factory, echoing_trigger):
    echoing_trigger.echo_time = echo_time_s(70.0)
    sensor = DistancePresence(PresenceConfig(source="distance", near_cm=50.0), pin_factory=factory)
    try:
        assert wait_for_reading(sensor, False) is False
    finally:
        sensor.close()


@pytest.mark.filterwarnings("ignore::gpiozero.exc.DistanceSensorNoEcho")
def test_a_distance_sensor_with_no_echo_cannot_tell_and_does_not_block_the_frame(factory):
    factory.pin(ECHO_PIN)  # never driven: the sensor is unplugged
    sensor = DistancePresence(PresenceConfig(source="distance"), pin_factory=factory)
    try:
        start_s = time.monotonic()
        assert sensor.present(0.0) is None
        assert time.monotonic() - start_s < 0.05
    finally:
        sensor.close()


def test_a_pir_reports_presence_while_it_sees_motion(factory):
    pin = factory.pin(SENSOR_PIN)
    sensor = MotionPresence(PresenceConfig(source="pir"), pin_factory=factory)
    try:
        assert wait_for_reading(sensor, False) is False
        pin.drive_high()
        assert wait_for_reading(sensor, True) is True
        pin.drive_low()
        assert wait_for_reading(sensor, False) is False
    finally:
        sensor.close()


def test_a_switch_to_ground_reports_presence_while_closed(factory):
    pin = factory.pin(SENSOR_PIN)
    sensor = ButtonPresence(PresenceConfig(source="button"), pin_factory=factory)
    try:
        assert sensor.present(0.0) is False  # pulled up, open
        pin.drive_low()
        assert sensor.present(0.0) is True
        pin.drive_high()
        assert sensor.present(0.0) is False
    finally:
        sensor.close()


def test_a_switch_to_3v3_with_pull_up_false_reports_presence_when_high(factory):
    pin = factory.pin(SENSOR_PIN)
    config = PresenceConfig(source="button", pull_up=False)
    sensor = ButtonPresence(config, pin_factory=factory)
    try:
        assert sensor.present(0.0) is False
        pin.drive_high()
        assert sensor.present(0.0) is True
    finally:
        sensor.close()


def _scenario() -> Scenario:
    return Scenario(
        "counter", "a customer from 2 s to 5 s", (Segment(8.0),), customer=((2.0, 5.0),)
    )


def test_scene_presence_follows_the_scenarios_customer_timeline():
    sensor = ScenePresence(_scenario())
    assert [sensor.present(t_s) for t_s in (0.0, 1.9, 2.0, 4.9, 5.0, 7.0)] == [
        False, False, True, True, False, False
    ]  # fmt: skip


def test_auto_uses_the_scene_when_there_is_one_and_otherwise_always_present():
    auto = PresenceConfig(source="auto")
    assert open_presence(auto, scenario=_scenario()).present(0.0) is False
    assert isinstance(open_presence(auto), AlwaysPresent)
    assert open_presence(auto).present(123.0) is True


def test_always_ignores_a_scenarios_customer():
    sensor = open_presence(PresenceConfig(source="always"), scenario=_scenario())
    assert sensor.present(0.0) is True


def test_scene_without_a_scenario_is_a_config_error_with_a_hint():
    with pytest.raises(ConfigError, match='source = "scene" needs a rendered scenario'):
        open_presence(PresenceConfig(source="scene"))


@pytest.mark.parametrize(
    ("source", "key"),
    [("button", r"\[presence\] sensor_pin GPIO4"), ("pir", r"\[presence\] sensor_pin GPIO4")],
)
def test_a_sensor_pin_in_use_is_a_gpio_error_naming_the_config_key(factory, source, key):
    busy = Button(SENSOR_PIN, pin_factory=factory)
    try:
        with pytest.raises(GpioError, match=key):
            open_presence(PresenceConfig(source=source), pin_factory=factory)
    finally:
        busy.close()


def test_a_distance_pin_in_use_is_a_gpio_error_naming_both_pins(factory):
    busy = Button(ECHO_PIN, pin_factory=factory)
    try:
        with pytest.raises(GpioError, match=r"\[presence\] echo_pin GPIO24 / trigger_pin GPIO23"):
            open_presence(PresenceConfig(source="distance"), pin_factory=factory)
    finally:
        busy.close()


@pytest.mark.parametrize("source", ["distance", "pir", "button"])
def test_sensors_on_real_gpio_are_never_a_mock_even_when_the_environment_asks(
    monkeypatch, no_global_factory, source
):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    with pytest.raises(GpioError, match="mock"):
        open_presence(PresenceConfig(source=source))


@pytest.mark.usefixtures("off_a_pi")
def test_sensors_off_a_pi_are_a_gpio_error(monkeypatch, no_global_factory):
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    with pytest.raises(GpioError, match="no GPIO here"):
        open_presence(PresenceConfig(source="button"))


def test_importing_the_sensors_and_using_no_sensor_loads_no_gpiozero():
    code = (
        "import sys\n"
        "from kiosk.config import PresenceConfig\n"
        "from kiosk.presence.sensors import open_presence\n"
        "open_presence(PresenceConfig()).present(0.0)\n"
        "print('gpiozero' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
