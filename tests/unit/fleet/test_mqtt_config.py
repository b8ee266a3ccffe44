"""[mqtt]: validated like every section, with the checks across keys; the password only ever in
a file of its own; and what the client builder refuses before anything connects."""

import threading
from contextlib import ExitStack

import pytest
from fleet_support import IDENTITY, TOPICS

from kiosk.config import Config, MqttConfig, config_from_dict, load_config
from kiosk.errors import ConfigError, StorageError
from kiosk.fleet.mqtt import build_client, open_publisher, read_password


def test_publishing_is_off_by_default_and_the_default_config_loads():
    assert Config().mqtt.enabled is False
    assert config_from_dict({}).mqtt == MqttConfig()


def test_a_whole_mqtt_section_loads_from_a_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "[mqtt]\nenabled = true\nhost = 'mqtt.branch.lan'\nport = 8883\ntls = true\n"
        "ca_file = '/etc/kiosk/ca.pem'\nusername = 'desk-2'\n"
        "password_file = '/etc/kiosk/mqtt-password'\nqos = 2\nmax_queued = 500\n"
        "reconnect_min_s = 0.5\nreconnect_max_s = 30\n"
    )
    mqtt = load_config(path).mqtt
    assert (mqtt.host, mqtt.port, mqtt.tls, mqtt.qos, mqtt.max_queued) == (
        "mqtt.branch.lan",
        8883,
        True,
        2,
        500,
    )
    assert mqtt.reconnect_max_s == 30.0


def test_a_password_in_the_config_is_refused_pointing_at_password_file():
    with pytest.raises(ConfigError, match=r'\[mqtt\] password: unknown key .*"password_file"'):
        config_from_dict({"mqtt": {"password": "hunter2"}})


@pytest.mark.parametrize(
    ("mqtt", "problem"),
    [
        ({"enabled": True}, r"\[mqtt\] host: set the broker's host name"),
        ({"enabled": True, "host": "  "}, r"\[mqtt\] host: set the broker's host name"),
        ({"enabled": True, "host": "b", "queue_path": ""}, r"\[mqtt\] queue_path: set a file"),
        ({"port": 70000}, r"\[mqtt\] port: 70000 is above the maximum 65535"),
        ({"qos": 0}, r"\[mqtt\] qos: 0 is below the minimum 1"),
        ({"max_queued": 0}, r"\[mqtt\] max_queued: 0 is below the minimum 1"),
        ({"topic_prefix": "a/+/b"}, r"\[mqtt\] topic_prefix: 'a/\+/b' must be topic levels"),
        ({"topic_prefix": "kiosks/"}, r"\[mqtt\] topic_prefix: .*no leading or trailing"),
        ({"topic_prefix": ""}, r"\[mqtt\] topic_prefix: '' must be"),
        ({"password_file": "/etc/pw"}, r"\[mqtt\] password_file: a password needs a username"),
        ({"ca_file": "/etc/ca.pem"}, r"\[mqtt\] ca_file: only used with TLS"),
        (
            {"reconnect_min_s": 90.0, "reconnect_max_s": 60.0},
            r"\[mqtt\] reconnect_min_s \(90.0\) must not exceed reconnect_max_s \(60.0\)",
        ),
    ],
)
def test_bad_mqtt_settings_are_one_line_naming_the_key_and_the_fix(mqtt, problem):
    with pytest.raises(ConfigError, match=problem) as caught:
        config_from_dict({"mqtt": mqtt})
    assert "\n" not in str(caught.value)


def test_the_password_is_the_files_first_line(tmp_path):
    path = tmp_path / "pw"
    path.write_text("s3cret word\n# a comment nobody reads\n")
    assert read_password(str(path)) == "s3cret word"


def test_a_missing_or_empty_password_file_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match=r"\[mqtt\] password_file: cannot read .*absent"):
        read_password(str(tmp_path / "absent"))
    (tmp_path / "empty").write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        read_password(str(tmp_path / "empty"))


def test_a_missing_ca_file_is_refused_before_connecting(tmp_path):
    mqtt = MqttConfig(enabled=True, host="b", tls=True, ca_file=str(tmp_path / "none.pem"))
    with pytest.raises(ConfigError, match=r"\[mqtt\] ca_file: cannot use"):
        build_client(mqtt, IDENTITY, TOPICS)


def test_an_unusable_queue_path_fails_at_start_with_no_thread_left_behind(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    mqtt = MqttConfig(enabled=True, host="127.0.0.1", queue_path=str(blocker / "q.db"))
    threads = threading.active_count()
    with ExitStack() as stack, pytest.raises(StorageError, match=r"\[mqtt\] queue_path"):
        open_publisher(Config(mqtt=mqtt), stack, live=False)
    assert threading.active_count() == threads
