"""Configuration of the live kiosk: dropouts, customer presence, nudge rules, cues, LEDs, pause.

Pins are BCM GPIO numbers (GPIO17 = 17). The defaults follow the wiring in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.fields import nested, setting

PATTERNS = ("steady", "slow_pulse", "blink", "fast_blink")
COLORS = ("red", "green", "blue", "amber", "white", "cyan", "magenta")
PRESENCE_SOURCES = ("auto", "always", "scene", "distance", "pir", "button")
LED_BACKENDS = ("gpio", "mock", "console")

_PIN_DOC = "BCM GPIO number (GPIO17 = 17)."


@dataclass(frozen=True)
class SignalsConfig:
    dropout_limit_s: float = setting(
        1.0,
        "A gap between frames longer than this is a dropout (camera stall, lost face): it ends "
        "every run instead of bridging it, and counts as unmeasured time.",
        min=0.1,
        max=30.0,
    )
    relearn_after_away_s: float = setting(
        600.0,
        "The agent away from the camera this long may be someone else: the learned lean "
        "neutral and shoulder width start again when a face returns.",
        min=10.0,
        max=86400.0,
    )


@dataclass(frozen=True)
class PresenceConfig:
    source: str = setting(
        "auto",
        'How a customer is detected: "distance" (HC-SR04 ultrasonic sensor), "pir" (motion '
        'sensor), "button" (a switch, floor mat or queue-system contact), "always", "scene" '
        '(a rendered scenario\'s own customer), or "auto" ("scene" for scene sources, '
        '"always" otherwise).',
        choices=PRESENCE_SOURCES,
    )
    min_present_s: float = setting(
        2.0,
        "An interaction starts once a customer has been present this long.",
        min=0.0,
        max=120.0,
    )
    absent_end_s: float = setting(
        5.0,
        "An interaction ends after this long without a customer (a customer who steps away "
        "for a moment is still the same interaction).",
        min=0.5,
        max=600.0,
    )
    near_cm: float = setting(
        100.0,
        "distance: a customer is present when the sensor reads nearer than this.",
        min=5.0,
        max=400.0,
    )
    echo_pin: int = setting(
        24,
        "distance: HC-SR04 echo pin (through a 5 V to 3.3 V divider). " + _PIN_DOC,
        min=0,
        max=27,
    )
    trigger_pin: int = setting(23, "distance: HC-SR04 trigger pin. " + _PIN_DOC, min=0, max=27)
    sensor_pin: int = setting(
        4, "pir, button: the sensor's or switch's input pin. " + _PIN_DOC, min=0, max=27
    )
    pull_up: bool = setting(
        True,
        "button: the switch connects the pin to ground (internal pull-up); false: to 3.3 V.",
    )


@dataclass(frozen=True)
class NudgesConfig:
    min_interval_s: float = setting(
        20.0,
        "At most one new nudge per this many seconds, all cues together (about one cue in "
        "20 s is what people tolerate); immediate cues are exempt.",
        min=0.0,
        max=3600.0,
    )
    clear_s: float = setting(
        1.0,
        "A lit cue turns off once its fault has been clear this long (hysteresis).",
        min=0.0,
        max=60.0,
    )
    min_show_s: float = setting(
        2.0,
        "A cue stays lit at least this long, so a short fault is still noticed.",
        min=0.0,
        max=60.0,
    )
    max_show_s: float = setting(
        10.0,
        "A cue goes dark after this long even if the fault goes on (it may return after its "
        "cooldown): a light that never goes out stops being noticed.",
        min=1.0,
        max=600.0,
    )
    acknowledge_min_s: float = setting(
        30.0,
        "well_done cue (when enabled): an interaction at least this long that ends with no "
        "nudge and no fault.",
        min=0.0,
        max=3600.0,
    )


def _cue_field(
    pins: tuple[int, ...],
    pattern: str,
    color: str,
    priority: int,
    cooldown_s: float = 60.0,
    *,
    doc: str,
    enabled: bool = True,
    immediate: bool = False,
):
    def make() -> CueConfig:
        return CueConfig(enabled, pins, pattern, color, priority, cooldown_s, immediate)

    return nested(make, doc)


@dataclass(frozen=True)
class CueConfig:
    enabled: bool = setting(True, "Nudge for this fault.")
    pins: tuple[int, ...] = setting(
        (17,),
        "The LED: one pin, or three for an RGB LED (red, green, blue). Cues may share an LED "
        "and tell themselves apart by pattern. " + _PIN_DOC,
    )
    pattern: str = setting("steady", "How the LED shows this cue.", choices=PATTERNS)
    color: str = setting("amber", "Colour on an RGB LED (ignored on a single LED).", choices=COLORS)
    priority: int = setting(
        5, "When faults coincide the highest priority is shown.", min=0, max=100
    )
    cooldown_s: float = setting(
        60.0,
        "After a nudge, the same cue waits this long before it may nudge again.",
        min=0.0,
        max=3600.0,
    )
    immediate: bool = setting(
        False,
        "Shown at once, ahead of any other cue and regardless of min_interval_s.",
    )


EYES, BODY, HANDS = (17,), (27,), (22,)


@dataclass(frozen=True)
class CuesConfig:
    pointing_at_face: CueConfig = _cue_field(
        HANDS,
        "fast_blink",
        "red",
        90,
        15.0,
        immediate=True,
        doc="An index finger pointed at the customer's face: never acceptable, shown at once.",
    )
    no_eye_contact: CueConfig = _cue_field(
        EYES,
        "steady",
        "amber",
        70,
        doc="No glance at the customer for [eye_contact] no_look_limit_s: look up.",
    )
    slow_greeting: CueConfig = _cue_field(
        EYES,
        "steady",
        "amber",
        80,
        doc="No look at a newly arrived customer within [greeting] limit_s: look up.",
    )
    staring: CueConfig = _cue_field(
        EYES,
        "slow_pulse",
        "amber",
        60,
        doc="One unbroken gaze past [eye_contact] stare_limit_s: soften it, glance away.",
    )
    blank_stare: CueConfig = _cue_field(
        EYES,
        "slow_pulse",
        "amber",
        55,
        doc="A fixed, vacant look past [expression] blank_stare_s: move the eyes, re-engage.",
    )
    pointing: CueConfig = _cue_field(
        HANDS,
        "steady",
        "amber",
        50,
        doc="Pointing at the customer for [pointing] min_hold_s: use an open palm.",
    )
    impatient_nodding: CueConfig = _cue_field(
        EYES,
        "blink",
        "amber",
        40,
        doc="Fast or continuous nodding ('hurry up').",
    )
    frown: CueConfig = _cue_field(
        EYES,
        "fast_blink",
        "amber",
        35,
        enabled=False,
        doc="Brows drawn down for [expression] frown_min_s with a customer there: relax the "
        "face (off by default).",
    )
    not_facing: CueConfig = _cue_field(
        BODY,
        "steady",
        "amber",
        30,
        doc="Head and body turned away from the customer for [impatience] turn_away_min_s.",
    )
    head_only_turn: CueConfig = _cue_field(
        BODY,
        "slow_pulse",
        "amber",
        20,
        doc="Head to the customer, body still turned away, for [facing] head_only_min_s.",
    )
    wide_gesture: CueConfig = _cue_field(
        HANDS,
        "blink",
        "amber",
        25,
        doc="[gestures] wide_fault_s of wide, fast swinging within wide_window_s: smaller "
        "gestures.",
    )
    leaning_back: CueConfig = _cue_field(
        BODY,
        "blink",
        "amber",
        10,
        doc="Leaning back for [impatience] lean_back_min_s.",
    )
    stiff: CueConfig = _cue_field(
        HANDS,
        "slow_pulse",
        "amber",
        5,
        doc="Head, hands and arms still for [stiffness] limit_s: loosen up, nod, gesture.",
    )
    well_done: CueConfig = _cue_field(
        (12,),
        "slow_pulse",
        "green",
        0,
        0.0,
        enabled=False,
        doc="A brief acknowledgement after a well-handled interaction (off by default).",
    )


@dataclass(frozen=True)
class LedsConfig:
    backend: str = setting(
        "gpio",
        'How LEDs and the pause button are driven: "gpio" (real pins via gpiozero), "mock" '
        '(gpiozero\'s MockFactory, for tests), "console" (a line per LED change on stdout, the '
        "pause button on the keyboard).",
        choices=LED_BACKENDS,
    )
    brightness: float = setting(
        0.15,
        "PWM duty of a lit LED: dim, so the agent notices and the customer does not.",
        min=0.01,
        max=1.0,
    )
    active_high: bool = setting(
        True, "LEDs light when the pin is high (wired pin to LED to ground)."
    )
    status_pins: tuple[int, ...] = setting(
        (5, 6, 13),
        "The status LED: tracking (steady green), no customer (slow green pulse), paused (blue "
        "blink), camera fault (fast red blink); one pin or three (RGB); [] for none. " + _PIN_DOC,
    )


@dataclass(frozen=True)
class PauseConfig:
    enabled: bool = setting(True, "A pause / privacy button toggles tracking off and on.")
    pin: int = setting(
        26,
        "The button's pin; it connects the pin to ground when pressed. " + _PIN_DOC,
        min=0,
        max=27,
    )
    auto_resume_min: float = setting(
        0.0,
        "Tracking resumes by itself after this many minutes of pause; 0 = only by the button.",
        min=0.0,
        max=1440.0,
    )
