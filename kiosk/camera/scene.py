"""The `scene:NAME` frame source: a built-in scenario rendered frame by frame, with its truth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kiosk.camera.ahead import read_ahead
from kiosk.camera.types import Frame
from kiosk.scenes.render import SceneRig
from kiosk.scenes.script import Scenario


def _round(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


class SceneSource:
    """Deterministic: the same scenario, rig and fps give the same frames every time."""

    live = False
    sequence = True

    def __init__(self, scenario: Scenario, rig: SceneRig, fps: float) -> None:
        self.scenario = scenario
        self.rig = rig
        self.fps = fps
        self.name = f"scene:{scenario.name}"
        self.states = scenario.frames(fps)

    def __iter__(self) -> Iterator[Frame]:
        return read_ahead(self._render())

    def _render(self) -> Iterator[Frame]:
        for i, state in enumerate(self.states):
            yield Frame(rgb=self.rig.render(state), t_s=state.t_s, index=i)

    def truth(self, index: int) -> dict[str, Any]:
        """The ground-truth line for frame `index` (what `--truth` writes)."""
        state = self.states[index]
        posture = state.posture
        line: dict[str, Any] = {
            "i": index,
            "t_s": round(state.t_s, 4),
            "present": state.present,
            "customer": state.customer,
            "gaze_target": state.target,
        }
        if state.present:
            truth = self.rig.truth(posture)
            line |= {
                "yaw_deg": _round(truth.yaw_deg),
                "pitch_deg": _round(truth.pitch_deg),
                "roll_deg": _round(truth.roll_deg),
                "gaze_yaw_deg": _round(truth.gaze_yaw_deg),
                "gaze_pitch_deg": _round(truth.gaze_pitch_deg),
                "torso_yaw_deg": _round(posture.torso_yaw_deg),
                "lean_cm": _round(posture.lean_cm),
                "brow_lower_cm": _round(posture.brow_lower_cm),
                "smile_cm": _round(posture.smile_cm),
                "wrist_right_cm": _wrist(posture.wrist_right_cm),
                "wrist_left_cm": _wrist(posture.wrist_left_cm),
            }
        else:
            line |= dict.fromkeys(
                (
                    "yaw_deg",
                    "pitch_deg",
                    "roll_deg",
                    "gaze_yaw_deg",
                    "gaze_pitch_deg",
                    "torso_yaw_deg",
                    "lean_cm",
                    "brow_lower_cm",
                    "smile_cm",
                    "wrist_right_cm",
                    "wrist_left_cm",
                ),
            )
        line["nod"] = state.nod_completed
        line["segment"] = state.segment
        return line

    def close(self) -> None:
        pass


def _wrist(at: tuple[float, float] | None) -> list[float] | None:
    """A drawn wrist against its shoulder (cm: out, up); None: the arm hangs, not drawn."""
    return None if at is None else [round(at[0], 2), round(at[1], 2)]
