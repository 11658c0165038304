"""QueueLogTail: only file I/O leaves the event loop; the state the bridge reads is loop-owned."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from telephony.queue_log_tail import QueueLogTail


class _ThreadRecordingDeque(deque[str]):
    """A deque that notes which thread extended it."""

    def __init__(self) -> None:
        super().__init__()
        self.extended_in: set[int] = set()

    def extend(self, items: Iterable[str]) -> None:
        self.extended_in.add(threading.get_ident())
        super().extend(items)


async def test_lines_are_indexed_on_the_event_loop_thread(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(
        "1700000000|1700000000.1|hotline|NONE|ENTERQUEUE||13800000000|1\n"
        "1700000009|1700000000.1|hotline|NONE|ABANDON|1|1|9\n"
        "1700000010|1700000000.2|hotline|NONE|ENTERQU"  # no newline yet
    )
    tail = QueueLogTail(path)
    lines = _ThreadRecordingDeque()
    tail.lines = lines

    new = await tail.read_new()

    assert lines.extended_in == {threading.get_ident()}
    assert [line.split("|")[4] for line in new] == ["ENTERQUEUE", "ABANDON"]
    assert tail.entered == {"1700000000.1": new[0]}
    assert tail.closed == {"1700000000.1": new[1]}
    with path.open("a") as fh:
        fh.write("EUE||13800000001|1\n")
    assert [line.split("|")[1] for line in await tail.read_new()] == ["1700000000.2"]
    assert list(tail.lines) == [*new, tail.entered["1700000000.2"]]
