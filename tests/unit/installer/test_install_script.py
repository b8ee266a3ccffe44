"""install.sh under a temporary --root: files are written there, while apt-get, useradd,
pip, chown and systemctl are only printed."""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from pathlib import Path

import pytest
from installer_support import INSTALL, REPO, as_nobody, run_script

from kiosk.config import Config, config_from_dict
from kiosk.dashboard.auth import load_secret_key

# The kiosk program of the environment running the tests (the checkout's venv).
KIOSK = Path(sys.executable).with_name("kiosk")
UNIT = """\
[Unit]
Description=counter-kiosk (test unit)

[Service]
ExecStart=/opt/kiosk/venv/bin/kiosk run --config /etc/kiosk/kiosk.toml
"""


@pytest.fixture
def units(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    (folder / "kiosk.service").write_text(UNIT)
    (folder / "kiosk-serve@.service").write_text(UNIT)  # a template: copied, not enabled
    (folder / "README.md").write_text("not a unit\n")
    return folder


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def install(root, units, *args: str):
    if not KIOSK.exists():
        pytest.skip(f"no kiosk program beside {sys.executable}")
    return run_script(INSTALL, "--root", str(root), "--units", str(units), *args)


def snapshot(root: Path) -> dict[str, tuple[int, bytes, int]]:
    """Every path under root with its mode, content and modification time."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else b""
        found[str(path.relative_to(root))] = (info.st_mode, content, info.st_mtime_ns)
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dry_run_prints_every_action_and_creates_nothing(root, units):
    done = install(root, units, "--dry-run")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    expected = [
        "would run: apt-get update",
        "would run: env DEBIAN_FRONTEND=noninteractive apt-get install -y "
        "--no-install-recommends python3-venv python3-picamera2 python3-lgpio libgl1 "
        "libglib2.0-0",
        "would run: useradd --system --user-group --home-dir /var/lib/kiosk "
        "--no-create-home --shell /usr/sbin/nologin --comment counter-kiosk kiosk",
        "would run: usermod --append --groups video,gpio kiosk",
        f"would run: python3 -m venv --system-site-packages {root}/opt/kiosk/venv",
        f"would run: {root}/opt/kiosk/venv/bin/pip install --disable-pip-version-check {REPO}",
        f"would run: {root}/opt/kiosk/venv/bin/kiosk config --defaults > "
        f"{root}/etc/kiosk/kiosk.toml",
        f"would run: chmod 640 -- {root}/etc/kiosk/kiosk.toml",
        f"would run: chown root:kiosk -- {root}/etc/kiosk/kiosk.toml",
        f"would run: chmod 750 -- {root}/var/lib/kiosk",
        f"would run: chown kiosk:kiosk -- {root}/var/lib/kiosk",
        f"would run: new secret key (32 random bytes, hex) > {root}/var/lib/kiosk/secret_key",
        f"would run: chown kiosk:kiosk -- {root}/var/lib/kiosk/secret_key",
        f"would run: install -m 644 -- {units}/kiosk.service "
        f"{root}/etc/systemd/system/kiosk.service",
        "would run: systemctl daemon-reload",
        "would run: systemctl enable kiosk.service",
    ]
    for line in expected:
        assert line in lines, line
    # In this order: packages, the user, then what it owns; units enabled after the copy.
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)
    assert not [line for line in lines if line.startswith("+ ")]
    assert not [line for line in lines if "systemctl restart" in line and "would run" in line]
    assert list(root.iterdir()) == []


def test_a_run_under_a_root_writes_the_config_the_data_folder_and_a_private_key(root, units):
    done = install(root, units, "--kiosk", str(KIOSK))
    assert done.returncode == 0, done.stderr
    config = root / "etc/kiosk/kiosk.toml"
    assert config_from_dict(tomllib.loads(config.read_text())) == Config()
    assert mode(config) == 0o640
    assert mode(config.parent) == 0o750
    data = root / "var/lib/kiosk"
    assert mode(data) == 0o750
    key = data / "secret_key"
    assert mode(key) == 0o600
    assert re.fullmatch(rb"[0-9a-f]{64}", key.read_bytes())
    assert load_secret_key(key) == key.read_bytes()  # the dashboard takes it as it is
    unit = root / "etc/systemd/system/kiosk.service"
    assert unit.read_text() == UNIT
    assert mode(unit) == 0o644
    assert (root / "etc/systemd/system/kiosk-serve@.service").exists()
    assert not (root / "etc/systemd/system/README.md").exists()
    lines = done.stdout.splitlines()
    assert "would run: systemctl enable kiosk.service" in lines  # the template is not enabled
    # Outside its files nothing was run: no package, user, venv, owner or service.
    ran = [line for line in lines if line.startswith("+ ")]
    for word in ("apt-get", "useradd", "usermod", "-m venv", "pip install", "chown", "systemctl"):
        assert not [line for line in ran if word in line], word


def test_a_second_run_changes_nothing_and_keeps_the_secret_key(root, units):
    assert install(root, units, "--kiosk", str(KIOSK)).returncode == 0
    before = snapshot(root)
    again = install(root, units, "--kiosk", str(KIOSK))
    assert again.returncode == 0, again.stderr
    assert snapshot(root) == before
    lines = again.stdout.splitlines()
    assert not [line for line in lines if line.startswith("+ ")]
    assert f"files under {root}: nothing to change" in lines
    assert "would run: systemctl daemon-reload" not in lines  # no unit changed


def test_an_existing_config_is_never_overwritten(root, units):
    config = root / "etc/kiosk/kiosk.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[counter]\nname = "desk-3"\n')
    done = install(root, units, "--kiosk", str(KIOSK))
    assert done.returncode == 0, done.stderr
    assert config.read_text() == '[counter]\nname = "desk-3"\n'
    assert mode(config) == 0o640
    assert f"kept {config} (present: never overwritten)" in done.stdout


def test_a_changed_unit_is_copied_again_and_systemd_reloaded(root, units):
    assert install(root, units, "--kiosk", str(KIOSK)).returncode == 0
    (units / "kiosk.service").write_text(UNIT.replace("kiosk run", "kiosk run --realtime"))
    done = install(root, units, "--kiosk", str(KIOSK))
    assert done.returncode == 0
    assert "--realtime" in (root / "etc/systemd/system/kiosk.service").read_text()
    assert "would run: systemctl daemon-reload" in done.stdout.splitlines()


def test_services_are_restarted_only_with_start(root, units):
    quiet = install(root, units, "--dry-run")
    assert "would run: systemctl restart" not in quiet.stdout
    assert "not started (--start would): systemctl restart kiosk.service" in quiet.stdout
    started = install(root, units, "--dry-run", "--start")
    assert "would run: systemctl restart kiosk.service" in started.stdout.splitlines()


def test_a_real_run_under_a_root_without_a_kiosk_program_is_exit_4_naming_the_option(root, units):
    done = run_script(INSTALL, "--root", str(root), "--units", str(units))
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1
    assert "give one with --kiosk PATH" in done.stderr
    assert not (root / "etc/kiosk/kiosk.toml").exists()


def test_a_short_secret_key_is_kept_and_warned_about(root, units):
    key = root / "var/lib/kiosk/secret_key"
    key.parent.mkdir(parents=True)
    key.write_bytes(b"too short")
    done = install(root, units, "--kiosk", str(KIOSK))
    assert done.returncode == 0
    assert key.read_bytes() == b"too short"
    assert "shorter than 32 bytes" in done.stderr


def test_on_the_real_system_it_refuses_to_run_without_root():
    # Only ever run unprivileged: as root this would install for real.
    prefix = as_nobody()
    if os.geteuid() == 0 and not prefix:
        pytest.skip("cannot drop root")
    done = run_script(INSTALL, prefix=prefix)
    assert done.returncode == 3
    assert "run it as root" in done.stderr
    assert done.stdout == ""  # refused before doing or printing anything


def test_help_documents_every_exit_code():
    done = run_script(INSTALL, "--help")
    assert done.returncode == 0
    for code in ("0", "1", "2", "3", "4"):
        assert re.search(rf"^\s+{code}\s+\S", done.stdout, re.M), code
