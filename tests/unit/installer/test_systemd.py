"""The systemd units in systemd/: systemd's own checks (`systemd-analyze verify`, and its
offline security score), and the settings the camera, the LEDs and the watchdog depend on.

`systemd-analyze verify` refuses an ExecStart= whose program does not exist, so it checks copies
whose /opt/kiosk/venv/bin/kiosk is this venv's kiosk program (the same entry point). No systemd
needs to run for either check; without systemd-analyze they skip and say why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from kiosk.config import Config
from kiosk.loop import RETRY_DELAYS_S

UNITS_DIR = Path(__file__).resolve().parents[3] / "systemd"
KIOSK_BIN = "/opt/kiosk/venv/bin/kiosk"
CONFIG = "/etc/kiosk/kiosk.toml"
UNITS = ("kiosk.service", "kiosk-dashboard.service")


def parse(name: str) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> every value given (systemd keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (UNITS_DIR / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        assert current is not None, f"{name}: {line!r} before any section"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit, key: str, section: str = "Service") -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"{key}= given {len(values)} times"
    return values[0]


def words(unit, key: str, section: str = "Service") -> set[str]:
    return {word for value in unit[section].get(key, []) for word in value.split()}


def seconds(text: str) -> float:
    units = {"ms": 0.001, "s": 1.0, "min": 60.0, "": 1.0}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|min|)", text)
    assert match, text
    return float(match[1]) * units[match[2]]


def writable_dirs(unit) -> list[PurePosixPath]:
    """What the service may write under ProtectSystem=strict."""
    dirs = [PurePosixPath(p.lstrip("-")) for p in words(unit, "ReadWritePaths")]
    for key, root in (("RuntimeDirectory", "/run"), ("StateDirectory", "/var/lib")):
        dirs += [PurePosixPath(root) / name for name in words(unit, key)]
    dirs += [PurePosixPath("/var/cache") / name for name in words(unit, "CacheDirectory")]
    return dirs


def inside(path: str, dirs) -> bool:
    return any(PurePosixPath(path).is_relative_to(d) for d in dirs)


@pytest.fixture(scope="module")
def kiosk_unit():
    return parse("kiosk.service")


@pytest.fixture(scope="module")
def dashboard_unit():
    return parse("kiosk-dashboard.service")


@pytest.fixture
def checkable_units(tmp_path) -> list[Path]:
    """Copies of the units whose ExecStart= names an existing kiosk program."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip(
            "systemd-analyze is not installed (Debian: apt-get install systemd); "
            "the units are not verified"
        )
    program = Path(sys.executable).parent / "kiosk"
    assert program.exists(), f"{program}: the venv's kiosk entry point (pip install -e .)"
    copies = []
    for name in UNITS:
        text = (UNITS_DIR / name).read_text()
        assert text.count(KIOSK_BIN) == 1
        copy = tmp_path / name
        copy.write_text(text.replace(KIOSK_BIN, str(program)))
        copies.append(copy)
    return copies


def test_systemd_analyze_verify_finds_nothing_to_say_about_the_units(checkable_units):
    result = subprocess.run(
        ["systemd-analyze", "verify", *map(str, checkable_units)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    # An unknown or misspelt key is only a warning (exit 0): any line about our units fails.
    about_ours = [line for line in output.splitlines() if any(name in line for name in UNITS)]
    assert result.returncode == 0 and about_ours == [], output


def test_systemd_rates_both_units_well_hardened(checkable_units):
    version = subprocess.run(
        ["systemd-analyze", "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"systemd (\d+)", version)
    if not match or int(match[1]) < 250:
        pytest.skip(f"systemd-analyze security --offline --threshold needs systemd 250+: {version}")
    for unit in checkable_units:
        # The exposure score is 0-10 ("OK" up to 4.9); --threshold is in tenths. 2.5 leaves
        # room for the devices the live loop needs, and fails if a protection is dropped.
        result = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", "--threshold=25", str(unit)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr


def test_the_live_loop_runs_as_kiosk_with_the_camera_and_gpio_groups(kiosk_unit):
    assert one(kiosk_unit, "ExecStart") == f"{KIOSK_BIN} run --config {CONFIG}"
    assert (one(kiosk_unit, "User"), one(kiosk_unit, "Group")) == ("kiosk", "kiosk")
    assert words(kiosk_unit, "SupplementaryGroups") == {"video", "gpio"}


def test_the_live_loop_is_restarted_when_frames_stop_flowing(kiosk_unit):
    assert one(kiosk_unit, "Type") == "notify"  # READY=1 from the first frame
    assert one(kiosk_unit, "Restart") == "on-failure"  # a watchdog timeout counts as a failure
    watchdog_s = seconds(one(kiosk_unit, "WatchdogSec"))
    # The last ping may be WatchdogSec/2 old when frames stop: a camera fault still gets the
    # loop's own first retries (1, 3 and 7 s after it) before systemd restarts everything, and
    # a hang is not left for minutes.
    assert sum(RETRY_DELAYS_S[:3]) <= watchdog_s / 2 and watchdog_s <= 60
    # SIGTERM: a loop still polling the hung camera closes the interaction and flushes records;
    # one stuck in native code is killed after TimeoutStopSec.
    assert one(kiosk_unit, "WatchdogSignal") == "SIGTERM"
    assert seconds(one(kiosk_unit, "TimeoutStopSec")) > 0
    # Models load before the first frame: startup has its own, longer limit.
    assert seconds(one(kiosk_unit, "TimeoutStartSec")) >= 60


def test_the_camera_and_the_leds_keep_their_devices_and_nothing_else(kiosk_unit):
    # PrivateDevices=yes would hide them all; the device list limits /dev instead
    assert kiosk_unit["Service"].get("PrivateDevices", ["no"]) == ["no"]
    assert one(kiosk_unit, "DevicePolicy") == "closed"
    allowed = {value.split()[0]: value.split()[1] for value in kiosk_unit["Service"]["DeviceAllow"]}
    # lgpio: /dev/gpiochip*; libcamera: /dev/video*, /dev/v4l-subdev*, /dev/media*, /dev/dma_heap/*
    assert allowed == {
        "char-gpiochip": "rw",
        "char-video4linux": "rw",
        "char-media": "rw",
        "char-dma_heap": "rw",
    }


def test_lgpio_fifos_and_matplotlib_caches_land_where_the_service_may_write(kiosk_unit):
    writable = writable_dirs(kiosk_unit)
    workdir = one(kiosk_unit, "WorkingDirectory")
    assert inside(workdir, writable)
    environment = dict(value.split("=", 1) for value in kiosk_unit["Service"]["Environment"])
    # lgpio's C side makes the FIFO in $LG_WD, its Python side opens it relative to the cwd
    assert environment["LG_WD"] == workdir
    assert inside(environment["MPLCONFIGDIR"], writable)


@pytest.mark.parametrize("name", UNITS)
def test_both_services_write_only_the_kiosk_data_and_are_locked_down(name):
    unit = parse(name)
    service = unit["Service"]
    assert one(unit, "User") == "kiosk"
    assert one(unit, "ExecStart").endswith(f"--config {CONFIG}")
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectControlGroups": "yes",
        "RestrictNamespaces": "yes",
        "SystemCallArchitectures": "native",
    }.items():
        assert one(unit, key) == value, key
    assert service["CapabilityBoundingSet"] == [""]
    assert words(unit, "ReadWritePaths") == {"/var/lib/kiosk"}
    # The database, its WAL and the dashboard's key are where the code puts them by default.
    defaults = Config()
    writable = writable_dirs(unit)
    assert inside(defaults.storage.path, writable)
    assert inside(defaults.dashboard.secret_key_file, writable)
    families = words(unit, "RestrictAddressFamilies")
    assert (
        {"AF_UNIX", "AF_INET", "AF_INET6"}
        <= families
        <= {
            "AF_UNIX",
            "AF_INET",
            "AF_INET6",
            "AF_NETLINK",
        }
    )
    assert "@system-service" in words(unit, "SystemCallFilter")
    assert one(unit, "WantedBy", section="Install") == "multi-user.target"


def test_the_dashboard_service_has_no_devices_and_does_not_fight_kiosk_run_for_the_port(
    dashboard_unit,
):
    assert one(dashboard_unit, "ExecStart") == f"{KIOSK_BIN} serve --config {CONFIG}"
    assert one(dashboard_unit, "PrivateDevices") == "yes"
    assert "SupplementaryGroups" not in dashboard_unit["Service"]
    assert one(dashboard_unit, "Restart") == "on-failure"
    # kiosk run serves the dashboard itself only with [dashboard] enabled = true; by default
    # it leaves the port to this service.
    assert Config().dashboard.enabled is False
