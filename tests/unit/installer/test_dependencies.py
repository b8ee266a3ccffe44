"""The Pi's dependency set resolves from PyPI for CPython 3.11 on aarch64 (and on x86_64, where
development and CI run) from wheels alone, with no backtracking.

pip resolves pyproject.toml's dependencies as the Pi would, `--dry-run --report` for a foreign
platform: nothing is installed, and the package itself is not built (its runtime requirements are
exactly this list; building it only cost a setuptools download). The index this runs against
serves no PEP 658 metadata, so pip fetches each wheel it considers: without backtracking that is
the final set once (about 250 MB for aarch64, some 13 s here). Before the caps in pyproject.toml
it was 1.5-1.8 GB (13 jaxlib and 7 opencv-contrib-python wheels fetched only to be rejected for
needing numpy>=2).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

REPO = Path(__file__).resolve().parents[3]
INDEX = "https://pypi.org/simple"
BACKTRACKING = "pip is looking at multiple versions of"
# Raspberry Pi OS Bookworm has glibc 2.36: pip there takes manylinux_2_17 .. manylinux_2_36.
GLIBC_MINORS = range(17, 37)
# Installed from pure wheels: nothing to compile and nothing tied to the Pi's CPU.
PURE = ["flask", "werkzeug", "jinja2", "waitress", "gpiozero", "colorzero", "prometheus-client"]
# Other packages that provide cv2 and would clash with mediapipe's opencv-contrib-python.
OTHER_CV2 = ["opencv-python", "opencv-python-headless", "opencv-contrib-python-headless"]

pytestmark = pytest.mark.network


def platform_args(machine: str) -> list[str]:
    tags = [f"manylinux2014_{machine}", f"linux_{machine}"]
    tags += [f"manylinux_2_{minor}_{machine}" for minor in GLIBC_MINORS]
    return [arg for tag in tags for arg in ("--platform", tag)]


def pip_environment() -> dict[str, str]:
    """PyPI only: no config file (this machine's /etc/xdg/pip adds a constraints file), no
    extra index or local wheel folder from PIP_* variables. A CA bundle is kept."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env |= {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    return env


@pytest.fixture(scope="module")
def pypi():
    """Skips, with the reason, where PyPI cannot be reached."""
    import ssl

    cafile = os.environ.get("PIP_CERT") or None
    context = ssl.create_default_context(cafile=cafile)
    try:
        with urllib.request.urlopen(f"{INDEX}/mediapipe/", timeout=15, context=context):
            pass
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"PyPI is unreachable from here ({exc}); the resolution needs it")


@pytest.fixture(scope="module")
def pip_version() -> Version:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    ).stdout
    version = Version(out.split()[1])
    if version < Version("23.0"):
        pytest.skip(f"pip {version} here; --dry-run --report as used here needs pip >= 23")
    return version


def runtime_requirements() -> list[str]:
    with (REPO / "pyproject.toml").open("rb") as stream:
        return tomllib.load(stream)["project"]["dependencies"]


def resolve(machine: str, tmp_path: Path) -> tuple[dict, str]:
    """What `start_resolving` began (or begins now), once pip has finished."""
    return start_resolving(machine, tmp_path).result()


_RESOLVING: dict[str, Future] = {}


def start_resolving(machine: str, tmp_path: Path | None = None) -> Future:
    """pip's resolution for `machine`, started on a thread: it waits on the network for most of
    its 16 s, so conftest.py starts it when collection is done (for the selected machines only)
    and it runs beside the integration tests that come first; the test collects the result."""
    if machine not in _RESOLVING:
        folder = tmp_path or Path(tempfile.mkdtemp(prefix=f"kiosk-resolve-{machine}-"))
        if tmp_path is None:
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        pool = ThreadPoolExecutor(1, thread_name_prefix=f"resolve-{machine}")
        _RESOLVING[machine] = pool.submit(_run_pip, machine, folder)
        pool.shutdown(wait=False)
    return _RESOLVING[machine]


def _run_pip(machine: str, tmp_path: Path) -> tuple[dict, str]:
    report_path = tmp_path / f"report-{machine}.json"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--report",
        str(report_path),
        "--target",
        str(tmp_path / "target"),
        "--index-url",
        INDEX,
        *platform_args(machine),
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--only-binary=:all:",
        "--timeout",
        "30",
        "--retries",
        "2",
        *runtime_requirements(),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=pip_environment(), timeout=600, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"pip could not resolve for {machine}:\n{output[-3000:]}"
    return json.loads(report_path.read_text()), output


# x86_64 (set KIOSK_RESOLVE_X86=1 to resolve it too) is the machine the suite itself was just
# installed on; the Pi's aarch64 is the one an installer would otherwise meet first. 16 s each.
MACHINES = ["aarch64"] + (["x86_64"] if os.environ.get("KIOSK_RESOLVE_X86") else [])


@pytest.mark.parametrize("machine", MACHINES)
def test_the_runtime_set_resolves_from_wheels_for_cpython_311_without_backtracking(
    machine, tmp_path, pypi, pip_version
):
    report, output = resolve(machine, tmp_path)
    # A resolver that has to backtrack fetches and rejects whole wheels on this index.
    assert BACKTRACKING not in output, [
        line for line in output.splitlines() if BACKTRACKING in line
    ]

    chosen = {}
    for item in report["install"]:
        name = canonicalize_name(item["metadata"]["name"])
        chosen[name] = (Version(item["metadata"]["version"]), item["download_info"]["url"])

    assert chosen["mediapipe"][0] == Version("0.10.18")
    assert chosen["numpy"][0] < Version("2")
    assert not [name for name in OTHER_CV2 if name in chosen]

    assert all(url.endswith(".whl") for _, url in chosen.values())
    wheels = {
        name: parse_wheel_filename(url.rsplit("/", 1)[-1]) for name, (_, url) in chosen.items()
    }
    for name in ("mediapipe", "numpy", "opencv-contrib-python", "jaxlib"):
        platforms = {tag.platform for tag in wheels[name][3]}
        assert any(p.endswith(f"_{machine}") for p in platforms), (name, platforms)
    interpreters = {tag.interpreter for tag in wheels["mediapipe"][3]}
    assert interpreters == {"cp311"}
    for name in PURE:
        tags = wheels[name][3]
        assert all(tag.platform == "any" and tag.abi == "none" for tag in tags), (name, tags)
