"""Fleet publishing against a real Mosquitto (Debian's package), started by this module on a free
localhost port with persistence in a temporary folder: the retained status and the Last Will,
summaries at QoS 1, and a broker restart (with a kiosk restart inside it) that loses no summary."""

from __future__ import annotations

import dataclasses
import getpass
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from kiosk import app
from kiosk.camera.types import Frame
from kiosk.config import Config, CounterConfig, MqttConfig
from kiosk.fleet import open_publisher
from kiosk.gpio import mock_pin_factory
from kiosk.landmarks.types import Landmarks

MOSQUITTO = Path("/usr/sbin/mosquitto")
pytestmark = pytest.mark.skipif(
    not MOSQUITTO.exists(),
    reason="needs Mosquitto at /usr/sbin/mosquitto (Debian: apt-get install mosquitto)",
)
PREFIX = "it"
SITE = "it-site"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class Broker:
    """One mosquitto process; stop() is SIGTERM, on which it saves its persistence file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.conf = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        # Run as root (CI), mosquitto would switch to its own user, who cannot read tmp_path.
        self.conf.write_text(
            textwrap.dedent(f"""\
                listener {self.port} 127.0.0.1
                allow_anonymous true
                persistence true
                persistence_location {folder}/
                user {getpass.getuser()}
                log_dest stderr
                log_type all
            """)
        )
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [str(MOSQUITTO), "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
            )

        def listening() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return False
            return True

        assert until(listening), f"mosquitto did not listen:\n{self.log.read_text()}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5.0)
        self.proc = None


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    made = Broker(tmp_path_factory.mktemp("mosquitto"))
    made.start()
    yield made
    made.stop()


class Subscriber:
    """A consumer as a site would run one (MQTT 3.1.1, QoS 1); `persistent` keeps its session
    and queued messages on the broker while it is away (clean_session false)."""

    def __init__(self, port: int, topic: str, client_id: str, *, persistent: bool = False):
        self.messages: list[mqtt.MQTTMessage] = []
        self._lock = threading.Lock()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent
        )
        self.client.reconnect_delay_set(0.1, 0.5)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect_async("127.0.0.1", port, keepalive=5)
        self.client.loop_start()
        assert self.subscribed.wait(5.0), "the subscriber could not subscribe"

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            self.messages.append(message)

    def payloads(self, topic_end: str = "") -> list[dict]:
        with self._lock:
            return [json.loads(m.payload) for m in self.messages if m.topic.endswith(topic_end)]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def subscribers():
    made: list[Subscriber] = []
    yield lambda *args, **kwargs: made.append(Subscriber(*args, **kwargs)) or made[-1]
    for subscriber in made:
        subscriber.close()


def kiosk_config(broker: Broker, counter: str, queue_path: Path) -> Config:
    return Config(
        counter=CounterConfig(name=counter, site=SITE),
        mqtt=MqttConfig(
            enabled=True,
            host="127.0.0.1",
            port=broker.port,
            keepalive_s=5,
            topic_prefix=PREFIX,
            queue_path=str(queue_path),
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
        ),
    )


def interaction(start_s: float) -> dict:
    summary = {"frames": 50, "eye_contact": {"ratio": 0.5}, "nods": {"count": 2}}
    return {
        "kind": "interaction",
        "start_s": start_s,
        "end_s": start_s + 5.0,
        "nudges": 0,
        "summary": summary,
    }


def test_the_status_is_retained_for_a_late_subscriber_and_a_killed_kiosk_leaves_offline(
    broker, subscribers, tmp_path
):
    status = f"{PREFIX}/{SITE}/killed/status"
    watcher = subscribers(broker.port, status, "it-watcher")
    config = kiosk_config(broker, "killed", tmp_path / "q.db")
    # A kiosk process of its own, so that it can die as a power cut or kill -9 would end it.
    script = textwrap.dedent(f"""\
        import sys, time
        from contextlib import ExitStack
        from kiosk.config import Config, CounterConfig, MqttConfig
        from kiosk.fleet import open_publisher
        config = Config(counter=CounterConfig(**{dataclasses.asdict(config.counter)!r}),
                        mqtt=MqttConfig(**{dataclasses.asdict(config.mqtt)!r}))
        publisher = open_publisher(config, ExitStack(), live=False)
        publisher.status("tracking", 3.0)
        time.sleep(60)
    """)
    kiosk = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    try:
        assert until(lambda: [p["status"] for p in watcher.payloads()][-1:] == ["tracking"]), (
            watcher.payloads()
        )
        late = subscribers(broker.port, status, "it-late")
        assert until(lambda: late.payloads())
        (first,) = late.messages
        assert first.retain, "a late subscriber gets the status the broker retained"
        assert json.loads(first.payload)["status"] == "tracking"
        assert json.loads(first.payload)["counter"] == "killed"
    finally:
        kiosk.kill()
        kiosk.wait(5.0)
    assert until(lambda: watcher.payloads()[-1:] == [{"status": "offline"}]), watcher.payloads()
    after = subscribers(broker.port, status, "it-after")
    assert until(lambda: after.payloads() == [{"status": "offline"}])
    assert after.messages[0].retain


def test_summaries_reach_a_subscriber_at_qos_1_and_leave_the_outbox(broker, subscribers, tmp_path):
    subscriber = subscribers(broker.port, f"{PREFIX}/{SITE}/desk/#", "it-qos1")
    with ExitStack() as stack:
        publisher = open_publisher(
            kiosk_config(broker, "desk", tmp_path / "q.db"), stack, live=False
        )
        for i in range(5):
            publisher.record(interaction(10.0 * i))
        assert until(lambda: len(subscriber.payloads("/interactions")) == 5)
        assert until(lambda: publisher.queued == 0)
    summaries = subscriber.payloads("/interactions")
    assert len({s["id"] for s in summaries}) == 5
    assert [s["duration_s"] for s in summaries] == [5.0] * 5
    assert {m.qos for m in subscriber.messages if m.topic.endswith("/interactions")} == {1}
    assert not any(m.retain for m in subscriber.messages if m.topic.endswith("/interactions"))
    # a clean stop says so: the last status is "offline", with since and version
    assert until(lambda: [s["status"] for s in subscriber.payloads("/status")][-1:] == ["offline"])
    assert subscriber.payloads("/status")[-1]["version"]


def test_a_broker_restart_loses_no_summary_even_with_a_kiosk_restart_while_it_is_down(
    broker, subscribers, tmp_path
):
    topic = f"{PREFIX}/{SITE}/restart/interactions"
    archive = subscribers(broker.port, topic, "it-archive", persistent=True)
    queue = tmp_path / "q.db"
    config = kiosk_config(broker, "restart", queue)
    starts = [100.0 * i for i in range(9)]

    def received_starts() -> set[str]:
        return {s["start"] for s in archive.payloads()}

    with ExitStack() as first_run:
        kiosk = open_publisher(config, first_run, live=False)
        for start_s in starts[:3]:
            kiosk.record(interaction(start_s))
        assert until(lambda: len(received_starts()) == 3)
        broker.stop()
        assert until(lambda: not kiosk.connected)
        for start_s in starts[3:6]:  # the broker is away: they wait in the outbox
            kiosk.record(interaction(start_s))
        assert until(lambda: kiosk.queued == 3)
    # the kiosk restarted while the broker was down: its queue is still on disk
    with ExitStack() as second_run:
        kiosk = open_publisher(config, second_run, live=False)
        assert kiosk.queued == 3
        for start_s in starts[6:]:
            kiosk.record(interaction(start_s))
        assert until(lambda: kiosk.queued == 6)
        assert len(received_starts()) == 3
        broker.start()
        assert until(lambda: len(received_starts()) == len(starts), 10.0), (
            f"{len(received_starts())} of {len(starts)} summaries after the restart"
        )
        assert until(lambda: kiosk.queued == 0)
    summaries = archive.payloads()
    assert len(summaries) >= len(starts)  # at least once: a re-send repeats its id
    ids_by_start: dict[str, set[str]] = {}
    for summary in summaries:
        ids_by_start.setdefault(summary["start"], set()).add(summary["id"])
    assert all(len(ids) == 1 for ids in ids_by_start.values())
    assert len({s["id"] for s in summaries}) == len(starts)


class _Source:
    """Sixty frames at 10 fps from a file-like source: the whole run is one interaction. The
    first frame waits for `ready` (the kiosk's publisher connected): unpaced, the run could
    otherwise end before it connects, and the status is state, sent as it is on connecting."""

    name, fps, live, sequence = "stand-in", 10.0, False, True

    def __init__(self, ready=lambda: True) -> None:
        self.ready = ready

    def __iter__(self):
        assert until(self.ready)
        for i in range(60):
            yield Frame(np.zeros((4, 4, 3), np.uint8), i / self.fps, i)

    def close(self) -> None:
        pass


class _Tracker:
    def track(self, frame, *, face=True, pose=False, hands=False):
        return Landmarks(frame.t_s, frame.index, frame.width, frame.height)

    def close(self) -> None:
        pass


def test_kiosk_run_publishes_its_statuses_and_interaction(
    broker, subscribers, tmp_path, monkeypatch
):
    subscriber = subscribers(broker.port, f"{PREFIX}/{SITE}/run/#", "it-run")
    monkeypatch.setattr(app, "build_tracker", lambda *args, **kwargs: _Tracker())
    connected = lambda: bool(subscriber.payloads("/status"))  # noqa: E731
    monkeypatch.setattr(app, "open_frame_source", lambda spec, config, fps=None: _Source(connected))
    config = kiosk_config(broker, "run", tmp_path / "q.db")
    config = dataclasses.replace(config, storage=dataclasses.replace(config.storage, enabled=False))
    app.run_kiosk(config, source="stand-in", leds_backend="mock", pin_factory=mock_pin_factory())
    assert until(lambda: [s["status"] for s in subscriber.payloads("/status")][-1:] == ["offline"])
    statuses = [s["status"] for s in subscriber.payloads("/status")]
    assert "tracking" in statuses
    (summary,) = subscriber.payloads("/interactions")
    assert summary["duration_s"] == 4.0 and summary["summary"]["frames"] == 40
