"""The paho-mqtt client built from `[mqtt]` (the only module that imports paho), and the publisher
opened for a run of the live loop."""

from __future__ import annotations

import logging
import ssl
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from paho.mqtt.client import Client
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from kiosk import __version__
from kiosk.config import Config, MqttConfig
from kiosk.errors import ConfigError
from kiosk.fleet.messages import WILL_PAYLOAD, Identity, Topics
from kiosk.fleet.outbox import Outbox
from kiosk.fleet.publisher import WINDOW, Publisher
from kiosk.storage.rows import WallClock

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 5.0  # at the end of a run: enough to flush a backlog on a LAN


class _AfterDisconnect(logging.Filter):
    """paho 2.2's network thread logs an ERROR once more after a clean disconnect ("Client is
    not connected"); it is not a problem, and an operator would read it as one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Client is not connected")


def read_password(path: str) -> str:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(f"[mqtt] password_file: cannot read {path}: {reason}") from None
    if not lines or not lines[0]:
        raise ConfigError(f"[mqtt] password_file: {path} is empty (the password goes on line 1)")
    return lines[0]


def build_client(mqtt: MqttConfig, identity: Identity, topics: Topics) -> Client:
    """A client (MQTT 5, so a refused publish says why) with the Last Will, credentials, TLS
    and back-off set; it connects once its network loop starts, and reconnects by itself."""
    client_id = f"{mqtt.topic_prefix.replace('/', '-')}-{identity.site}-{identity.counter}"
    client = Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
    )
    paho_log = logging.getLogger("kiosk.fleet.paho")
    if not any(isinstance(f, _AfterDisconnect) for f in paho_log.filters):
        paho_log.addFilter(_AfterDisconnect())
    client.enable_logger(paho_log)
    client.suppress_exceptions = True  # a callback's bug is logged, never ends paho's thread
    if mqtt.username:
        password = read_password(mqtt.password_file) if mqtt.password_file else None
        client.username_pw_set(mqtt.username, password)
    if mqtt.tls:
        try:
            client.tls_set(ca_certs=mqtt.ca_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"[mqtt] ca_file: cannot use {mqtt.ca_file}: {exc}") from None
    client.will_set(topics.status, WILL_PAYLOAD, qos=1, retain=True)
    client.reconnect_delay_set(mqtt.reconnect_min_s, mqtt.reconnect_max_s)
    client.max_inflight_messages_set(WINDOW)
    client.connect_async(mqtt.host, mqtt.port, keepalive=mqtt.keepalive_s)
    return client


def open_publisher(
    config: Config, stack: ExitStack, *, live: bool, wall: WallClock | None = None
) -> Publisher:
    """The run's publisher, started, and closed (flushed within CLOSE_TIMEOUT_S) when `stack`
    unwinds. `wall` maps the run's t_s to UTC (the recorder's, so both agree); without one,
    a live source is timed by the monotonic clock and a file from the run's start."""
    mqtt = config.mqtt
    identity = Identity(config.counter.site, config.counter.name, __version__)
    topics = Topics.of(mqtt.topic_prefix, identity)
    if wall is None:
        wall = WallClock(datetime.now(UTC), time.monotonic() if live else 0.0)
    client = build_client(mqtt, identity, topics)
    outbox = Outbox(mqtt.queue_path, mqtt.max_queued)
    publisher = Publisher(
        client,
        outbox,
        identity=identity,
        topics=topics,
        wall=wall,
        qos=mqtt.qos,
        broker=f"{mqtt.host}:{mqtt.port}",
    )
    log.info(
        "publishing to MQTT %s:%d under %s/%s/%s (%d summaries queued from before)",
        mqtt.host,
        mqtt.port,
        mqtt.topic_prefix,
        identity.site,
        identity.counter,
        len(outbox),
    )
    publisher.start()
    stack.callback(publisher.close, CLOSE_TIMEOUT_S)
    return publisher
