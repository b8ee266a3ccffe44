"""The publisher: the live loop's interaction summaries and status go to the MQTT broker from a
thread of its own, through the durable outbox. The frame loop never waits for it or sees its errors.

A summary is written to the outbox before any network attempt and leaves it only when the broker
acknowledges it (PUBACK, or PUBCOMP at QoS 2): delivery is at least once, never lost to a broker
or kiosk restart. The status is state, not history: the newest one is published (retained) on
every change and on every reconnect, at QoS 0 so that a stale copy is never re-sent after a newer
one.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from kiosk.fleet.messages import OFFLINE, Identity, Topics, interaction_payload, status_payload
from kiosk.fleet.outbox import Outbox
from kiosk.storage.rows import WallClock
from kiosk.throttle import Throttle

log = logging.getLogger(__name__)

WINDOW = 20  # summaries handed to the client and not yet acknowledged, at most
_OK_RC = (0, 4)  # paho's MQTT_ERR_SUCCESS, and MQTT_ERR_NO_CONN (kept and sent on reconnect)


class MqttClient(Protocol):
    """The part of paho-mqtt's Client (VERSION2 callbacks) the publisher uses."""

    on_connect: Any
    on_connect_fail: Any
    on_disconnect: Any
    on_publish: Any

    def loop_start(self) -> Any: ...
    def loop_stop(self) -> Any: ...
    def publish(self, topic: str, payload: str, qos: int = 0, retain: bool = False) -> Any: ...
    def disconnect(self) -> Any: ...


def now_utc() -> datetime:
    return datetime.now(UTC)


class Publisher:
    """`record` and `status` are called on the loop's thread and only hand values over;
    `close` flushes what it can within its timeout and leaves the rest in the outbox."""

    def __init__(
        self,
        client: MqttClient,
        outbox: Outbox,
        *,
        identity: Identity,
        topics: Topics,
        wall: WallClock,
        qos: int = 1,
        broker: str = "the broker",
        now: Callable[[], datetime] = now_utc,
        throttle: Throttle | None = None,
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._identity = identity
        self._topics = topics
        self._wall = wall
        self._qos = qos
        self._broker = broker
        self._now = now
        self._log = throttle or Throttle(logger=log)
        # Handed over by the loop's and paho's threads (deque appends are atomic).
        self._handoff: deque[str] = deque()
        self._acks: deque[tuple[int, Any]] = deque()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._connected = False
        self._status_lock = threading.Lock()
        self._status: tuple[str, datetime | None] = ("starting", now())
        self._status_due = True
        # The publisher thread's own state.
        self._unsaved: list[str] = []
        self._in_flight: dict[int, int] = {}  # the client's message id -> outbox row id
        self._cursor = 0  # the newest outbox row handed to the client in this run
        self._offline_mid: int | None = None
        self._offline_sent = False
        self._thread = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)
        self._started = False
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish

    # -- the loop's side --------------------------------------------------------------------
    def start(self) -> Publisher:
        self._client.loop_start()
        self._thread.start()
        self._started = True
        return self

    def record(self, record: dict[str, Any]) -> None:
        """One `--events` record; only a finished interaction is published."""
        if record.get("kind") != "interaction":
            return
        try:
            self._handoff.append(interaction_payload(record, self._wall, self._identity))
            self._wake.set()
        except Exception as exc:  # a malformed record must not stop the frame loop
            self._log(logging.ERROR, "record", "MQTT: cannot publish an interaction: %r", exc)

    def status(self, status: str, t_s: float | None) -> None:
        """The counter's status changed (tracking, no_customer, paused, camera_fault, ...)."""
        try:
            since = self._wall.at(t_s) if t_s is not None else self._now()
            with self._status_lock:
                self._status = (status, since)
                self._status_due = True
            self._wake.set()
        except Exception as exc:
            self._log(logging.ERROR, "status", "MQTT: cannot publish the status: %r", exc)

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def queued(self) -> int:
        """Summaries not yet acknowledged by the broker (on disk, or about to be)."""
        return len(self._outbox) + len(self._unsaved) + len(self._handoff)

    def close(self, timeout_s: float = 5.0) -> None:
        """Publish what can be within `timeout_s`, then say "offline" and disconnect; whatever
        is unacknowledged stays in the outbox for the next start."""
        if not self._started or self._stopping.is_set():
            return
        self._deadline = time.monotonic() + timeout_s
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout_s + 2.0)
        if self._thread.is_alive():
            log.warning("MQTT: the publisher is still stopping; unsent summaries are on disk")

    # -- paho's thread ----------------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if getattr(reason_code, "is_failure", False):
            self._log(
                logging.ERROR,
                "refused",
                "MQTT: %s refused the connection: %s (retrying)",
                self._broker,
                reason_code,
            )
            return
        self._connected = True
        with self._status_lock:
            self._status_due = True  # the broker may hold our Last Will ("offline") by now
        log.info("MQTT: connected to %s; %d summaries to send", self._broker, self.queued)
        self._wake.set()

    def _on_connect_fail(self, client, userdata) -> None:
        self._log(
            logging.WARNING,
            "unreachable",
            "MQTT: cannot reach %s (retrying); summaries wait in %s",
            self._broker,
            self._outbox.path,
        )

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        was, self._connected = self._connected, False
        if was and not self._stopping.is_set():
            self._log(
                logging.WARNING,
                "lost",
                "MQTT: lost %s (%s); summaries wait in %s until it is back",
                self._broker,
                reason_code,
                self._outbox.path,
            )
        self._wake.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._acks.append((mid, reason_code))
        self._wake.set()

    # -- the publisher's thread -------------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._wake.wait(max(0.0, min(1.0, self._deadline - time.monotonic())))
            self._wake.clear()
            stopping = self._stopping.is_set()
            try:
                self._step(stopping)
            except Exception as exc:  # the disk or the client failed: try again on the next wake
                self._log(logging.ERROR, "step", "MQTT publisher: %r", exc)
            if stopping and (self._done() or time.monotonic() >= self._deadline):
                break
        self._shut()

    def _step(self, stopping: bool) -> None:
        self._save()
        self._apply_acks()
        if not self._connected:
            return
        if stopping and self._sent_all() and not self._offline_sent:
            self.status(OFFLINE, None)
            self._offline_sent = True
        self._publish_status()
        self._publish_queued()

    def _save(self) -> None:
        while self._handoff:
            self._unsaved.append(self._handoff.popleft())
        if not self._unsaved:
            return
        try:
            dropped = self._outbox.add([(self._topics.interactions, p) for p in self._unsaved])
        except sqlite3.Error as exc:
            excess = len(self._unsaved) - self._outbox.max_queued
            if excess > 0:
                del self._unsaved[:excess]
            self._log(
                logging.ERROR,
                "disk",
                "MQTT: cannot write the queue %s (%s); %d summaries held in memory",
                self._outbox.path,
                exc,
                len(self._unsaved),
            )
            return
        self._unsaved = []
        if dropped:
            self._log(
                logging.WARNING,
                "full",
                "MQTT: the queue holds [mqtt] max_queued = %d summaries; dropped the %d oldest",
                self._outbox.max_queued,
                dropped,
            )

    def _apply_acks(self) -> None:
        done: list[int] = []
        while self._acks:
            mid, reason_code = self._acks.popleft()
            if mid == self._offline_mid:
                self._offline_mid = None
            row = self._in_flight.pop(mid, None)
            if row is None:
                continue
            if getattr(reason_code, "is_failure", False):
                # e.g. "Not authorized" (the broker's ACL): kept, and offered again next start.
                self._log(
                    logging.ERROR,
                    "nack",
                    "MQTT: %s refused a summary on %s: %s; it stays queued",
                    self._broker,
                    self._topics.interactions,
                    reason_code,
                )
                continue
            done.append(row)
        self._outbox.remove(done)

    def _publish_status(self) -> None:
        with self._status_lock:
            if not self._status_due:
                return
            status, since = current = self._status
        payload = status_payload(self._identity, status, since, self._now())
        info = self._client.publish(self._topics.status, payload, qos=0, retain=True)
        if info.rc != 0:
            return  # not connected after all: sent on the next connect
        with self._status_lock:
            if self._status == current:
                self._status_due = False
        if status == OFFLINE:
            self._offline_mid = info.mid

    def _publish_queued(self) -> None:
        room = WINDOW - len(self._in_flight)
        if room <= 0:
            return
        for row in self._outbox.after(self._cursor, room):
            info = self._client.publish(row.topic, row.payload, qos=self._qos)
            if info.rc not in _OK_RC:
                self._log(logging.WARNING, "publish", "MQTT: publish failed (rc %s)", info.rc)
                return
            self._in_flight[info.mid] = row.id
            self._cursor = row.id

    def _sent_all(self) -> bool:
        return not (self._handoff or self._unsaved or self._in_flight) and not self._outbox.after(
            self._cursor, 1
        )

    def _done(self) -> bool:
        """Stopping may end: everything saved, and (when connected) acknowledged and followed
        by the "offline" status."""
        if self._handoff or self._unsaved:
            return False
        if not self._connected:
            return True
        return self._sent_all() and self._offline_sent and self._offline_mid is None

    def _disconnect(self) -> None:
        """A normal disconnect makes the broker discard the Last Will: only once "offline" was
        published. Stopped before that (the backlog outlasted the close timeout), the kiosk
        asks the broker to send the Will, so no stale "tracking" stays retained."""
        if self._offline_sent:
            self._client.disconnect()
            return
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.reasoncodes import ReasonCode

        self._client.disconnect(
            reasoncode=ReasonCode(PacketTypes.DISCONNECT, "Disconnect with will message")
        )

    def _shut(self) -> None:
        try:
            self._save()
        except Exception as exc:
            self._log(logging.ERROR, "step", "MQTT publisher: %r", exc)
        for what, action in (
            ("close the queue", self._outbox.close),
            ("disconnect", self._disconnect),
            ("stop the client", self._client.loop_stop),
        ):
            try:
                action()
            except Exception as exc:
                log.warning("MQTT: cannot %s: %r", what, exc)
