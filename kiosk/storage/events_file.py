"""`kiosk run --events OUT.jsonl`: one JSON line per record as it happens, flushed at once,
so a crash or a power cut loses at most the line being written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.errors import OutputError


class EventsFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._stream = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the events file: {exc.strerror}") from None
        self.lines = 0

    def write(self, record: dict[str, Any]) -> None:
        self._stream.write(json.dumps(record, allow_nan=False) + "\n")
        self._stream.flush()
        self.lines += 1

    def close(self) -> None:
        self._stream.close()
