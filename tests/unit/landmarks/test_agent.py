"""Choosing the agent among the faces in view, and keeping only the body and hands that are
theirs. Synthetic landmarks: a face is a box of mesh points, a body a nose, shoulders and wrists."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.landmarks.agent import (
    AgentChooser,
    AgentZone,
    agents_hands,
    body_band,
    pose_is_agents,
)
from kiosk.landmarks.types import FaceLandmarks, HandLandmarks, PoseLandmarks

W, H = 640, 480
WHOLE = AgentZone()


def face_at(x_px: float, y_px: float, size_px: float) -> FaceLandmarks:
    """A face centred at (x, y) whose mesh spans `size_px` each way; the nose tip at the centre."""
    rng = np.random.default_rng(abs(int(x_px * 7 + y_px)))
    pixels = np.column_stack(
        [
            x_px + rng.uniform(-0.5, 0.5, 478) * size_px,
            y_px + rng.uniform(-0.5, 0.5, 478) * size_px,
        ]
    )
    pixels[[0, 1]] = [[x_px - size_px / 2, y_px - size_px / 2], [x_px, y_px]]
    pixels[2] = [x_px + size_px / 2, y_px + size_px / 2]
    normalized = np.column_stack([pixels / (W, H), np.zeros(478)])
    return FaceLandmarks(normalized=normalized, pixels=pixels)


def centre_x(face: FaceLandmarks | None) -> float | None:
    return None if face is None else round(float(face.pixels[1, 0]))


def run(chooser, fps, duration_s, faces_at, drop_every=0):
    """The chosen face's centre x at each frame time; `faces_at(t_s)` lists the faces in view;
    every `drop_every`-th frame is lost, and the times jitter by up to 30 per cent."""
    rng = np.random.default_rng(5)
    chosen = []
    for i in range(int(duration_s * fps)):
        if drop_every and i % drop_every == drop_every - 1:
            continue
        t_s = (i + rng.uniform(-0.3, 0.3)) / fps
        chosen.append((t_s, centre_x(chooser.choose(t_s, faces_at(t_s), W, H))))
    return chosen


def test_the_largest_face_is_the_agent_when_nobody_was_chosen_before():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    customer, agent = face_at(120, 200, 90), face_at(400, 220, 140)
    assert centre_x(chooser.choose(0.0, [customer, agent], W, H)) == 400


@pytest.mark.parametrize("fps", [5.0, 10.0, 15.0, 30.0])
def test_a_larger_face_leaning_in_beside_the_agent_never_takes_over(fps):
    chooser = AgentChooser(WHOLE, lost_s=1.0)

    def faces(t_s):
        agent = face_at(300 + 20 * np.sin(t_s), 220, 110)  # sways 20 px
        # a customer leans in, larger than the agent, 1.4 faces away, from 2 s to 5 s
        return [agent, face_at(460, 200, 160)] if 2.0 <= t_s < 5.0 else [agent]

    chosen = run(chooser, fps, 6.0, faces, drop_every=4)
    assert all(x is not None and abs(x - 300) <= 21 for _, x in chosen)


@pytest.mark.parametrize("fps", [5.0, 15.0, 30.0])
def test_a_passer_by_walking_behind_the_agent_is_never_measured(fps):
    chooser = AgentChooser(WHOLE, lost_s=1.0)

    def faces(t_s):
        passer_x = -50 + 200 * t_s  # crosses the whole image, right behind the agent's head
        return [face_at(passer_x, 180, 60), face_at(320, 220, 120)]

    chosen = run(chooser, fps, 4.0, faces, drop_every=3)
    assert {x for _, x in chosen} == {320}


def test_a_face_outside_the_zone_is_never_chosen_however_large():
    zone = AgentZone(left=0.3, right=0.8)
    chooser = AgentChooser(zone, lost_s=1.0)
    customer = face_at(90, 240, 220)  # x 0.14 of the image: outside
    assert chooser.choose(0.0, [customer], W, H) is None
    assert chooser.choose(5.0, [customer], W, H) is None
    assert centre_x(chooser.choose(5.1, [customer, face_at(330, 200, 100)], W, H)) == 330


@pytest.mark.parametrize("fps", [5.0, 10.0, 15.0, 30.0])
def test_a_lost_agent_holds_for_lost_s_then_the_largest_face_in_the_zone_is_taken(fps):
    chooser = AgentChooser(WHOLE, lost_s=1.0)

    def faces(t_s):
        other = face_at(520, 200, 80)  # smaller, always there
        return [face_at(250, 220, 120), other] if t_s < 2.0 else [other]

    chosen = run(chooser, fps, 5.0, faces)
    agent_until = max(t for t, x in chosen if x == 250)
    nobody = [t for t, x in chosen if x is None]
    taken = min(t for t, x in chosen if x == 520)
    assert agent_until < 2.0 and all(2.0 - 1 / fps <= t <= 3.0 + 1e-9 for t in nobody)
    # the other face becomes the agent at the first frame more than 1 s after the last sighting
    assert agent_until + 1.0 < taken <= agent_until + 1.0 + 1.4 / fps


def test_an_agent_back_within_lost_s_is_followed_again_not_a_larger_face():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    big = face_at(520, 220, 170)
    assert centre_x(chooser.choose(0.0, [face_at(250, 220, 120)], W, H)) == 250
    assert chooser.choose(0.4, [big], W, H) is None  # the agent turned away: nobody else
    # back 0.8 s later, 60 px (half a face) from where it was
    assert centre_x(chooser.choose(0.8, [big, face_at(310, 220, 120)], W, H)) == 310


def test_a_jump_no_head_can_make_in_the_time_is_not_the_agent():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    chooser.choose(0.0, [face_at(200, 220, 100)], W, H)
    # 1.8 face sizes in one frame at 15 fps (2.7 m/s): someone else
    assert chooser.choose(1 / 15, [face_at(380, 220, 100)], W, H) is None
    # the same move over 0.6 s (dropped frames) is the agent moving
    assert centre_x(chooser.choose(0.6, [face_at(380, 220, 100)], W, H)) == 380
    # but however long the agent was gone, a face 2.5 face sizes away is someone else
    assert chooser.choose(1.5, [face_at(630, 220, 100)], W, H) is None


def test_a_face_of_a_very_different_size_at_the_agents_place_is_someone_else():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    chooser.choose(0.0, [face_at(300, 220, 120)], W, H)
    assert chooser.choose(0.1, [face_at(305, 200, 60)], W, H) is None  # half the size
    assert centre_x(chooser.choose(0.2, [face_at(305, 220, 100)], W, H)) == 305


def test_photos_choose_the_largest_face_in_the_zone_each_time_without_memory():
    chooser = AgentChooser(WHOLE, lost_s=1.0, remember=False)
    assert centre_x(chooser.choose(0.0, [face_at(200, 220, 100)], W, H)) == 200
    assert centre_x(chooser.choose(0.0, [face_at(500, 220, 90)], W, H)) == 500


def test_the_body_band_is_eight_face_sizes_around_a_small_face_and_whole_for_a_near_one():
    assert body_band(None, W) == (0, W)
    assert body_band(face_at(320, 200, 150), W) == (0, W)  # 1200 px: the whole width
    assert body_band(face_at(200, 200, 40), W) == (40, 360)
    assert body_band(face_at(30, 200, 40), W) == (0, 190)  # clipped at the image's edge


def test_while_someone_else_is_in_view_the_body_band_narrows_to_four_face_sizes():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    agent = face_at(300, 220, 100)
    chooser.choose(0.0, [agent], W, H)
    assert not chooser.crowded(0.0)
    assert body_band(agent, W, crowded=chooser.crowded(0.0)) == (0, W)  # 800 px: whole
    chooser.choose(0.1, [agent, face_at(560, 200, 120)], W, H)
    assert chooser.crowded(0.5)
    assert body_band(agent, W, crowded=chooser.crowded(0.5)) == (100, 500)
    chooser.choose(1.2, [agent], W, H)
    assert not chooser.crowded(1.2)  # the other face gone for more than lost_s


def body_at(nose_x, nose_y, shoulders_px=120.0, wrists=((0, 0), (0, 0))) -> PoseLandmarks:
    pixels = np.zeros((33, 2))
    pixels[:] = (nose_x, nose_y + 80)
    pixels[0] = (nose_x, nose_y)
    pixels[7], pixels[8] = (nose_x + 25, nose_y), (nose_x - 25, nose_y)
    pixels[11] = (nose_x + shoulders_px / 2, nose_y + 80)
    pixels[12] = (nose_x - shoulders_px / 2, nose_y + 80)
    pixels[15], pixels[16] = wrists
    normalized = np.column_stack([pixels / (W, H), np.zeros(33)])
    return PoseLandmarks(normalized, pixels, np.ones(33), np.zeros((33, 3)))


def test_a_body_is_the_agents_only_when_its_nose_is_at_the_agents_face():
    agent = face_at(300, 200, 100)
    assert pose_is_agents(body_at(320, 210), agent, WHOLE, W, H)
    assert not pose_is_agents(body_at(470, 210), agent, WHOLE, W, H)  # 1.7 faces away
    # no face known: a body whose head is in the zone
    zone = AgentZone(left=0.25, right=0.75)
    assert pose_is_agents(body_at(320, 210), None, zone, W, H)
    assert not pose_is_agents(body_at(100, 210), None, zone, W, H)


def hand_at(x, y) -> HandLandmarks:
    pixels = np.tile((x, y), (21, 1)).astype(float)
    return HandLandmarks(pixels / (W, H), pixels, np.zeros((21, 3)), "Right", 0.9)


def test_only_hands_at_the_agents_wrists_are_kept():
    pose = body_at(320, 150, shoulders_px=120, wrists=((420, 330), (220, 340)))
    own = hand_at(430, 320)  # 14 px from the left wrist
    customer = hand_at(330, 470)  # reaching over the counter, 130 px from the nearest wrist
    assert agents_hands([own, customer], pose) == (own,)
    assert agents_hands([own], None) == ()  # no body to tell whose hand it is


def test_a_face_seen_while_the_agent_is_lost_counts_as_someone_else_in_view():
    chooser = AgentChooser(WHOLE, lost_s=1.0)
    agent, passer_by = face_at(320, 240, 140), face_at(40, 60, 80)  # far, and much smaller
    chooser.choose(0.0, [agent], W, H)
    assert chooser.choose(0.5, [passer_by], W, H) is None  # the agent out of view for now
    assert chooser.crowded(0.5)  # the body strip narrows to the agent's while they are away
