"""Pause button presses: a gpiozero Button on MockFactory, and the console's Enter key."""

from __future__ import annotations

import io
import os
import threading

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from kiosk.errors import GpioError
from kiosk.feedback.button import KeyboardPause, PauseButton

PIN = 26  # the default [pause] pin
TIMEOUT_S = 2.0


class Presses:
    """Counts presses from another thread; `wait_for(n)` returns once n have arrived."""

    def __init__(self):
        self.count = 0
        self._changed = threading.Condition()

    def __call__(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait_for(self, n: int, timeout_s: float = TIMEOUT_S) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= n, timeout=timeout_s)


@pytest.fixture
def factory():
    return MockFactory()


def test_each_press_and_release_of_the_button_is_one_press(factory):
    presses = Presses()
    button = PauseButton(PIN, presses, pin_factory=factory)
    pin = factory.pin(PIN)
    try:
        assert pin.state  # idle: pulled up
        for _ in range(3):
            pin.drive_low()  # pressed: the button connects the pin to ground
            pin.drive_high()
        assert presses.wait_for(3)
        assert presses.count == 3
    finally:
        button.close()


def test_holding_the_button_down_is_a_single_press(factory):
    presses = Presses()
    button = PauseButton(PIN, presses, pin_factory=factory)
    pin = factory.pin(PIN)
    try:
        pin.drive_low()
        assert presses.wait_for(1)
        pin.drive_low()  # still held: no new edge
        pin.drive_high()
        assert presses.count == 1
    finally:
        button.close()


def test_a_closed_button_delivers_no_press_and_frees_its_pin(factory):
    presses = Presses()
    PauseButton(PIN, presses, pin_factory=factory).close()
    factory.pin(PIN).drive_low()
    assert presses.count == 0
    PauseButton(PIN, presses, pin_factory=factory).close()  # the pin can be opened again


def test_a_pin_in_use_is_a_gpio_error_naming_the_pause_pin(factory):
    first = PauseButton(PIN, Presses(), pin_factory=factory)
    try:
        with pytest.raises(GpioError, match=r"\[pause\] pin GPIO26"):
            PauseButton(PIN, Presses(), pin_factory=factory)
    finally:
        first.close()


def test_the_gpio_factory_is_never_a_mock_even_when_the_environment_asks(monkeypatch):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    Device.pin_factory = None
    try:
        with pytest.raises(GpioError):
            PauseButton(PIN, Presses())
    finally:
        Device.pin_factory = None


def test_every_line_on_the_keyboard_stream_is_a_press():
    presses = Presses()
    keys = KeyboardPause(presses, io.StringIO("\n\nanything\n"), force=True)
    assert presses.wait_for(3)
    keys.close()
    assert presses.count == 3


def test_lines_arriving_through_a_pipe_are_presses_as_they_come():
    read_fd, write_fd = os.pipe()
    presses = Presses()
    with os.fdopen(read_fd) as reader, os.fdopen(write_fd, "w") as writer:
        keys = KeyboardPause(presses, reader, force=True)
        writer.write("\n")
        writer.flush()
        assert presses.wait_for(1)
        writer.write("\n")
        writer.flush()
        assert presses.wait_for(2)
        keys.close()
        writer.write("\n")  # after close: ignored
        writer.flush()
        assert not presses.wait_for(3, timeout_s=0.2)
    assert presses.count == 2


def test_a_stream_that_is_not_a_terminal_is_ignored_unless_forced():
    presses = Presses()
    keys = KeyboardPause(presses, io.StringIO("\n\n"))
    assert not presses.wait_for(1, timeout_s=0.2)
    keys.close()
