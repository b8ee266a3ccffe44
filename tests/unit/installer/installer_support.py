"""Running the installer's shell scripts in tests: paths, a subprocess helper, and a way to
run one as an unprivileged user (root passes every permission check)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
APPLY = REPO / "firmware_config" / "apply.sh"
FRAGMENT = REPO / "firmware_config" / "config-fragment.txt"
INSTALL = REPO / "install.sh"
BEGIN_MARK = "# >>> counter-kiosk >>>"
END_MARK = "# <<< counter-kiosk <<<"


def run_script(script: Path, *args: str, prefix: tuple[str, ...] = ()):
    return subprocess.run(
        [*prefix, "bash", str(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def as_nobody() -> tuple[str, ...]:
    """A command prefix that runs as nobody; skips the test where that is not possible."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is absent: cannot drop to nobody")
    return (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--")
