"""The one place that chooses a gpiozero pin factory and turns GPIO failures into clear errors.

"gpio" uses gpiozero's real default factory (lgpio on Raspberry Pi OS Bookworm) and never a mock,
even when GPIOZERO_PIN_FACTORY asks for one; "mock" is gpiozero's MockFactory with PWM pins.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import TypeVar

from kiosk.errors import GpioError

T = TypeVar("T")

_HINT = (
    'on a Raspberry Pi install python3-lgpio and add the user to the "gpio" group; '
    'elsewhere use --leds console or [leds] backend = "console"'
)


MOCK_PIN_HISTORY = 500  # the mock pins' most recent states kept, for a test to read


def mock_pin_factory():
    """gpiozero's MockFactory whose pins all support PWM (LEDs are PWMLEDs) and keep a bounded
    history: gpiozero's own keep every value ever written, which the status LED's 50 Hz pulse
    grows by about 20 MB an hour in a long `kiosk run --leds mock` (found by `kiosk soak`)."""
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    class BoundedMockPWMPin(MockPWMPin):
        def _change_state(self, value):
            changed = super()._change_state(value)
            if len(self.states) > 2 * MOCK_PIN_HISTORY:
                del self.states[:-MOCK_PIN_HISTORY]  # amortised: once per MOCK_PIN_HISTORY
            return changed

    return MockFactory(pin_class=BoundedMockPWMPin)


def real_pin_factory():
    """gpiozero's default factory for this board; a GpioError where there is none."""
    from gpiozero import Device
    from gpiozero.exc import PinFactoryFallback
    from gpiozero.pins.mock import MockFactory

    if os.environ.get("GPIOZERO_PIN_FACTORY", "").lower().startswith("mock"):
        raise GpioError(
            "GPIOZERO_PIN_FACTORY asks for mock pins while the GPIO backend is chosen; "
            'unset it, or choose the mock backend explicitly ([leds] backend = "mock")'
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PinFactoryFallback)
            Device.ensure_pin_factory()
    except Exception as exc:  # gpiozero raises BadPinFactory, ImportError, OSError...
        raise GpioError(f"no GPIO here ({exc}); {_HINT}") from None
    if isinstance(Device.pin_factory, MockFactory):
        raise GpioError("the GPIO backend found a mock pin factory; refusing to pretend")
    return Device.pin_factory


def pin_factory(backend: str):
    """The pin factory for a backend name: "gpio" (real pins) or "mock"."""
    if backend == "mock":
        return mock_pin_factory()
    if backend == "gpio":
        return real_pin_factory()
    raise ValueError(f"no pin factory for backend {backend!r}")


def open_device(make: Callable[[], T], what: str) -> T:
    """Construct a gpiozero device, turning its failures into one clear GpioError."""
    from gpiozero.exc import GPIOZeroError

    try:
        return make()
    except (GPIOZeroError, OSError, RuntimeError, ValueError) as exc:
        raise GpioError(
            f"{what}: cannot open ({type(exc).__name__}: {exc}); is the pin free and the "
            "wiring as configured?"
        ) from None
