"""The whole configuration: one frozen object with a section per concern."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.config.conduct import (
    ExpressionConfig,
    GesturesConfig,
    GreetingConfig,
    StiffnessConfig,
)
from kiosk.config.fleet import MqttConfig
from kiosk.config.live import (
    CuesConfig,
    LedsConfig,
    NudgesConfig,
    PauseConfig,
    PresenceConfig,
    SignalsConfig,
)
from kiosk.config.measure import (
    CameraConfig,
    CustomerConfig,
    EyeContactConfig,
    FacingConfig,
    ImpatienceConfig,
    LeanConfig,
    NodsConfig,
    PointingConfig,
    TrackerConfig,
)
from kiosk.config.service import (
    CounterConfig,
    DashboardConfig,
    ShiftsConfig,
    StorageConfig,
)


@dataclass(frozen=True)
class Config:
    camera: CameraConfig = field(default_factory=CameraConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    customer: CustomerConfig = field(default_factory=CustomerConfig)
    eye_contact: EyeContactConfig = field(default_factory=EyeContactConfig)
    facing: FacingConfig = field(default_factory=FacingConfig)
    lean: LeanConfig = field(default_factory=LeanConfig)
    nods: NodsConfig = field(default_factory=NodsConfig)
    pointing: PointingConfig = field(default_factory=PointingConfig)
    impatience: ImpatienceConfig = field(default_factory=ImpatienceConfig)
    greeting: GreetingConfig = field(default_factory=GreetingConfig)
    expression: ExpressionConfig = field(default_factory=ExpressionConfig)
    stiffness: StiffnessConfig = field(default_factory=StiffnessConfig)
    gestures: GesturesConfig = field(default_factory=GesturesConfig)
    signals: SignalsConfig = field(default_factory=SignalsConfig)
    presence: PresenceConfig = field(default_factory=PresenceConfig)
    nudges: NudgesConfig = field(default_factory=NudgesConfig)
    cues: CuesConfig = field(default_factory=CuesConfig)
    leds: LedsConfig = field(default_factory=LedsConfig)
    pause: PauseConfig = field(default_factory=PauseConfig)
    counter: CounterConfig = field(default_factory=CounterConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    shifts: ShiftsConfig = field(default_factory=ShiftsConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    mqtt: MqttConfig = field(default_factory=MqttConfig)


SECTION_DOCS = {
    "camera": "The camera facing the agent.",
    "tracker": "MediaPipe models; only the enabled ones are loaded.",
    "customer": "Where the customer is, for eye contact and facing.",
    "eye_contact": "Eye contact: soft gaze with breaks; staring and never looking up are faults.",
    "facing": "Facing: the whole body, not only the head, toward the customer.",
    "lean": "Lean, measured against the agent's own neutral posture.",
    "nods": "Nods: occasional ones say 'I'm listening'; fast or continuous ones say 'hurry up'.",
    "pointing": "Gestures: an open palm invites; a pointed index finger commands.",
    "impatience": "Other signs of impatience.",
    "greeting": "The greeting: look up at a customer as soon as they arrive.",
    "expression": "The face's actions (never a feeling): brows drawn down, a smile, a blank stare.",
    "stiffness": "Stiffness: head, hands and arms held still for minutes.",
    "gestures": "Gestures: hands moving in view; hidden hands; wide, fast swings.",
    "signals": "Signals on a live stream: dropouts and learned baselines.",
    "presence": "The customer: how presence is sensed, and when an interaction starts and ends.",
    "nudges": "Nudge rules: one cue at a time, hysteresis, cooldowns and a global limit.",
    "cues": "One cue per fault: its LED, pattern, priority and cooldown.",
    "leds": "The LEDs: backend, brightness and the status LED.",
    "pause": "The pause / privacy button: paused, frames are dropped unprocessed.",
    "counter": "Which counter this kiosk is, for its records.",
    "storage": "The shift database: numbers per interaction, minute, nudge and pause.",
    "shifts": "How the day is divided into shifts for the dashboard.",
    "dashboard": "The supervisors' dashboard on the LAN (kiosk serve).",
    "mqtt": "Fleet publishing: summaries and status to the site's MQTT broker (off by default).",
}
