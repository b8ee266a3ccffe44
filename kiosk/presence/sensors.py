"""Customer presence sensors: an HC-SR04 distance sensor, a PIR, a switch, a scenario, or none.

Each reports raw presence now; when an interaction starts and ends is decided elsewhere.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Protocol

from kiosk.errors import ConfigError

if TYPE_CHECKING:
    from kiosk.config import PresenceConfig
    from kiosk.scenes.script import Scenario

# Readings averaged by gpiozero: 3 at its 60 ms sample period answer within ~0.2 s at a
# counter, and the median of 3 drops a single stray echo.
DISTANCE_QUEUE_LEN = 3
# Far enough past near_cm that "nearer than near_cm" is never cut off by the sensor's range.
DISTANCE_RANGE_FACTOR = 1.5


class PresenceSensor(Protocol):
    name: str

    def present(self, t_s: float) -> bool | None: ...  # None: cannot tell right now
    def close(self) -> None: ...


class AlwaysPresent:
    """No sensor: a customer is always there (every frame belongs to an interaction)."""

    name = "always"

    def present(self, t_s: float) -> bool | None:
        return True

    def close(self) -> None:
        pass


class ScenePresence:
    """A rendered scenario's own customer timeline, on the scenario's clock."""

    name = "scene"

    def __init__(self, scenario: Scenario):
        self._scenario = scenario

    def present(self, t_s: float) -> bool | None:
        return self._scenario.customer_present(t_s)

    def close(self) -> None:
        pass


class _QueueReady:
    """Whether a gpiozero smoothed input has filled its sample queue.

    Before that its value blocks the caller (a frame) until it has, so the sensor cannot tell
    yet. gpiozero sets one of its active/inactive events once the queue is full; the answer is
    kept because both are briefly clear while it switches from one to the other.
    """

    def __init__(self, device):
        self._device = device
        self._ready = False

    def __call__(self) -> bool:
        if not self._ready:
            self._ready = self._device.wait_for_active(0) or self._device.wait_for_inactive(0)
        return self._ready


def _factory(pin_factory):
    if pin_factory is not None:
        return pin_factory
    from kiosk.gpio import pin_factory as default_pin_factory

    return default_pin_factory("gpio")  # never a silent mock on real hardware


class DistancePresence:
    """An HC-SR04 ultrasonic sensor: present while something is nearer than `near_cm`."""

    name = "distance"

    def __init__(self, config: PresenceConfig, *, pin_factory=None):
        from gpiozero import DistanceSensor
        from gpiozero.exc import PWMSoftwareFallback

        from kiosk.gpio import open_device

        self.near_cm = config.near_cm
        max_distance_m = config.near_cm * DISTANCE_RANGE_FACTOR / 100.0
        factory = _factory(pin_factory)

        def make():
            # gpiozero advises pigpio for precise timing; a counter needs ~10 cm, not 1 mm.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PWMSoftwareFallback)
                return DistanceSensor(
                    echo=config.echo_pin,
                    trigger=config.trigger_pin,
                    queue_len=DISTANCE_QUEUE_LEN,
                    max_distance=max_distance_m,
                    threshold_distance=config.near_cm / 100.0,
                    pin_factory=factory,
                )

        self._sensor = open_device(
            make,
            f"[presence] echo_pin GPIO{config.echo_pin} / trigger_pin GPIO{config.trigger_pin}",
        )
        self._ready = _QueueReady(self._sensor)

    def distance_cm(self) -> float | None:
        """The smoothed distance, capped at the sensor's range; None until the first readings."""
        return self._sensor.distance * 100.0 if self._ready() else None

    def present(self, t_s: float) -> bool | None:
        distance_cm = self.distance_cm()
        return None if distance_cm is None else distance_cm <= self.near_cm

    def close(self) -> None:
        self._sensor.close()


class MotionPresence:
    """A PIR motion sensor: present while it reports motion."""

    name = "pir"

    def __init__(self, config: PresenceConfig, *, pin_factory=None):
        from gpiozero import MotionSensor

        from kiosk.gpio import open_device

        factory = _factory(pin_factory)
        self._sensor = open_device(
            lambda: MotionSensor(config.sensor_pin, pin_factory=factory),
            f"[presence] sensor_pin GPIO{config.sensor_pin}",
        )
        self._ready = _QueueReady(self._sensor)

    def present(self, t_s: float) -> bool | None:
        return bool(self._sensor.motion_detected) if self._ready() else None

    def close(self) -> None:
        self._sensor.close()


class ButtonPresence:
    """A switch, floor mat or queue-system contact: present while it is closed."""

    name = "button"

    def __init__(self, config: PresenceConfig, *, pin_factory=None):
        from gpiozero import Button

        from kiosk.gpio import open_device

        factory = _factory(pin_factory)
        self._button = open_device(
            lambda: Button(config.sensor_pin, pull_up=config.pull_up, pin_factory=factory),
            f"[presence] sensor_pin GPIO{config.sensor_pin}",
        )

    def present(self, t_s: float) -> bool | None:
        return bool(self._button.is_pressed)

    def close(self) -> None:
        self._button.close()


def open_presence(
    config: PresenceConfig, *, scenario: Scenario | None = None, pin_factory=None
) -> PresenceSensor:
    """The presence sensor that `[presence] source` names."""
    source = config.source
    if source == "auto":
        return ScenePresence(scenario) if scenario is not None else AlwaysPresent()
    if source == "always":
        return AlwaysPresent()
    if source == "scene":
        if scenario is None:
            raise ConfigError(
                '[presence] source = "scene" needs a rendered scenario as the frame source; '
                'use "auto" or a sensor for a camera or video'
            )
        return ScenePresence(scenario)
    if source == "distance":
        return DistancePresence(config, pin_factory=pin_factory)
    if source == "pir":
        return MotionPresence(config, pin_factory=pin_factory)
    if source == "button":
        return ButtonPresence(config, pin_factory=pin_factory)
    raise ConfigError(f"[presence] source: unknown {source!r}")
