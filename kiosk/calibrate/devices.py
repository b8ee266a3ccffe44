"""`kiosk calibrate test-leds` and `test-presence`: each cue's LED lit in turn, and the presence
sensor's readings live, with the devices built from the config exactly as `kiosk run` builds them.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk import gpio
from kiosk.calibrate.result import Calibration
from kiosk.config import Config
from kiosk.config.fields import setting_bounds
from kiosk.errors import ConfigError
from kiosk.feedback.leds import ANIMATE_INTERVAL_S, CUE_AREAS, STATUS_LOOKS, build_leds
from kiosk.presence.sensors import DistancePresence, open_presence
from kiosk.scenes.library import get_scenario

log = logging.getLogger(__name__)

READING_INTERVAL_S = 0.5
# near_cm from the readings: the largest gap between sorted distances must be at least this wide
# to say "a customer here, the empty counter there" (the HC-SR04 wanders by a few cm).
NEAR_GAP_MIN_CM = 20.0
NEAR_MIN_READINGS = 2  # readings on each side of the gap
NEAR_STEP_CM = 5.0  # proposals are rounded to this
# near_cm is fine where it is when it sits this far (a share of the gap) inside the gap.
NEAR_MARGIN = 0.25
FLICKER_CHANGES = 4  # this many present/absent changes in a test is flicker, not customers


def _pins_text(pins: tuple[int, ...]) -> str:
    return "GPIO" + "/".join(str(p) for p in pins)


def _look_text(pattern: str, colour: str, rgb: bool) -> str:
    # A single LED is the colour it was made: the configured colour shows on RGB LEDs only.
    return pattern.replace("_", " ") + (f", {colour}" if rgb else "")


def _cue_order(config: Config) -> list[str]:
    """Enabled cues, highest priority first (the order they pre-empt each other), well_done
    (an acknowledgement, not a nudge) last."""
    names = [f.name for f in dataclasses.fields(config.cues)]
    enabled = [n for n in names if getattr(config.cues, n).enabled]
    return sorted(
        enabled, key=lambda n: (n == "well_done", -getattr(config.cues, n).priority, names.index(n))
    )


def _led_table(config: Config, backend: str) -> list[str]:
    rows = [("cue", "LED", "pattern", "colour", "priority")]
    for cue in _cue_order(config):
        c = getattr(config.cues, cue)
        led = f"{_pins_text(c.pins)} ({CUE_AREAS.get(cue, cue)})" if c.pins else "(no pins)"
        colour = c.color if len(c.pins) == 3 else "-"
        priority = f"{c.priority}{' immediate' if c.immediate else ''}"
        rows.append((cue, led, c.pattern.replace("_", " "), colour, priority))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join([*(row[i].ljust(widths[i]) for i in range(4)), row[4]]) for row in rows]
    disabled = [
        f.name for f in dataclasses.fields(config.cues) if not getattr(config.cues, f.name).enabled
    ]
    status_pins = config.leds.status_pins
    if status_pins:
        rgb = len(status_pins) == 3
        looks = "; ".join(
            f"{status} ({_look_text(pattern, colour, rgb).replace(',', '')})"
            for status, (pattern, colour) in STATUS_LOOKS.items()
        )
        lines.append(f"status LED {_pins_text(status_pins)}: {looks}")
    else:
        lines.append("status LED: none ([leds] status_pins = [])")
    if disabled:
        lines.append(f"disabled (not lit): {', '.join(disabled)}")
    lines.append("colour: RGB LEDs (three pins) only; a single LED shows its own colour")
    if backend == "console":
        lines.append("console backend: no LED was lit; this checked the cue-to-pin mapping only")
    else:
        lines.append(
            f"lit at [leds] brightness {config.leds.brightness:g} (dim on purpose: the agent sees "
            "it, the customer should not); raise it if the agent cannot"
        )
    return lines


def test_leds(
    config: Config,
    args: argparse.Namespace,
    *,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    pin_factory=None,
) -> Calibration:
    """Light each enabled cue's LED with its pattern for `args.seconds`, in priority order, then
    the status LED's states, then all off. `--leds` (or [leds] backend) chooses the backend as
    for `kiosk run`: "gpio" off a Pi is a GpioError, never a mock."""
    backend = args.leds or config.leds.backend
    seconds = args.seconds
    # The console backend's own change lines would repeat the ones said here.
    out = io.StringIO() if backend == "console" else None
    leds = build_leds(config, backend, pin_factory=pin_factory, out=out, animate=False)
    start_s = clock()

    def hold() -> None:
        # Patterns are animated here, on this clock, as the kiosk's animation thread does.
        end_s = clock() + seconds
        while (now_s := clock()) < end_s:
            leds.refresh(now_s)
            sleep(min(ANIMATE_INTERVAL_S, end_s - now_s))

    try:
        for cue in _cue_order(config):
            c = getattr(config.cues, cue)
            if not c.pins:
                say(f"(no pins): {cue} has no LED ([cues.{cue}] pins = [])")
                continue
            led = f"{_pins_text(c.pins)} ({CUE_AREAS.get(cue, cue)})"
            look = _look_text(c.pattern, c.color, len(c.pins) == 3)
            say(f"{led}: {cue}, {look} — lit for {seconds:g} s")
            leds.show(cue, clock() - start_s)
            hold()
        leds.show(None, clock() - start_s)
        status_pins = config.leds.status_pins
        for status, (pattern, colour) in STATUS_LOOKS.items() if status_pins else ():
            look = _look_text(pattern, colour, len(status_pins) == 3)
            say(f"{_pins_text(status_pins)} (status): {status}, {look} — lit for {seconds:g} s")
            leds.set_status(status, clock() - start_s)
            hold()
        leds.off()
        say("all off")
    finally:
        leds.close()
    return Calibration(lines=_led_table(config, backend))


# --- presence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    t_s: float
    present: bool | None  # None: the sensor cannot tell (yet)
    distance_cm: float | None = None


@dataclass(frozen=True)
class Spells:
    changes: int
    longest_present_s: float
    longest_absent_s: float
    # Spells with their start and end seen (not the first or the last): absent ones between
    # two present ones (a gap in one customer's stay, or between two), and present ones.
    gaps_s: tuple[float, ...]
    whole_present_s: tuple[float, ...]


def spells(readings: list[Reading]) -> Spells:
    """Runs of the same answer. A spell lasts from its first reading to the first reading of
    the next spell (the last one: to the last reading); readings with no answer are skipped."""
    known = [r for r in readings if r.present is not None]
    runs: list[tuple[bool, float, float]] = []  # (present, start, end)
    for r in known:
        if runs and runs[-1][0] == r.present:
            runs[-1] = (r.present, runs[-1][1], r.t_s)
        else:
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1], r.t_s)
            runs.append((r.present, r.t_s, r.t_s))
    present = [end - start for p, start, end in runs if p]
    absent = [end - start for p, start, end in runs if not p]
    whole = runs[1:-1]
    return Spells(
        changes=max(0, len(runs) - 1),
        longest_present_s=max(present, default=0.0),
        longest_absent_s=max(absent, default=0.0),
        gaps_s=tuple(end - start for p, start, end in whole if not p),
        whole_present_s=tuple(end - start for p, start, end in whole if p),
    )


@dataclass(frozen=True)
class NearAdvice:
    line: str
    near_cm: float | None = None  # a proposal, when the readings support one


def near_cm_advice(distances_cm: list[float], near_cm: float, bounds: tuple) -> NearAdvice | None:
    """Where `[presence] near_cm` should be, from an HC-SR04's readings while a helper stood
    where customers stand for part of the test and away for the rest.

    The rule: sorted, the readings must fall into two groups (at least NEAR_MIN_READINGS each)
    with a gap of at least NEAR_GAP_MIN_CM between them: the customer (near) and the empty
    counter or the sensor's range (far). near_cm is kept when it sits inside the gap at least
    NEAR_MARGIN of its width from either side; otherwise the gap's middle is proposed, rounded
    to NEAR_STEP_CM and within near_cm's bounds. Without such a gap nothing is proposed: one
    group alone (no customer, or never away) cannot say where the line goes, and readings
    spread across near_cm with no gap mean the sensor sees something other than the customer.
    """
    values = sorted(distances_cm)
    if len(values) < 2 * NEAR_MIN_READINGS:
        return None
    inner = range(NEAR_MIN_READINGS - 1, len(values) - NEAR_MIN_READINGS)
    cut = max(inner, key=lambda i: values[i + 1] - values[i])
    near, far = values[cut], values[cut + 1]
    gap = far - near
    if gap < NEAR_GAP_MIN_CM:
        lo, hi = values[0], values[-1]
        if lo <= near_cm < hi:
            return NearAdvice(
                f"distance: readings spread from {lo:.0f} to {hi:.0f} cm across near_cm "
                f"{near_cm:g} with no clear gap between a customer and no one: aim the sensor "
                "at where customers stand, clear of the counter's edge, and run again"
            )
        return NearAdvice(
            f"distance: readings from {lo:.0f} to {hi:.0f} cm, all on one side of near_cm "
            f"{near_cm:g}: stand where customers stand for part of the test and away for the "
            "rest, then run again"
        )
    margin = NEAR_MARGIN * gap
    if near + margin <= near_cm <= far - margin:
        return NearAdvice(
            f"distance: a customer reads up to {near:.0f} cm, no one from {far:.0f} cm: near_cm "
            f"{near_cm:g} sits well between them, keep it"
        )
    middle = round((near + far) / 2.0 / NEAR_STEP_CM) * NEAR_STEP_CM
    low, high = bounds
    middle = min(max(middle, low), high)
    where = "at the customer's readings" if near_cm < near + margin else "at no one's readings"
    return NearAdvice(
        f"distance: a customer reads up to {near:.0f} cm, no one from {far:.0f} cm; near_cm "
        f"{near_cm:g} is {where}, so presence flickers: {middle:g} is the gap's middle",
        middle,
    )


def _open_presence_like_run(config: Config, source: str | None, pin_factory):
    spec = source or config.camera.source
    scenario = get_scenario(spec.removeprefix("scene:")) if spec.startswith("scene:") else None
    if config.presence.source == "scene" and scenario is None:
        raise ConfigError(
            '[presence] source = "scene" follows a rendered scenario\'s customer: give '
            "--source scene:NAME (kiosk scene list names them)"
        )
    if pin_factory is None and config.leds.backend == "mock":
        pin_factory = gpio.pin_factory("mock")  # as kiosk run shares the LEDs' mock pins
    return open_presence(config.presence, scenario=scenario, pin_factory=pin_factory), spec


def _reading_line(r: Reading) -> str:
    state = {True: "present", False: "absent", None: "no reading"}[r.present]
    distance = f"  {r.distance_cm:5.0f} cm" if r.distance_cm is not None else ""
    return f"{r.t_s:6.1f} s  {state:<10}{distance}".rstrip()


def test_presence(
    config: Config,
    args: argparse.Namespace,
    *,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    pin_factory=None,
) -> Calibration:
    """Read the presence source `[presence] source` names (built as `kiosk run` builds it)
    every READING_INTERVAL_S for `args.seconds`, saying each reading, then summarise the
    changes and spells with advice. The only setting proposed is `[presence] near_cm`, for a
    distance sensor, by the rule of `near_cm_advice`. Ctrl-C ends the readings early and
    summarises those taken."""
    presence, spec = _open_presence_like_run(config, args.source, pin_factory)
    cal = Calibration()
    pcfg = config.presence
    if presence.name == "always":
        presence.close()
        cal.lines += [
            f'[presence] source = "{pcfg.source}" resolves to "always" for {spec}: there is no '
            "sensor to read; every moment counts as a customer present, and a whole run is one "
            "interaction.",
            'Set [presence] source = "distance" (HC-SR04), "pir" or "button" and run this again, '
            "or give --source scene:NAME to follow a rendered scenario's customer.",
        ]
        return cal
    seconds = args.seconds
    distance = isinstance(presence, DistancePresence)
    what = {
        "scene": f"{spec}'s customer, on the scenario's clock",
        "button": "stand on the mat (or close the switch) for part of it, and step off for the "
        "rest",
    }.get(presence.name, "stand where a customer stands for part of it, and away for the rest")
    say(
        f"reading the {presence.name} presence source every {READING_INTERVAL_S:g} s for "
        f"{seconds:g} s: {what}"
    )
    readings: list[Reading] = []
    start_s = clock()
    try:
        for k in range(math.floor(seconds / READING_INTERVAL_S + 1e-9) + 1):
            wait_s = start_s + k * READING_INTERVAL_S - clock()
            if wait_s > 0:
                sleep(wait_s)
            t_s = clock() - start_s
            present = presence.present(t_s)
            cm = presence.distance_cm() if distance else None
            readings.append(Reading(t_s, present, cm))
            say(_reading_line(readings[-1]))
    except KeyboardInterrupt:
        say("stopped")
    finally:
        presence.close()
    cal.lines += _presence_summary(config, presence.name, readings)
    if distance:
        cms = [r.distance_cm for r in readings if r.distance_cm is not None]
        advice = near_cm_advice(cms, pcfg.near_cm, setting_bounds(pcfg, "near_cm"))
        if advice is not None:
            cal.lines.append(advice.line)
            if advice.near_cm is not None and advice.near_cm != pcfg.near_cm:
                cal.set("presence", "near_cm", advice.near_cm)
        cal.lines.append(
            f"(the sensor's range is {pcfg.near_cm * 1.5:g} cm, 1.5 x near_cm: anything farther "
            "reads as that)"
        )
    return cal


def _presence_summary(config: Config, name: str, readings: list[Reading]) -> list[str]:
    pcfg = config.presence
    if not readings:
        return ["no reading taken"]
    known = [r for r in readings if r.present is not None]
    s = spells(readings)
    lines = [
        f"{len(readings)} readings over {readings[-1].t_s:.1f} s from the {name} source: "
        f"{s.changes} change{'' if s.changes == 1 else 's'}, longest present "
        f"{s.longest_present_s:.1f} s, longest absent {s.longest_absent_s:.1f} s"
    ]
    if not known:
        wiring = {
            "distance": f"echo GPIO{pcfg.echo_pin} (through a 5 V to 3.3 V divider), trigger "
            f"GPIO{pcfg.trigger_pin}",
            "pir": f"the PIR's output on GPIO{pcfg.sensor_pin}; a PIR needs up to a minute to "
            "settle after power-up",
        }.get(name, "the sensor")
        return [*lines, f"the sensor never answered: check the wiring ({wiring})"]
    if len(known) < len(readings):
        lines.append(f"{len(readings) - len(known)} readings without an answer (sensor warming up)")
    if not any(r.present for r in known):
        lines.append(
            "no customer seen: stand where a customer stands (or close the switch) during the test"
        )
    elif all(r.present for r in known):
        lines.append("present throughout: step away during the test to check that it reads absent")
    long_gaps = [g for g in s.gaps_s if g > pcfg.absent_end_s]
    if s.gaps_s:
        lines.append(
            f"{len(s.gaps_s)} absent gap(s) between present spells, longest {max(s.gaps_s):.1f} s: "
            f"gaps up to [presence] absent_end_s ({pcfg.absent_end_s:g} s) keep one interaction "
            f"going; {len(long_gaps)} would end it"
        )
    short = [p for p in s.whole_present_s if p < pcfg.min_present_s]
    if short:
        lines.append(
            f"{len(short)} present spell(s) shorter than [presence] min_present_s "
            f"({pcfg.min_present_s:g} s): passers-by, they start no interaction"
        )
    if s.changes >= FLICKER_CHANGES:
        advice = {
            "pir": "a PIR sees motion, not presence: a customer standing still drops out. Keep "
            "absent_end_s above the gaps, or use a distance sensor",
            "button": "a switch or mat that changes this often may bounce or be stepped on "
            "unevenly: check its contact",
            "scene": "the scenario's own customer timeline",
        }.get(name)
        if advice:
            lines.append(f"{s.changes} changes: {advice}")
    return lines
