"""Tiny AMI-speaking TCP servers for fault and replay tests (they implement no logic of ours)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


async def eventually(predicate: Callable[[], bool], within_s: float = 60.0) -> None:
    """Poll a condition on the client's counters (they have no events to wait on); the
    limit is a hang guard for a loaded CI machine, not a timing assertion."""
    async with asyncio.timeout(within_s):
        while not predicate():  # noqa: ASYNC110 - polling counters, not a missing Event
            await asyncio.sleep(0.02)


async def read_action(reader: asyncio.StreamReader) -> dict[str, str]:
    block = await reader.readuntil(b"\r\n\r\n")
    fields: dict[str, str] = {}
    for line in block.decode().split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            fields[key.lower()] = value
    return fields


async def accept_login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(BANNER)
    login = await read_action(reader)
    aid = login.get("actionid", "")
    writer.write(
        f"Response: Success\r\nActionID: {aid}\r\nMessage: Authentication accepted\r\n\r\n".encode()
    )
    await writer.drain()


async def ignore_actions(reader: asyncio.StreamReader) -> None:
    """Read and drop whatever the client sends (QueueStatus, Ping …) until it goes away."""
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass


class FakeAmi:
    """Runs ``script`` for each connection; counts connections."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> FakeAmi:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.append(writer)
        try:
            await self.script(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self._writers:  # scripts end when their connection closes
            writer.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        await self.server.wait_closed()
