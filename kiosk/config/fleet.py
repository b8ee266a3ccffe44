"""Configuration of fleet publishing: the MQTT broker that receives each interaction's summary
and the counter's status (kiosk/fleet). Off by default; a kiosk works alone without it."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.config.fields import setting
from kiosk.config.service import DATA_DIR
from kiosk.errors import ConfigError


@dataclass(frozen=True)
class MqttConfig:
    enabled: bool = setting(
        False,
        "kiosk run publishes each interaction's summary and the counter's status to an MQTT "
        "broker (the site's own, e.g. Mosquitto).",
    )
    host: str = setting(
        "", "The broker's host name or address; required when enabled (there is no default)."
    )
    port: int = setting(
        1883, "The broker's TCP port (usually 1883; 8883 with TLS).", min=1, max=65535
    )
    keepalive_s: int = setting(
        60,
        "Seconds between keep-alive pings; the broker declares the kiosk offline (its Last Will) "
        "after about 1.5 times this without a word from it.",
        min=5,
        max=3600,
    )
    topic_prefix: str = setting(
        "counter-kiosk",
        "The first topic levels: topics are PREFIX/SITE/COUNTER/status and "
        "PREFIX/SITE/COUNTER/interactions ([counter] site and name).",
    )
    username: str = setting("", "The broker user name; empty: connect anonymously.")
    password_file: str = setting(
        "",
        "A file holding the broker password on its first line, readable by the kiosk's user "
        "only (e.g. root:kiosk, mode 0640); the password itself never goes in the config. Needs "
        "a username.",
    )
    tls: bool = setting(False, "Connect over TLS (the broker's certificate is verified).")
    ca_file: str = setting(
        "",
        "The CA certificate (PEM) that signed the broker's certificate; empty: the system's "
        "CAs. Only with tls = true.",
    )
    qos: int = setting(
        1,
        "MQTT quality of service for summaries: 1 (at least once) or 2 (exactly once between "
        "kiosk and broker; slower). A summary leaves the queue only when the broker has "
        "acknowledged it. The retained status goes at QoS 0, again on every reconnect.",
        min=1,
        max=2,
    )
    queue_path: str = setting(
        DATA_DIR + "/mqtt-queue.db",
        "The on-disk queue (SQLite) of summaries not yet acknowledged by the broker: they wait "
        "there while the broker or the network is away, and across a kiosk restart.",
    )
    max_queued: int = setting(
        10000,
        "At most this many summaries wait in the queue; beyond it the oldest are dropped, with "
        "a warning in the log.",
        min=1,
        max=1_000_000,
    )
    reconnect_min_s: float = setting(
        1.0,
        "After losing the broker, the first reconnect attempt waits this long; each failure "
        "doubles the wait up to reconnect_max_s.",
        min=0.1,
        max=600.0,
    )
    reconnect_max_s: float = setting(
        60.0, "The longest wait between reconnect attempts.", min=0.1, max=3600.0
    )

    def __post_init__(self) -> None:
        # Checks across keys. load.py's own cross-key checks name the file; these cannot, but
        # they reach the user as the same one line.
        problem = mqtt_problem(self)
        if problem is not None:
            raise ConfigError(f"[mqtt] {problem}")


def mqtt_problem(mqtt: MqttConfig) -> str | None:
    """What is wrong with a combination of [mqtt] keys ("key: why"), or None."""
    if mqtt.enabled and not mqtt.host.strip():
        return "host: set the broker's host name or address (enabled = true needs one)"
    if mqtt.enabled and not mqtt.queue_path.strip():
        return "queue_path: set a file for the queue of unsent summaries"
    levels = mqtt.topic_prefix.split("/")
    if not mqtt.topic_prefix or any(not level or set(level) & {"+", "#", "\0"} for level in levels):
        return (
            f"topic_prefix: {mqtt.topic_prefix!r} must be topic levels joined by '/', without "
            "'+', '#', or an empty level (no leading or trailing '/')"
        )
    if mqtt.password_file and not mqtt.username:
        return "password_file: a password needs a username (set username too)"
    if mqtt.ca_file and not mqtt.tls:
        return "ca_file: only used with TLS (set tls = true, or remove ca_file)"
    if mqtt.reconnect_min_s > mqtt.reconnect_max_s:
        return (
            f"reconnect_min_s ({mqtt.reconnect_min_s}) must not exceed reconnect_max_s "
            f"({mqtt.reconnect_max_s})"
        )
    return None
