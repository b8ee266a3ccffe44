"""The model scheduler: which model runs on which frame, what is held between runs, the face
crop on large frames, and the worker threads. Fake single-part models stand in for MediaPipe
(the real ones are exercised by the integration tests)."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from kiosk.camera.types import Frame
from kiosk.config import TrackerConfig
from kiosk.landmarks.scheduler import ScheduledTracker
from kiosk.landmarks.types import FaceLandmarks, HandLandmarks, Landmarks, PoseLandmarks


class FakeModel:
    """One part. The face is the bounding box of the frame's bright pixels (so a crop can be
    checked); the pose's nose is at `nose_xy` of its input and its wrists at `wrist_y`; a hand
    is found at `hand_x` while `hand` is set."""

    def __init__(self, part: str, delay_s: float = 0.0) -> None:
        self.part = part
        self.delay_s = delay_s
        self.frames: list[int] = []
        self.threads: set[str] = set()
        self.sizes: list[tuple[int, int]] = []
        self.wrist_y = 0.9
        self.nose_xy = (0.5, 0.5)
        self.hand = False
        self.hand_x = 0.5

    def track(self, frame, *, face=True, pose=False, hands=False) -> Landmarks:
        self.frames.append(frame.index)
        self.threads.add(threading.current_thread().name)
        self.sizes.append((frame.width, frame.height))
        time.sleep(self.delay_s)
        out = {}
        if self.part == "face":
            ys, xs = np.nonzero(frame.rgb[..., 0] > 200)
            if len(xs):
                xyz = np.zeros((478, 3))
                xyz[0] = (xs.min() / frame.width, ys.min() / frame.height, 0)
                xyz[1:] = ((xs.max() + 1) / frame.width, (ys.max() + 1) / frame.height, 0)
                out["face"] = FaceLandmarks(xyz, xyz[:, :2] * (frame.width, frame.height))
        elif self.part == "pose":
            xyz = np.full((33, 3), 0.5)
            xyz[0, :2] = self.nose_xy
            xyz[11, 0], xyz[12, 0] = 0.6, 0.4  # the shoulders
            xyz[15, 1] = xyz[16, 1] = self.wrist_y
            out["pose"] = PoseLandmarks(xyz, xyz[:, :2], np.ones(33), np.zeros((33, 3)))
        elif self.hand:
            xyz = np.full((21, 3), 0.5)
            xyz[:, 0] = self.hand_x
            out["hands"] = (HandLandmarks(xyz, xyz[:, :2], np.zeros((21, 3)), "Right", 0.9),)
        return Landmarks(frame.t_s, frame.index, frame.width, frame.height, **out)

    def close(self) -> None:
        pass


def make_tracker(threads=False, delay_s=0.0, **settings):
    config = dataclasses.replace(TrackerConfig(), threads=threads, **settings)
    models = {}

    def make(part):
        models[part] = FakeModel(part, delay_s if part != "face" else 0.0)
        return models[part]

    return ScheduledTracker(config, make), models


def frame(i, fps=15.0, width=64, height=48, t_s=None):
    rgb = np.zeros((height, width, 3), np.uint8)
    return Frame(rgb=rgb, t_s=i / fps if t_s is None else t_s, index=i)


@pytest.mark.parametrize("fps", [5.0, 10.0, 15.0, 30.0])
def test_the_face_runs_every_frame_and_the_body_every_pose_interval(fps):
    tracker, models = make_tracker(pose_interval_s=0.2)
    count = int(6 * fps)  # 6 s
    results = [tracker.track(frame(i, fps), pose=True, hands=True) for i in range(count)]
    assert len(models["face"].frames) == count
    expected = 6.0 / max(0.2, 1 / fps)
    assert abs(len(models["pose"].frames) - expected) <= 1
    assert all(r.pose is not None for r in results)  # held between runs
    assert models["hands"].frames == []  # wrists below the counter: no hand model at all


def test_jittered_and_dropped_frames_keep_the_body_rate_in_seconds():
    rng = np.random.default_rng(3)
    tracker, models = make_tracker(pose_interval_s=0.25)
    t_s, times = 0.0, []
    while t_s < 10.0:
        t_s += (1 / 15) * rng.uniform(0.7, 1.3) * (2 if rng.random() < 0.2 else 1)
        times.append(t_s)
    for i, t in enumerate(times):
        tracker.track(frame(i, t_s=t), pose=True)
    assert 35 <= len(models["pose"].frames) <= 41  # 10 s / 0.25 s, give or take a frame


def test_hands_run_while_a_wrist_is_raised_and_for_hands_hold_s_after_the_last_hand():
    tracker, models = make_tracker(pose_interval_s=0.0, hands_hold_s=1.0, counter_line_y=0.75)
    hands_model, pose_model = models["hands"], models["pose"]
    seen = []
    for i in range(150):  # 10 s at 15 fps
        t_s = i / 15
        pose_model.wrist_y = 0.5 if 2.0 <= t_s < 4.0 else 0.9  # a raised wrist for 2 s
        hands_model.hand = 2.0 <= t_s < 3.0  # a hand in view for the first second of it
        seen.append(bool(tracker.track(frame(i), pose=True, hands=True).hands))
    ran_s = [i / 15 for i in hands_model.frames]
    assert min(ran_s) == pytest.approx(2.0, abs=0.07)
    # the hand was last seen just before 3.0 s, the wrist lowered at 4.0 s: held until then
    assert max(ran_s) == pytest.approx(4.0 - 1 / 15, abs=0.07)
    assert sum(seen) == 15  # found exactly while it was there


def test_a_hand_away_from_the_agents_wrists_is_dropped_and_keeps_no_hand_model_running():
    tracker, models = make_tracker(pose_interval_s=0.0, hands_hold_s=1.0, counter_line_y=0.75)
    models["hands"].hand, models["hands"].hand_x = True, 0.1  # 26 px from the wrists at x 0.5
    seen = []
    for i in range(90):  # 6 s at 15 fps, the wrists raised from 2 s to 3 s
        models["pose"].wrist_y = 0.5 if 2.0 <= i / 15 < 3.0 else 0.9
        seen.append(len(tracker.track(frame(i), pose=True, hands=True).hands))
    assert sum(seen) == 0
    ran_s = [i / 15 for i in models["hands"].frames]
    assert len(ran_s) == 15 and max(ran_s) < 3.0  # only while the wrists were up: no hold


def test_the_body_model_sees_a_band_around_a_small_agent_face_and_only_the_agents_body_returns():
    tracker, models = make_tracker(pose_interval_s=0.0)
    pose_model = models["pose"]
    pose_model.nose_xy = (0.5, 0.25)  # the middle of its input, 120 px down
    rgb = np.zeros((480, 640, 3), np.uint8)
    rgb[100:140, 200:240] = 255  # the agent's face: 40 px, nose tip (the box's corner) 240, 140
    bodies = []
    for i in range(4):
        if i == 3:
            pose_model.nose_xy = (0.9, 0.25)  # a body at the band's right: someone else
        bodies.append(tracker.track(Frame(rgb, i / 15, i), pose=True).pose)
    # first the whole frame (no agent yet), then the band 8 faces wide around the face
    assert pose_model.sizes == [(640, 480), (320, 480), (320, 480), (320, 480)]
    # no agent known before the first face: any body whose head is in the agent zone
    assert tuple(np.round(bodies[0].pixels[0])) == (320, 120)
    for body in bodies[1:3]:
        assert tuple(np.round(body.pixels[0])) == (220, 120)  # the band's middle, in the frame
        assert body.normalized[0, 0] == pytest.approx(220 / 640)
    assert bodies[3] is None  # x 60 + 0.9 * 320 = 348, 2.7 faces away


def test_schedule_off_runs_every_model_on_every_frame():
    tracker, models = make_tracker(schedule=False)
    for i in range(30):
        tracker.track(frame(i), pose=True, hands=True)
    assert [len(models[p].frames) for p in ("face", "pose", "hands")] == [30, 30, 30]


def test_a_large_frame_gives_the_face_a_full_resolution_crop_and_maps_it_back():
    tracker, models = make_tracker(model_width=160)
    boxes = []
    # the last after half a second of dropped frames (a head cannot move 1.8 faces in 67 ms)
    for i, (x, t_s) in enumerate(zip((300, 300, 304, 308, 380), (0, 1, 2, 3, 10.5), strict=True)):
        rgb = np.zeros((480, 640, 3), np.uint8)
        rgb[200:240, x : x + 30] = 255  # the "face": 30 x 40 px at (x, 200)
        face = tracker.track(Frame(rgb=rgb, t_s=t_s / 15, index=i)).face
        boxes.append(tuple(np.round(face.pixels[[0, 1]].ravel()).astype(int)))
    # the first from the whole frame scaled to 160 px (a pixel's precision lost), then crops
    assert np.abs(np.subtract(boxes[0], (300, 200, 330, 240))).max() <= 4
    assert boxes[1:4] == [(300, 200, 330, 240), (304, 200, 334, 240), (308, 200, 338, 240)]
    # jumped out of the crop: found again in the whole frame, on the same frame
    assert np.abs(np.subtract(boxes[4], (380, 200, 410, 240))).max() <= 4
    sizes = models["face"].sizes
    assert sizes[0] == (160, 120)  # no face known yet: the whole frame, scaled down
    assert sizes[1][0] == sizes[1][1] and sizes[1][0] < 160  # then a square crop at full res
    assert sizes[-2:] == [sizes[1], (160, 120)]  # the lost face: the crop, then the whole


def test_with_threads_the_body_runs_beside_the_face_on_its_own_thread():
    tracker, models = make_tracker(threads=True, delay_s=0.05, pose_interval_s=0.0)
    results = []
    started = time.perf_counter()
    for i in range(20):
        results.append(tracker.track(frame(i), pose=True))
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    tracker.close()
    assert models["face"].threads == {threading.current_thread().name}
    assert models["pose"].threads == {"kiosk-pose"}
    # the 50 ms body model never held up the frame loop: it took fewer frames than were offered
    assert 2 <= len(models["pose"].frames) < 20 and elapsed < 20 * 0.05
    assert results[-1].pose is not None


def test_a_body_model_that_keeps_failing_is_logged_sparingly_and_the_face_goes_on(caplog):
    tracker, models = make_tracker(threads=True, pose_interval_s=0.0)

    def broken(frame, **parts):
        raise RuntimeError("graph error")

    models["pose"].track = broken
    without_body = 0
    for i in range(300):
        landmarks = tracker.track(frame(i), pose=True)
        without_body += landmarks.pose is None
        time.sleep(0.001)
    worker = tracker._workers["pose"]
    tracker.close()
    assert without_body == 300  # no body, yet every frame still went through
    assert worker.failures >= 50
    logged = [r for r in caplog.records if "model failed" in r.getMessage()]
    assert 1 <= len(logged) <= 3  # the 1st, 10th and 100th, not one per frame
