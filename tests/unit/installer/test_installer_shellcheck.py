"""ShellCheck finds nothing in the installer's scripts (skipped where it is not installed)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from installer_support import APPLY, INSTALL


def test_shellcheck_finds_nothing_in_install_sh_and_apply_sh():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
    done = subprocess.run(
        [shellcheck, "--shell=bash", "--severity=style", str(INSTALL), str(APPLY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
