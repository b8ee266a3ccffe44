"""The built-in scenarios: short scripted clips of good and bad service, each with a known verdict.

The customer sits where the base photo's agent looks (near the camera), so "customer" is the
upright, unturned posture; the desk is below, a side screen to the image's right.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.errors import SourceError
from kiosk.scenes.script import Oscillation, Posture, Scenario, Segment, Speech

AT_CUSTOMER = Posture()
AT_DESK = Posture(head_pitch_deg=-25.0, eye_pitch_deg=-15.0)
AT_SCREEN = Posture(head_yaw_deg=30.0, eye_yaw_deg=8.0)  # glancing to a side screen
BODY_TO_SCREEN = Posture(torso_yaw_deg=45.0)  # torso to the screen, head back to the customer
TURNED_AWAY = Posture(head_yaw_deg=40.0, torso_yaw_deg=40.0)
LEANING_BACK = Posture(lean_cm=-12.0)
AT_PAPERS = Posture(head_pitch_deg=-20.0, eye_pitch_deg=-15.0)  # reading the customer's form
_DESK = {"head_pitch_deg": AT_DESK.head_pitch_deg, "eye_pitch_deg": AT_DESK.eye_pitch_deg}
FORWARD = Posture(lean_cm=4.0)  # a gentle, attentive lean
# Worry between the brows: inner brows drawn down and together, the photo's smile let go.
FROWNING = {"brow_lower_cm": 1.2, "smile_cm": -1.0}
# A vacant look into the middle distance, down and to the side; the face let go.
VACANT = Posture(head_yaw_deg=-8.0, head_pitch_deg=-6.0, eye_yaw_deg=-12.0, eye_pitch_deg=-6.0)
# Arms sweeping above the shoulders and out (wrist against its shoulder, cm: out, up).
CONDUCTOR_A = Posture(wrist_right_cm=(45.0, 20.0), wrist_left_cm=(15.0, 40.0))
CONDUCTOR_B = Posture(wrist_right_cm=(15.0, 40.0), wrist_left_cm=(45.0, 20.0))


def look(seconds: float, posture: Posture = AT_CUSTOMER, label: str = "look") -> Segment:
    return Segment(seconds, posture, target="customer", label=label)


def desk(seconds: float, label: str = "desk") -> Segment:
    return Segment(seconds, AT_DESK, target="desk", label=label)


def reading(seconds: float) -> Segment:
    return Segment(seconds, AT_PAPERS, target="desk", label="reading")


def glance(seconds: float, posture: Posture = AT_SCREEN, label: str = "glance away") -> Segment:
    return Segment(seconds, posture, target="away", ease_s=0.3, label=label)


def nods(
    seconds: float,
    freq_hz: float,
    amplitude_deg: float = 10.0,
    posture: Posture = AT_CUSTOMER,
    label: str = "nods",
) -> Segment:
    osc = Oscillation("nod", freq_hz, amplitude_deg)
    target = "customer" if posture == AT_CUSTOMER else "desk"
    return Segment(seconds, posture, target=target, oscillation=osc, label=label)


def shakes(seconds: float, freq_hz: float, amplitude_deg: float = 15.0) -> Segment:
    osc = Oscillation("shake", freq_hz, amplitude_deg)
    return Segment(seconds, AT_CUSTOMER, target="customer", oscillation=osc, label="head shakes")


def single_nod(label: str = "listening nod") -> Segment:
    """One nod (about 0.8 s down and up) followed by a short rest."""
    return nods(1.4, freq_hz=1.25, amplitude_deg=10.0, label=label)


def frowning(segment: Segment) -> Segment:
    """The same segment with the brows drawn down and together."""
    return replace(segment, posture=replace(segment.posture, **FROWNING))


def conducting(seconds: float, label: str = "wide gestures") -> tuple[Segment, ...]:
    """Both arms sweeping wide, a sweep every 0.4 s, eyes on the customer."""
    sweeps = round(seconds / 0.4)
    return tuple(
        Segment(0.4, CONDUCTOR_A if k % 2 == 0 else CONDUCTOR_B, ease_s=0.4, label=label)
        for k in range(sweeps)
    )


def eyes_down(seconds: float) -> Segment:
    """A glance at the desk with the eyes alone, the head held where it was."""
    return Segment(seconds, Posture(eye_pitch_deg=-25.0), target="desk", label="eyes down")


def away(seconds: float) -> Segment:
    return Segment(seconds, AT_CUSTOMER, target="none", present=False, ease_s=0.0, label="away")


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "attentive",
            "Soft eye contact broken every few seconds, a gentle forward lean, two listening nods.",
            (
                look(3.0),
                desk(1.2),
                look(1.5),
                single_nod(),
                desk(1.0),
                look(3.0),
                glance(1.0),
                look(1.5, FORWARD, label="lean in"),
                single_nod(),
                desk(1.2),
                look(3.0, FORWARD, label="lean in"),
                glance(1.0),
                look(2.5),
            ),
        ),
        Scenario(
            "stares",
            "Looks at the customer without a single break for 18 s.",
            (desk(2.0), look(18.0, label="stare"), desk(2.0)),
            sway_deg=0.4,
        ),
        Scenario(
            "never_looks_up",
            "Eyes on the desk and the side screen; never a glance at the customer.",
            (
                desk(8.0),
                glance(3.0, label="screen"),
                desk(7.0),
                glance(2.0, label="screen"),
                desk(4.0),
            ),
        ),
        Scenario(
            "turns_head_not_body",
            "Body stays turned to the side screen while only the head turns to the customer.",
            (
                look(3.0),
                desk(1.0),
                Segment(3.0, BODY_TO_SCREEN, target="customer", label="head only"),
                Segment(1.0, replace(BODY_TO_SCREEN, **_DESK), target="desk", label="desk"),
                Segment(3.0, BODY_TO_SCREEN, target="customer", label="head only"),
                desk(1.0),
                look(3.0),
                desk(1.0),
                Segment(3.0, BODY_TO_SCREEN, target="customer", label="head only"),
                Segment(1.0, replace(BODY_TO_SCREEN, **_DESK), target="desk", label="desk"),
                Segment(2.0, BODY_TO_SCREEN, target="customer", label="head only"),
                desk(1.0),
                look(2.0),
            ),
        ),
        Scenario(
            "turns_away",
            "Turns the whole body to the side screen and back: impatience, not a head-only turn.",
            (
                look(3.0),
                desk(1.0),
                Segment(5.0, TURNED_AWAY, target="away", label="turned away"),
                look(3.0),
                Segment(5.0, TURNED_AWAY, target="away", label="turned away"),
                look(3.0),
            ),
        ),
        Scenario(
            "leans_back",
            "Upright for 10 s, then leans back and stays there, then upright again.",
            (
                look(3.0),
                desk(1.0),
                look(3.0),
                glance(1.0),
                look(2.0),
                desk(1.0),
                Segment(3.0, LEANING_BACK, target="customer", ease_s=1.0, label="leaning back"),
                Segment(1.0, replace(LEANING_BACK, **_DESK), target="desk", label="leaning back"),
                Segment(3.0, LEANING_BACK, target="customer", label="leaning back"),
                Segment(1.0, replace(LEANING_BACK, **_DESK), target="desk", label="leaning back"),
                Segment(3.0, LEANING_BACK, target="customer", label="leaning back"),
                desk(1.0),
                look(3.0),
                desk(1.0),
                look(3.0),
            ),
        ),
        Scenario(
            "impatient_nodding",
            "Reading the customer's form, nods fast and on and on: 2 Hz for 6 s, later 1.5 Hz "
            "for 4 s.",
            (
                look(3.0),
                reading(1.0),
                nods(6.0, 2.0, posture=AT_PAPERS, label="impatient nods"),
                look(2.0),
                desk(1.0),
                look(2.0),
                reading(1.0),
                nods(4.0, 1.5, posture=AT_PAPERS, label="impatient nods"),
                look(2.0),
            ),
        ),
        Scenario(
            "listening_nods",
            "Five single nods spaced a few seconds apart while listening.",
            (
                look(2.0),
                single_nod(),
                desk(1.0),
                look(2.0),
                single_nod(),
                glance(1.0),
                look(1.5),
                single_nod(),
                desk(1.0),
                look(2.0),
                single_nod(),
                desk(1.0),
                look(1.5),
                single_nod(),
                desk(1.0),
                look(2.0),
            ),
        ),
        Scenario(
            "head_shakes",
            "Shakes the head (no, no) twice; none of it is a nod.",
            (
                look(2.0),
                desk(1.0),
                shakes(3.0, 1.5),
                desk(1.0),
                look(2.0),
                desk(1.0),
                shakes(2.0, 2.0),
                desk(1.0),
                look(2.0),
            ),
        ),
        Scenario(
            "talking",
            "Explains something to the customer for 12 s, glancing at the side screen now and "
            "then: the head beats and drifts as speech moves it, the mouth opens and closes. "
            "No nods.",
            (
                look(2.5, label="talking"),
                glance(0.8),
                look(2.5, label="talking"),
                glance(0.8),
                look(2.5, label="talking"),
                glance(0.8),
                look(2.1, label="talking"),
            ),
            speech=Speech(),
        ),
        Scenario(
            "agent_away",
            "Leaves the counter for 8 s and comes back.",
            (look(3.0), desk(1.0), look(2.0), away(8.0), look(3.0), desk(1.0), look(3.0)),
        ),
        Scenario(
            "slow_greeting",
            "A customer arrives while the agent works at the till: 6 s before the first look "
            "up, then good service.",
            (
                desk(7.0, label="busy at the till"),
                look(2.0),
                single_nod(),
                desk(1.0),
                look(3.0),
                glance(1.0),
                look(2.5),
            ),
            customer=((1.0, 17.9),),
        ),
        Scenario(
            "frowning",
            "A minute of good service (the kiosk learns this agent's own neutral face), then "
            "worry between the brows for 14 s: brows drawn down and together, then relaxed.",
            (
                *(
                    segment
                    for _ in range(8)
                    for segment in (look(3.0), desk(1.2), look(2.5), glance(1.0))
                ),
                frowning(look(3.0, label="frowning")),
                frowning(glance(1.0, label="frowning")),
                frowning(look(3.5, label="frowning")),
                frowning(glance(1.0, label="frowning")),
                frowning(look(3.0, label="frowning")),
                frowning(glance(1.0, label="frowning")),
                look(2.5),
                desk(1.0),
                look(2.0),
            ),
        ),
        Scenario(
            "blank_stare",
            "Attentive, then a vacant stare into the middle distance for 13 s: eyes fixed, "
            "face and head still; then back.",
            (
                look(3.0),
                desk(1.0),
                look(2.0),
                Segment(13.0, VACANT, target="away", ease_s=0.6, label="blank stare"),
                look(2.5),
                desk(1.0),
                look(2.5),
            ),
        ),
        Scenario(
            "stiff",
            "The alien: head fixed toward the customer for 66 s, the eyes alone dropping to the "
            "desk now and then; no nod, no gesture, arms at the sides.",
            tuple(segment for _ in range(20) for segment in (look(2.5), eyes_down(0.8))),
            sway_deg=0.5,
        ),
        Scenario(
            "wide_gestures",
            "Explains with both arms sweeping above the shoulders and out, like a conductor.",
            (
                look(2.0),
                desk(1.0),
                *conducting(2.4),
                glance(0.8),
                *conducting(2.4),
                desk(1.0),
                look(2.5),
                desk(1.0),
                *conducting(2.4),
                glance(0.8),
                look(2.0),
            ),
        ),
        Scenario(
            "counter_shift",
            "A slice of a shift for the demo: a customer arrives, good service, then a stare, "
            "impatient nodding and a head-only turn; the customer leaves.",
            (
                desk(3.0, label="no customer yet"),
                look(2.0),
                single_nod(),
                desk(1.5),
                look(3.0),
                glance(1.0),
                look(8.0, label="stare"),
                reading(1.0),
                nods(4.0, 2.0, posture=AT_PAPERS, label="impatient nods"),
                look(2.0),
                desk(1.0),
                Segment(3.5, BODY_TO_SCREEN, target="customer", label="head only"),
                desk(1.0),
                look(3.0, FORWARD, label="lean in"),
                desk(6.0, label="customer gone"),
            ),
            customer=((1.0, 35.4),),
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise SourceError(
            f"scene:{name}: no such scenario (built in: {', '.join(SCENARIOS)})"
        ) from None
