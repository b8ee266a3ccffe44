"""The LED output: one lit cue and a status LED, on gpiozero pins or as lines on a console.

Blink and pulse patterns are a pure function of elapsed time; `refresh(now_s)` drives them.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO, get_args

from kiosk.errors import ConfigError

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)

Status = Literal["tracking", "no_customer", "paused", "camera_fault", "off"]
STATUSES: tuple[str, ...] = get_args(Status)

# (pattern, colour) per status; "off" is dark.
STATUS_LOOKS: dict[str, tuple[str, str]] = {
    "tracking": ("steady", "green"),
    "no_customer": ("slow_pulse", "green"),
    "paused": ("blink", "blue"),
    "camera_fault": ("fast_blink", "red"),
}

# Full-level RGB per colour; amber's half green reads as amber on common RGB LEDs.
COLOR_RGB: dict[str, tuple[float, float, float]] = {
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "amber": (1.0, 0.5, 0.0),
    "white": (1.0, 1.0, 1.0),
    "cyan": (0.0, 1.0, 1.0),
    "magenta": (1.0, 0.0, 1.0),
}

# What each cue is about, to name an LED after the cues that share it ("GPIO17 (eyes/head)").
CUE_AREAS = {
    "pointing_at_face": "hands",
    "pointing": "hands",
    "no_eye_contact": "eyes",
    "staring": "eyes",
    "impatient_nodding": "head",
    "not_facing": "body",
    "head_only_turn": "body",
    "leaning_back": "body",
    "slow_greeting": "eyes",
    "blank_stare": "eyes",
    "frown": "face",
    "wide_gesture": "hands",
    "stiff": "hands",
    "well_done": "well done",
}

PULSE_PERIOD_S = 2.0
BLINK_HALF_PERIOD_S = 0.5
FAST_BLINK_HALF_PERIOD_S = 0.125
ANIMATE_INTERVAL_S = 0.02


def pattern_level(pattern: str, elapsed_s: float) -> float:
    """Level 0..1 of a pattern `elapsed_s` after it started; every pattern starts fully on."""
    elapsed_s = max(0.0, elapsed_s)
    if pattern == "steady":
        return 1.0
    if pattern == "slow_pulse":
        # Raised cosine from its peak: smooth, and lit at once when a cue appears.
        return 0.5 + 0.5 * math.cos(2.0 * math.pi * elapsed_s / PULSE_PERIOD_S)
    if pattern == "blink":
        return 1.0 if (elapsed_s // BLINK_HALF_PERIOD_S) % 2 == 0 else 0.0
    if pattern == "fast_blink":
        return 1.0 if (elapsed_s // FAST_BLINK_HALF_PERIOD_S) % 2 == 0 else 0.0
    raise ValueError(f"unknown LED pattern {pattern!r}")


class Leds(Protocol):
    def show(self, cue: str | None, t_s: float) -> None: ...
    def set_status(self, status: Status, t_s: float) -> None: ...
    def refresh(self, now_s: float) -> None: ...
    def off(self) -> None: ...
    def close(self) -> None: ...


@dataclass(eq=False)
class _Lamp:
    """One physical LED (1 pin) or RGB LED (3 pins) and what it shows now."""

    key: str  # the config key that names its pins, for errors
    pins: tuple[int, ...]
    label: str
    device: Any = None  # gpiozero PWMLED / RGBLED; None on the console
    look: tuple[str, str] | None = None  # (pattern, colour); None = dark
    started_s: float | None = None  # wall time the pattern started; set by the next refresh
    written: Any = None  # last value written, so a steady LED is not rewritten every 20 ms

    @property
    def rgb(self) -> bool:
        return len(self.pins) == 3


def _pins_text(pins: tuple[int, ...]) -> str:
    return "GPIO" + "/".join(str(p) for p in pins)


def _lamps_from_config(config: Config) -> tuple[dict[str, _Lamp], _Lamp | None]:
    """Lamps of the enabled cues (one per distinct pin tuple) and of the status LED."""
    by_pins: dict[tuple[int, ...], _Lamp] = {}
    areas: dict[tuple[int, ...], list[str]] = {}
    cue_lamps: dict[str, _Lamp] = {}
    for f in dataclasses.fields(config.cues):
        cue = getattr(config.cues, f.name)
        if not cue.enabled or not cue.pins:
            continue
        if cue.pins not in by_pins:
            by_pins[cue.pins] = _Lamp(f"[cues.{f.name}] pins {_pins_text(cue.pins)}", cue.pins, "")
        area = CUE_AREAS.get(f.name, f.name)
        if area not in areas.setdefault(cue.pins, []):
            areas[cue.pins].append(area)
        cue_lamps[f.name] = by_pins[cue.pins]
    for pins, lamp in by_pins.items():
        lamp.label = f"{_pins_text(pins)} ({'/'.join(areas[pins])})"
    status_pins = config.leds.status_pins
    if status_pins in by_pins:
        raise ConfigError(
            f"[leds] status_pins and {by_pins[status_pins].key.split()[0]} pins both use "
            f"{_pins_text(status_pins)}; give the status LED its own pins or status_pins = []"
        )
    status = None
    if status_pins:
        key = f"[leds] status_pins {_pins_text(status_pins)}"
        status = _Lamp(key, status_pins, "status")
    return cue_lamps, status


class _LampLeds:
    """One cue lit at a time plus a status LED; subclasses say what a lamp change does."""

    def __init__(self, config: Config, cue_lamps: dict[str, _Lamp], status: _Lamp | None):
        self._cues = config.cues
        self._cue_lamps = cue_lamps
        self._status_lamp = status
        self._cue: str | None = None
        self._status: str = "off"
        self._lock = threading.Lock()  # show() and the animation thread both write lamps
        self._all_lamps = _distinct(cue_lamps, status)

    def show(self, cue: str | None, t_s: float) -> None:
        if cue is not None and not hasattr(self._cues, cue):
            raise ValueError(f"unknown cue {cue!r}")
        with self._lock:
            if cue == self._cue:
                return  # shown every frame; restarting the pattern would freeze a blink
            old = self._cue_lamps.get(self._cue) if self._cue else None
            new = self._cue_lamps.get(cue) if cue else None
            if cue is not None and new is None:
                log.warning("cue %s is disabled or has no pins: nothing to light", cue)
            self._cue = cue
            if old is not None and old is not new:
                self._set(old, None, None, t_s)
            if new is not None:
                cue_config = getattr(self._cues, cue)
                self._set(new, (cue_config.pattern, cue_config.color), cue, t_s)

    def set_status(self, status: Status, t_s: float) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
        with self._lock:
            if status == self._status:
                return
            self._status = status
            if self._status_lamp is not None:
                self._set(self._status_lamp, STATUS_LOOKS.get(status), status, t_s)

    def refresh(self, now_s: float) -> None:
        pass

    def off(self) -> None:
        with self._lock:
            self._cue, self._status = None, "off"
            for lamp in self._all_lamps:
                if lamp.look is not None:
                    self._set(lamp, None, None, None)

    def close(self) -> None:
        self.off()

    def _set(
        self, lamp: _Lamp, look: tuple[str, str] | None, what: str | None, t_s: float | None
    ) -> None:
        lamp.look, lamp.started_s = look, None
        self._changed(lamp, what, t_s)

    def _changed(self, lamp: _Lamp, what: str | None, t_s: float | None) -> None:
        raise NotImplementedError


class GpioLeds(_LampLeds):
    """PWMLED / RGBLED devices; a lit LED's duty is `brightness` times the pattern's level."""

    def __init__(
        self,
        config: Config,
        cue_lamps: dict[str, _Lamp],
        status: _Lamp | None,
        *,
        animate: bool,
    ):
        super().__init__(config, cue_lamps, status)
        self._brightness = config.leds.brightness
        self._stop = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        if animate:
            self._thread = threading.Thread(target=self._animate, name="leds", daemon=True)
            self._thread.start()

    def _animate(self) -> None:
        while not self._stop.wait(ANIMATE_INTERVAL_S):
            self.refresh(time.monotonic())

    def refresh(self, now_s: float) -> None:
        with self._lock:
            for lamp in self._all_lamps:
                if lamp.look is None:
                    continue
                if lamp.started_s is None:
                    # Patterns run on this wall clock, not on frame time (a replay's t_s
                    # need not advance with it); show() already lit the LED at level 1.
                    lamp.started_s = now_s
                self._write(lamp, pattern_level(lamp.look[0], now_s - lamp.started_s))

    def _changed(self, lamp: _Lamp, what: str | None, t_s: float | None) -> None:
        # Lit at once, not at the next refresh: at most one frame between a fault and its LED.
        self._write(lamp, 0.0 if lamp.look is None else pattern_level(lamp.look[0], 0.0))
        log.debug("t=%s LED %s: %s", t_s, lamp.label, what or "off")

    def _write(self, lamp: _Lamp, level: float) -> None:
        duty = level * self._brightness
        if lamp.rgb:
            red, green, blue = COLOR_RGB[lamp.look[1]] if lamp.look else (0.0, 0.0, 0.0)
            value: Any = (red * duty, green * duty, blue * duty)
        else:
            value = duty
        if value != lamp.written and not self._closed:
            lamp.device.value = value
            lamp.written = value

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None
        self.off()
        with self._lock:
            if not self._closed:
                self._closed = True  # a show() racing the shutdown then writes nothing
                for lamp in self._all_lamps:
                    lamp.device.close()


class ConsoleLeds(_LampLeds):
    """No GPIO: one line per LED change on a text stream, for development and demos."""

    def __init__(
        self, config: Config, cue_lamps: dict[str, _Lamp], status: _Lamp | None, out: TextIO
    ):
        super().__init__(config, cue_lamps, status)
        self._out = out

    def _changed(self, lamp: _Lamp, what: str | None, t_s: float | None) -> None:
        when = f"  t={t_s:5.1f} s  " if t_s is not None else "  "
        if lamp.look is None:
            text = "off"
        else:
            pattern = lamp.look[0].replace("_", " ")
            colour = f" {lamp.look[1]}" if lamp.rgb else ""
            text = f"{what}, {pattern}{colour}"
            if lamp is self._status_lamp:
                text = f"{what} ({pattern}{colour})"
        name = "status" if lamp is self._status_lamp else f"LED {lamp.label}"
        self._out.write(f"{when}{name}: {text}\n")
        self._out.flush()


def _distinct(cue_lamps: dict[str, _Lamp], status: _Lamp | None) -> list[_Lamp]:
    lamps = list(dict.fromkeys(cue_lamps.values()))  # cues sharing an LED share its lamp
    return [*lamps, status] if status is not None else lamps


def _open_devices(lamps: list[_Lamp], config: Config, pin_factory) -> None:
    """Open one gpiozero device per lamp; on a failure close those already open."""
    from gpiozero import PWMLED, RGBLED

    from kiosk.gpio import open_device

    active_high = config.leds.active_high
    try:
        for lamp in lamps:
            kind = RGBLED if lamp.rgb else PWMLED
            make = partial(kind, *lamp.pins, active_high=active_high, pin_factory=pin_factory)
            lamp.device = open_device(make, lamp.key)
    except Exception:
        for lamp in lamps:
            if lamp.device is not None:
                lamp.device.close()
                lamp.device = None
        raise


def build_leds(
    config: Config,
    backend: str,
    *,
    pin_factory=None,
    out: TextIO | None = None,
    animate: bool = True,
) -> Leds:
    """The LED output for a backend: "gpio" (real pins), "mock" (MockFactory) or "console"."""
    cue_lamps, status = _lamps_from_config(config)
    if backend == "console":
        return ConsoleLeds(config, cue_lamps, status, out if out is not None else sys.stdout)
    if backend not in ("gpio", "mock"):
        raise ConfigError(f'[leds] backend: unknown {backend!r} (use "gpio", "mock" or "console")')
    if pin_factory is None:
        from kiosk.gpio import pin_factory as default_pin_factory

        pin_factory = default_pin_factory(backend)
    _open_devices(_distinct(cue_lamps, status), config, pin_factory)
    return GpioLeds(config, cue_lamps, status, animate=animate)
