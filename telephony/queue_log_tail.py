"""Tail Asterisk's ``queue_log`` file: return the complete lines appended since the last read.

File reads are blocking, so :meth:`QueueLogTail.read_new` runs them in an executor and splits
and indexes the lines on the event loop. A file that shrank (rotated or truncated) is read again
from the start; a last line without its newline is kept until the newline arrives.
"""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path

from telephony.queue_log import CLOSING_VERBS


class QueueLogTail:
    def __init__(self, path: Path, *, keep_lines: int = 500_000) -> None:
        self.path = path
        self.offset = 0
        self._partial = b""
        # Reconciliation needs a visit's ENTERQUEUE line even when the visit ended much later,
        # so recent lines are kept (bounded) rather than only the newest chunk.
        self.lines: deque[str] = deque(maxlen=keep_lines)
        self.rotations = 0
        # callid → its ENTERQUEUE line / its last closing line (for O(1) outcome checks)
        self.entered: dict[str, str] = {}
        self.closed: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def read_new_blocking(self) -> list[str]:
        return self._take(self._read_appended())

    async def read_new(self) -> list[str]:
        # One read at a time: two executor threads on the same offset would lose lines. Only
        # the file I/O runs in the executor; ``lines``/``entered``/``closed`` are updated here,
        # on the event loop, because the bridge reads them from the loop (a deque extended by
        # a worker thread while the loop iterates it raises "mutated during iteration").
        async with self._lock:
            data = await asyncio.get_running_loop().run_in_executor(None, self._read_appended)
            return self._take(data)

    def _read_appended(self) -> bytes:
        """The bytes appended since the last read (blocking file I/O; touches only the offset)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return b""
        if size < self.offset:
            self.offset, self._partial = 0, b""
            self.rotations += 1
        if size == self.offset:
            return b""
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read(size - self.offset)
        self.offset += len(data)
        return data

    def _take(self, data: bytes) -> list[str]:
        if not data:
            return []
        data = self._partial + data
        *complete, self._partial = data.split(b"\n")
        new = [line.decode("utf-8", "replace").rstrip("\r") for line in complete if line.strip()]
        self.lines.extend(new)
        for line in new:
            parts = line.split("|", 5)
            if len(parts) < 5:
                continue
            if parts[4] == "ENTERQUEUE":
                self.entered[parts[1]] = line
            elif parts[4] in CLOSING_VERBS:
                self.closed[parts[1]] = line
        return new
