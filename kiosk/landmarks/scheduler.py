"""Spending the models' time where the signals need it (`[tracker] schedule`).

The face (gaze, nods) changes within a frame and runs on every frame; the body changes slowly
and runs every `pose_interval_s`, its landmarks held in between; hands run only while a wrist
is raised above the counter line or a hand was seen within `hands_hold_s`. Each model is its
own MediaPipe graph, so with `threads` the body and hand models run on their own threads on
the newest frame while the face runs in the frame loop (MediaPipe releases the GIL while it
computes). Frames wider than `model_width` are scaled down for the body and hands, and the face
model gets a crop around the last face at full resolution. Of the faces found the agent's is
kept (kiosk.landmarks.agent); the body model sees a band of the image around it, and only the
body and hands at the agent's face and wrists are returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.camera.types import Frame
from kiosk.config import TrackerConfig
from kiosk.landmarks.agent import (
    AgentChooser,
    agent_zone,
    agents_hands,
    body_band,
    pose_is_agents,
)
from kiosk.landmarks.tracker import Tracker
from kiosk.landmarks.types import FaceLandmarks, HandLandmarks, Landmarks, PoseLandmarks, to_pixels

log = logging.getLogger(__name__)

PARTS = ("face", "pose", "hands")
_WRISTS = (15, 16)  # MediaPipe pose: left and right wrist
_HELD_MAX_S = 1.0  # a body result older than this is not used (a stalled worker)
_HANDS_FRESH_S = 0.3  # hands move fast: an older hand result is not shown
_CROP_SCALE = 2.4  # the face crop's side, in face-box sizes
_CROP_MARGIN = 0.2  # the face may move this far (of the crop's side) before it is re-centred
_BAND_MARGIN = 0.25  # the face may move this far (of the body band's width) before it follows


@dataclass
class _Result:
    t_s: float
    value: object  # PoseLandmarks | None, or a tuple of HandLandmarks


class _Worker:
    """One model on its own thread: takes the newest frame it is given when idle."""

    def __init__(self, name: str, run: Callable[..., object]) -> None:
        self.run = run
        self.latest: _Result | None = None
        self.busy = False
        self.failures = 0
        self._pending: tuple[Frame, tuple] | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=f"kiosk-{name}", daemon=True)
        self._thread.start()

    def submit(self, frame: Frame, *args: object) -> bool:
        """Hand over a frame (and `args` for `run`) unless the model is still on the previous
        one."""
        with self._cond:
            if self.busy or self._closed:
                return False
            self.busy = True
            self._pending = (frame, args)
            self._cond.notify()
            return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                (frame, args), self._pending = self._pending, None
            try:
                value = self.run(frame, *args)
            except Exception:  # a model error must not kill the thread, nor flood the journal
                self.failures += 1
                if str(self.failures).rstrip("0") == "1":  # the 1st, 10th, 100th... failure
                    log.exception(
                        "the %s model failed on frame %d (%d failure(s) so far)",
                        self._thread.name,
                        frame.index,
                        self.failures,
                    )
                value = None
            with self._cond:
                self.latest = _Result(frame.t_s, value)
                self.busy = False

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=5.0)


def _scaled(frame: Frame, width: int) -> Frame:
    """The frame at most `width` wide: normalized landmarks do not depend on the size."""
    if frame.width <= width:
        return frame
    height = round(frame.height * width / frame.width)
    rgb = cv2.resize(frame.rgb, (width, height), interpolation=cv2.INTER_AREA)
    return Frame(rgb=rgb, t_s=frame.t_s, index=frame.index)


def _rescale_hands(hands: tuple[HandLandmarks, ...], w: int, h: int) -> tuple[HandLandmarks, ...]:
    return tuple(
        HandLandmarks(
            normalized=hand.normalized,
            pixels=to_pixels(hand.normalized, w, h),
            world_m=hand.world_m,
            handedness=hand.handedness,
            score=hand.score,
        )
        for hand in hands
    )


def wrist_raised(pose: PoseLandmarks | None, counter_line_y: float) -> bool:
    """A visible wrist above the counter line (image y grows downward)."""
    if pose is None:
        return False
    return any(
        pose.visibility[i] >= 0.5 and pose.normalized[i, 1] < counter_line_y for i in _WRISTS
    )


class ScheduledTracker:
    """A Tracker over one single-part tracker per model, made by `make(part)`."""

    def __init__(
        self,
        config: TrackerConfig,
        make: Callable[[str], Tracker],
        *,
        threads: bool | None = None,
    ) -> None:
        self.config = config
        self.threads = config.threads if threads is None else threads
        self.models: dict[str, Tracker] = {}
        self._workers: dict[str, _Worker] = {}
        try:
            for part in PARTS:
                if getattr(config, part):
                    self.models[part] = make(part)
        except BaseException:
            self.close()
            raise
        self.runs = dict.fromkeys(PARTS, 0)  # how often each model ran: for bench and tests
        # each model's time per run, the last few hundred runs (ms): measured, never decided on
        self.model_ms: dict[str, deque] = {part: deque(maxlen=300) for part in PARTS}
        self._held_pose: _Result | None = None  # without threads: the last body result
        self._pose_due_s: float | None = None
        self._hand_seen_s: float | None = None
        self._crop: tuple[int, int, int, int] | None = None  # x0, y0, side_w, side_h
        self.zone = agent_zone(config)
        self.chooser = AgentChooser(self.zone, config.agent_lost_s)
        self._band: tuple[int, int] | None = None  # the body model's columns x0, x1
        self._face_model_s = 0.0  # the face model's time in this frame
        self._run = {part: self._runner(part) for part in self.models}
        if self.threads:
            for part in ("pose", "hands"):
                if part in self.models:
                    self._workers[part] = _Worker(part, self._run[part])

    # -- the models -------------------------------------------------------------------------
    def _runner(self, part: str) -> Callable[..., object]:
        model = self.models[part]

        def run(frame: Frame, *args: object) -> object:
            if part == "pose":
                return self._run_pose(frame, *args)
            started = time.perf_counter()
            landmarks = model.track(_scaled(frame, self.config.model_width), face=False, hands=True)
            self.model_ms[part].append((time.perf_counter() - started) * 1e3)
            self.runs[part] += 1
            return _rescale_hands(landmarks.hands, frame.width, frame.height)

        return run

    def _run_pose(
        self, frame: Frame, band: tuple[int, int], agent: FaceLandmarks | None
    ) -> PoseLandmarks | None:
        """The body in `band` (the columns around the agent), if it is the agent's."""
        x0, x1 = band
        seen = frame
        if (x0, x1) != (0, frame.width):
            rgb = np.ascontiguousarray(frame.rgb[:, x0:x1])
            seen = Frame(rgb=rgb, t_s=frame.t_s, index=frame.index)
        started = time.perf_counter()
        small = _scaled(seen, self.config.model_width)
        pose = self.models["pose"].track(small, face=False, pose=True).pose
        self.model_ms["pose"].append((time.perf_counter() - started) * 1e3)
        self.runs["pose"] += 1
        if pose is None:
            return None
        pose = _pose_in(pose, x0, x1 - x0, frame)
        return pose if pose_is_agents(pose, agent, self.zone, frame.width, frame.height) else None

    def _track_face(self, frame: Frame) -> FaceLandmarks | None:
        self._face_model_s = 0.0  # the model's own time: choosing the agent is glue
        face = self._find_face(frame)
        self.model_ms["face"].append(self._face_model_s * 1e3)
        self.runs["face"] += 1
        return face

    def _faces(self, frame: Frame) -> tuple[FaceLandmarks, ...]:
        """Every face the face model finds in `frame` (in the frame's own terms)."""
        model = self.models["face"]
        track_faces = getattr(model, "track_faces", None)
        if track_faces is not None:
            return track_faces(frame)
        face = model.track(frame, face=True).face  # a one-face model (a replay, a test's fake)
        return () if face is None else (face,)

    def _find_face(self, frame: Frame) -> FaceLandmarks | None:
        """The agent's face: in the crop around it while it stays there, else in the frame."""
        if frame.width <= self.config.model_width:
            faces = self._timed_faces(frame)
            return self.chooser.choose(frame.t_s, faces, frame.width, frame.height)
        face = None
        if self._crop is not None:
            x0, y0, cw, ch = self._crop
            crop = Frame(
                rgb=np.ascontiguousarray(frame.rgb[y0 : y0 + ch, x0 : x0 + cw]),
                t_s=frame.t_s,
                index=frame.index,
            )
            faces = [_face_in(found, self._crop, frame) for found in self._timed_faces(crop)]
            face = self.chooser.choose(frame.t_s, faces, frame.width, frame.height)
        if face is None:  # no face known yet, or it left the crop: look at the whole frame
            whole = (0, 0, frame.width, frame.height)
            small = _scaled(frame, self.config.model_width)
            faces = [_face_in(found, whole, frame) for found in self._timed_faces(small)]
            face = self.chooser.choose(frame.t_s, faces, frame.width, frame.height)
        self._crop = None if face is None else _next_crop(self._crop, face, frame)
        return face

    def _timed_faces(self, frame: Frame) -> tuple[FaceLandmarks, ...]:
        started = time.perf_counter()
        faces = self._faces(frame)
        self._face_model_s += time.perf_counter() - started
        return faces

    # -- the schedule -----------------------------------------------------------------------
    def track(
        self, frame: Frame, *, face: bool = True, pose: bool = False, hands: bool = False
    ) -> Landmarks:
        t_s = frame.t_s
        pose = pose and "pose" in self.models
        if pose:
            self._schedule_pose(frame)  # with threads, the body runs beside the face
        face_now = self._track_face(frame) if face and "face" in self.models else None
        pose_now = self._fresh_pose(t_s) if pose else None
        hands_now: tuple[HandLandmarks, ...] = ()
        if hands and "hands" in self.models:
            hands_now = self._hands(frame, pose_now)
        return Landmarks(
            t_s=t_s,
            frame_index=frame.index,
            width=frame.width,
            height=frame.height,
            face=face_now,
            pose=pose_now,
            hands=hands_now,
        )

    def _due(self, t_s: float) -> bool:
        if not self.config.schedule or self._pose_due_s is None:
            return True
        return t_s >= self._pose_due_s - 1e-6  # 3 / 15 s is a hair under 0.2 s

    def _ran(self, t_s: float) -> None:
        """The next run is due one interval after the last due time (so the rate holds on
        average whatever the frame rate), or after this run when the loop fell behind."""
        due, interval = self._pose_due_s, self.config.pose_interval_s
        if due is not None and t_s - due < interval:
            self._pose_due_s = due + interval
        else:
            self._pose_due_s = t_s + interval

    def _schedule_pose(self, frame: Frame) -> None:
        """Run the body model on `frame` if it is due (on its thread, if that is free)."""
        t_s = frame.t_s
        if not self._due(t_s):
            return
        # the agent as of the last frame (the face runs on this one beside the body)
        agent = self.chooser.held(t_s)
        band = _next_band(self._band, agent, frame.width, self.chooser.crowded(t_s))
        if self.threads:
            if self._workers["pose"].submit(frame, band, agent):
                self._band = band
                self._ran(t_s)
        else:
            self._held_pose = _Result(t_s, self._run["pose"](frame, band, agent))
            self._band = band
            self._ran(t_s)

    def _fresh_pose(self, t_s: float) -> PoseLandmarks | None:
        """The latest body landmarks, unless they are too old to stand for this frame."""
        held = self._workers["pose"].latest if self.threads else self._held_pose
        if held is None or t_s - held.t_s > _HELD_MAX_S:
            return None
        return held.value  # type: ignore[return-value]

    def _hands(self, frame: Frame, pose: PoseLandmarks | None) -> tuple[HandLandmarks, ...]:
        t_s = frame.t_s
        seen = self._hand_seen_s
        recently = seen is not None and t_s - seen <= self.config.hands_hold_s
        if (
            self.config.schedule
            and not recently
            and not wrist_raised(pose, self.config.counter_line_y)
        ):
            return ()
        if self.threads:
            worker = self._workers["hands"]
            worker.submit(frame)
            latest = worker.latest
            if latest is None or t_s - latest.t_s > _HANDS_FRESH_S:
                return ()
            found, found_s = latest.value or (), latest.t_s
        else:
            found, found_s = self._run["hands"](frame), t_s
        found = agents_hands(found, pose)  # a customer's hand reaching over is not the agent's
        if found:
            self._hand_seen_s = found_s
        return found

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers = {}
        for model in self.models.values():
            model.close()
        self.models = {}

    def __enter__(self) -> ScheduledTracker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _in_frame(normalized: np.ndarray, box: tuple[int, int, int, int], frame: Frame) -> np.ndarray:
    """Landmarks a model found in `box` (x0, y0, w, h of the full frame), normalised to the
    full frame."""
    x0, y0, bw, bh = box
    xyz = normalized.copy()
    xyz[:, 0] = (x0 + xyz[:, 0] * bw) / frame.width
    xyz[:, 1] = (y0 + xyz[:, 1] * bh) / frame.height
    xyz[:, 2] = xyz[:, 2] * bw / frame.width  # MediaPipe's z is in units of the input's width
    return xyz


def _face_in(face: FaceLandmarks, box: tuple[int, int, int, int], frame: Frame) -> FaceLandmarks:
    xyz = _in_frame(face.normalized, box, frame)
    return FaceLandmarks(normalized=xyz, pixels=to_pixels(xyz, frame.width, frame.height))


def _pose_in(pose: PoseLandmarks, x0: int, band_w: int, frame: Frame) -> PoseLandmarks:
    """A body found in the columns x0 .. x0 + band_w (the whole height)."""
    xyz = _in_frame(pose.normalized, (x0, 0, band_w, frame.height), frame)
    return PoseLandmarks(
        normalized=xyz,
        pixels=to_pixels(xyz, frame.width, frame.height),
        visibility=pose.visibility,
        world_m=pose.world_m,
    )


def _next_band(
    band: tuple[int, int] | None, agent: FaceLandmarks | None, width: int, crowded: bool
) -> tuple[int, int]:
    """Keep the body model's band while the agent's face stays well inside it and it is about
    the right width (the model tracks from run to run in the band's terms); else a new one."""
    new = body_band(agent, width, crowded)
    if band is None or agent is None or new == (0, width) or band == (0, width):
        return new
    x0, x1 = band
    margin = (x1 - x0) * _BAND_MARGIN
    low, high = agent.pixels[:, 0].min(), agent.pixels[:, 0].max()
    same_size = 0.8 <= (x1 - x0) / max(new[1] - new[0], 1) <= 1.25
    if same_size and low >= x0 + margin and high <= x1 - margin:
        return band
    return new


def _next_crop(
    crop: tuple[int, int, int, int] | None, face: FaceLandmarks, frame: Frame
) -> tuple[int, int, int, int]:
    """Keep the crop while the face stays well inside it; otherwise centre a new one."""
    low, high = face.pixels.min(axis=0), face.pixels.max(axis=0)
    if crop is not None:
        x0, y0, cw, ch = crop
        margin_x, margin_y = cw * _CROP_MARGIN, ch * _CROP_MARGIN
        if (
            low[0] >= x0 + margin_x
            and low[1] >= y0 + margin_y
            and high[0] <= x0 + cw - margin_x
            and high[1] <= y0 + ch - margin_y
        ):
            return crop
    side = int(max(high - low) * _CROP_SCALE)
    side = min(max(side, 64), frame.width, frame.height)
    cx, cy = (low + high) / 2
    x0 = int(min(max(cx - side / 2, 0), frame.width - side))
    y0 = int(min(max(cy - side / 2, 0), frame.height - side))
    return (x0, y0, side, side)
