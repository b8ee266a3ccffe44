"""A stand-in for paho's Client: the test decides when it connects, acknowledges or drops, and
sees every publish. Plus a publisher over it and a poll-with-deadline helper."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from paho.mqtt.client import ConnectFlags
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from kiosk.fleet.messages import Identity, Topics
from kiosk.fleet.outbox import Outbox
from kiosk.fleet.publisher import Publisher
from kiosk.storage.rows import WallClock

IDENTITY = Identity("north", "desk-2", "9.9.9")
TOPICS = Topics.of("kiosks", IDENTITY)
START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
WALL = WallClock(START, 0.0)


@dataclass
class Sent:
    mid: int
    topic: str
    payload: dict[str, Any]
    qos: int
    retain: bool


class FakeClient:
    def __init__(self, *, connected: bool = False, auto_ack: bool = True) -> None:
        self.connected = connected
        self.auto_ack = auto_ack
        self.sent: list[Sent] = []
        self.failing: Exception | None = None
        self.events: list[str] = []
        self._mid = 0
        self._lock = threading.Lock()

    def loop_start(self) -> None:
        self.events.append("loop_start")
        if self.connected:
            self.connect()

    def loop_stop(self) -> None:
        self.events.append("loop_stop")

    def disconnect(self, reasoncode=None) -> None:
        # "disconnect" is the normal one (the broker drops the Last Will); with a reason code
        # it is recorded by name, e.g. "disconnect: Disconnect with will message"
        self.events.append("disconnect" if reasoncode is None else f"disconnect: {reasoncode}")

    def publish(self, topic: str, payload: str, qos: int = 0, retain: bool = False):
        if self.failing is not None:
            raise self.failing
        with self._lock:
            self._mid += 1
            mid = self._mid
        self.sent.append(Sent(mid, topic, json.loads(payload), qos, retain))
        # paho keeps a QoS 1 message while disconnected (rc NO_CONN) and drops a QoS 0 one
        if not self.connected:
            return SimpleNamespace(mid=mid, rc=4)
        if self.auto_ack or qos == 0:  # paho reports a QoS 0 message once it is written
            self.ack(mid)
        return SimpleNamespace(mid=mid, rc=0)

    # -- what the broker does ---------------------------------------------------------------
    def connect(self) -> None:
        self.connected = True
        success = ReasonCode(PacketTypes.CONNACK, "Success")
        self.on_connect(self, None, ConnectFlags(False), success, None)

    def drop(self) -> None:
        self.connected = False
        reason = ReasonCode(PacketTypes.DISCONNECT, "Unspecified error")
        self.on_disconnect(self, None, None, reason, None)

    def ack(self, mid: int, reason: str = "Success") -> None:
        self.on_publish(self, None, mid, ReasonCode(PacketTypes.PUBACK, reason), None)

    def on_topic(self, topic: str) -> list[Sent]:
        return [s for s in self.sent if s.topic == topic]


def interaction(start_s: float = 10.0, end_s: float = 70.0, nudges: int = 1) -> dict[str, Any]:
    """An `--events` interaction record as the pipeline makes it."""
    return {
        "kind": "interaction",
        "start_s": start_s,
        "end_s": end_s,
        "arrived_s": start_s - 2.0,
        "nudges": nudges,
        "summary": {
            "source": "/home/agent/clip.mp4",
            "frames": 600,
            "fps": 10.0,
            "face_visible_ratio": 0.95,
            "head_pose": {"yaw_deg_median": 3.0},
            "eye_contact": {"ratio": 0.62, "longest_gaze_s": 4.5, "staring_bouts": 1},
            "nods": {"count": 3, "per_minute": 3.0, "impatient_bouts": 0},
            "gestures": {"hidden_hands": True},
            "events": [{"kind": "staring", "t_s": 20.0}, {"kind": "open_palm", "t_s": 30.0}],
        },
    }


def publisher(
    client: FakeClient, queue_path, *, max_queued: int = 100, **kwargs
) -> tuple[Publisher, Outbox]:
    outbox = Outbox(queue_path, max_queued)
    made = Publisher(client, outbox, identity=IDENTITY, topics=TOPICS, wall=WALL, **kwargs)
    return made.start(), outbox


def until(predicate, timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def queued_rows(path) -> list[dict[str, Any]]:
    """The outbox's payloads as a fresh process would find them."""
    outbox = Outbox(path, 1_000_000)
    try:
        return [json.loads(row.payload) for row in outbox.after(0, 1_000_000)]
    finally:
        outbox.close()
