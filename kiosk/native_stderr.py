"""Filter the chatter native libraries (MediaPipe's absl logging, TFLite, libpng) write to fd 2.

They write straight to the file descriptor, from their own threads, at moments Python cannot
predict, so the CLI routes fd 2 through a pipe and drops only lines that match known chatter.
Everything else, Python's own messages included, passes through. KIOSK_DEBUG=1 turns it off.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
import threading

CHATTER = re.compile(
    rb"^(?:[WI]\d{4} [\d:. ]+\s+\d+ \S+:\d+\]"  # absl/glog: W0000 00:00:... file.cc:114]
    rb"|INFO: Created TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog"
    rb"|libpng warning: "
    rb"|\[ ?(?:WARN|ERROR|INFO):\d+@[\d.]+\] global )"  # OpenCV's own log: [ WARN:0@0.240] global
)


def install_native_log_filter() -> None:
    """Route fd 2 through a filter thread for the rest of the process (idempotent)."""
    global _installed
    if _installed or os.environ.get("KIOSK_DEBUG") == "1":
        return
    try:
        sys.stderr.flush()
        real_fd = os.dup(2)
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
    except OSError:
        return
    _installed = True

    def pump() -> None:
        with os.fdopen(read_fd, "rb") as pipe:
            for line in pipe:
                if not CHATTER.match(line):
                    os.write(real_fd, line)

    thread = threading.Thread(target=pump, name="native-stderr-filter", daemon=True)
    thread.start()

    def restore() -> None:
        with contextlib.suppress(ValueError):
            sys.stderr.flush()
        os.dup2(real_fd, 2)  # closes the pipe's last writer, so the pump reaches EOF
        thread.join(timeout=2.0)

    atexit.register(restore)


_installed = False
