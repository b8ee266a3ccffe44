"""What the signals report: closed events (a closed set of kinds, for storage and the dashboard)
and the faults going on now (for the nudge rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

# Behaviour that happened, reported when it ends with its full duration. `t_s` is when it began.
EventKind = Literal[
    "staring",  # an unbroken gaze longer than eye_contact.stare_limit_s
    "no_look",  # face visible, no glance at the customer for longer than no_look_limit_s
    "head_only_turn",  # head to the customer, torso away, at least facing.head_only_min_s
    "turned_away",  # head and body away at least impatience.turn_away_min_s
    "leaning_back",  # lean <= -lean.back_cm at least impatience.lean_back_min_s
    "impatient_nodding",  # a fast or continuous nod train
    "pointing",  # a pointing hand aimed at the customer, held at least pointing.min_hold_s
    "open_palm",  # an open palm held at least pointing.min_hold_s
    "watch_checks",  # two or more watch checks within impatience.watch_checks_window_s
    "watch_check",  # one glance at a wrist held up, at least impatience.watch_check_min_s
    "slow_greeting",  # no eye contact within greeting.limit_s of the customer's arrival
    "frown",  # brows drawn down and together, held at least expression.frown_min_s
    "blank_stare",  # eyes open and fixed, face still, longer than expression.blank_stare_s
    "stiff",  # head, hands and arms still, no nod, for stiffness.limit_s
    "hidden_hands",  # hands never seen in a whole interaction, arms held down or behind
    "wide_gesture",  # a wrist swung fast above the shoulders or beyond the body's width
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
# Behaviour worth recording that is no fault of the agent's: a single glance at a watch is not
# impatience (two are, as `watch_checks`), an open palm is an invitation.
NOT_FAULT_KINDS: frozenset[str] = frozenset({"open_palm", "watch_check"})
# The `detail` keys of each kind (added to the event's JSON); kinds not listed have none.
EVENT_DETAIL: dict[str, dict[str, str]] = {
    "impatient_nodding": {
        "nods": "nods in the train (int)",
        "rate_hz": "nods per second over the train (float)",
    },
    "pointing": {"at_face": "aimed at face height for most of the time (bool)"},
    "watch_checks": {"checks": "watch checks in the window (int)"},
    "slow_greeting": {
        "greeting_s": "arrival to first eye contact, null if none in the interaction (float)"
    },
}

# Faults the nudge rules can cue, one per cue (see [cues] in the config).
FaultKind = Literal[
    "no_eye_contact",
    "staring",
    "not_facing",
    "head_only_turn",
    "leaning_back",
    "impatient_nodding",
    "pointing",
    "pointing_at_face",
    "slow_greeting",
    "frown",
    "blank_stare",
    "stiff",
    "wide_gesture",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass(frozen=True)
class Fault:
    """A fault going on now. `since_s`: when the behaviour began; `active_s`: when it had lasted
    its minimum time, i.e. the frame from which a cue may show it (for latency figures)."""

    kind: FaultKind
    since_s: float
    active_s: float


@dataclass(frozen=True)
class Event:
    kind: EventKind
    t_s: float  # when it started
    duration_s: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)  # keys: EVENT_DETAIL[kind]

    def to_json(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            "t_s": round(self.t_s, 3),
            "duration_s": round(self.duration_s, 3),
        }
        out.update(self.detail)
        return out
