"""Configuration of the rest of the guidance: the greeting, the face's actions, stiffness and
gestures. Population defaults; the face's neutral is also learned per agent."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.fields import setting


@dataclass(frozen=True)
class GreetingConfig:
    limit_s: float = setting(
        3.0,
        "Look at a customer within this long of their arrival (presence); later is a slow "
        "greeting.",
        min=0.5,
        max=60.0,
    )


@dataclass(frozen=True)
class ExpressionConfig:
    frown_cm: float = setting(
        0.3,
        "Against the agent's own (learned) neutral face: brows drawn down by at least this much "
        "is a frown. The measure adds the inner brows' drop, how much more they drop than the "
        "outer ends, and half of how much they draw together (centimetres on MediaPipe's "
        "canonical face).",
        min=0.05,
        max=2.0,
    )
    smile_cm: float = setting(
        0.5,
        "Against the agent's own neutral: lip corners raised plus half the mouth's widening by "
        "at least this much is a smile.",
        min=0.05,
        max=3.0,
    )
    population_frown_cm: float = setting(
        0.55,
        "frown_cm against the population's neutral (a single photo, or before the agent's own "
        "is learned): larger, as people's resting brows differ by about 0.3 cm.",
        min=0.05,
        max=2.0,
    )
    population_smile_cm: float = setting(
        0.8,
        "smile_cm against the population's neutral: larger, as people's resting mouths differ.",
        min=0.05,
        max=3.0,
    )
    frown_min_s: float = setting(
        3.0, "A frown held this long is an event (and the frown cue's fault).", min=0.2, max=600.0
    )
    learn_s: float = setting(
        60.0,
        "The agent's own neutral face is learned from the first this many seconds of "
        "presence (the median); until then, and for single photos, the population's.",
        min=5.0,
        max=3600.0,
    )
    max_personal_shift_cm: float = setting(
        0.4,
        "A learned neutral stays within this of the population's, so an agent who frowns "
        "through the first minute does not make a frown their neutral.",
        min=0.0,
        max=2.0,
    )
    neutral_brow_height_cm: float = setting(
        0.0,
        "This agent's calibrated neutral face, in centimetres on MediaPipe's canonical face "
        "(all five keys set: used as they are, with frown_cm and smile_cm from the first "
        "frame); 0 = learn it from the first learn_s of presence. Inner brows above the inner "
        "eye corners.",
        min=0.0,
        max=5.0,
    )
    neutral_brow_gap_cm: float = setting(
        0.0, "Calibrated neutral: between the inner brows; 0 = learn.", min=0.0, max=6.0
    )
    neutral_brow_tilt_cm: float = setting(
        0.0,
        "Calibrated neutral: outer brow height less inner (usually negative); 0 = learn.",
        min=-3.0,
        max=3.0,
    )
    neutral_corner_drop_cm: float = setting(
        0.0,
        "Calibrated neutral: mouth corners below the nose's base; 0 = learn.",
        min=0.0,
        max=6.0,
    )
    neutral_mouth_width_cm: float = setting(
        0.0, "Calibrated neutral: corner to corner; 0 = learn.", min=0.0, max=10.0
    )
    blank_stare_s: float = setting(
        10.0,
        "Eyes open and fixed away from the customer, face and head still, no expression change "
        "and no blink for this long is a blank stare.",
        min=2.0,
        max=600.0,
    )
    still_gaze_deg: float = setting(
        10.0,
        "blank stare: the gaze stays within this angle of where the stare began (the face "
        "mesh's gaze wanders up to 7 degrees over seconds on a still face).",
        min=1.0,
        max=30.0,
    )
    still_head_deg: float = setting(
        4.0,
        "blank stare: the head stays within this angle (yaw and pitch) of where it began.",
        min=0.5,
        max=30.0,
    )
    still_face_cm: float = setting(
        0.25,
        "blank stare: the frown and smile measures stay within this of where they began (they "
        "wander up to 0.2 cm over seconds on a still face; a real smile moves them 1.5).",
        min=0.01,
        max=2.0,
    )


@dataclass(frozen=True)
class StiffnessConfig:
    limit_s: float = setting(
        60.0,
        "Head within still_deg, no nod, no hand movement and arms at the sides this long "
        "during an interaction is stiffness ('the alien').",
        min=5.0,
        max=3600.0,
    )
    still_deg: float = setting(
        4.0,
        "The head stays within this angle (yaw and pitch, smoothed) of where the spell began.",
        min=0.5,
        max=30.0,
    )


@dataclass(frozen=True)
class GesturesConfig:
    moving_sw_s: float = setting(
        0.5,
        "A hand in view moving faster than this (shoulder widths per second, over "
        "window_s) is gesturing.",
        min=0.05,
        max=10.0,
    )
    window_s: float = setting(
        0.4,
        "Hand speed is measured over this long (the body model runs every few frames).",
        min=0.1,
        max=2.0,
    )
    wide_sw_s: float = setting(
        1.5,
        "A wrist above the shoulders or out beyond the body's width moving faster than this "
        "(shoulder widths per second) is a wide gesture.",
        min=0.2,
        max=20.0,
    )
    wide_out_sw: float = setting(
        0.25,
        "'Beyond the body's width': the wrist this far outside its shoulder (shoulder widths).",
        min=0.0,
        max=3.0,
    )
    wide_fault_s: float = setting(
        1.0,
        "Wide, fast swinging for this long in all within wide_window_s is the wide-gesture "
        "cue's fault (one sweep of the arm lasts a few tenths of a second).",
        min=0.1,
        max=60.0,
    )
    wide_window_s: float = setting(10.0, "The window for wide_fault_s.", min=1.0, max=600.0)
    hidden_min_s: float = setting(
        20.0,
        "An interaction at least this long with hands never seen, while both elbows are in "
        "view and held down, is a hidden-hands event.",
        min=5.0,
        max=3600.0,
    )
