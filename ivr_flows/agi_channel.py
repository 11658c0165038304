"""A typed wrapper over one panoramisk FastAGI request (the AGI commands the IVR uses).

AGI answers are lines like ``200 result=0 endpos=8000``, ``200 result=2``, ``200 result=
(timeout)``; a hung-up channel answers ``200 result=-1``, ``511 Command Not Permitted on a
dead channel`` or a bare ``HANGUP`` line, or Asterisk simply closes the socket. All of those
raise :class:`CallerHungUp` here so the flow code has one thing to catch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from ivr_flows.flow import Prompt


class CallerHungUp(Exception):
    """The channel hung up (or the AGI connection dropped) during the IVR."""


class AgiChannel:
    def __init__(self, request: Any, *, command_timeout_s: float = 60.0) -> None:
        self._request = request
        self._timeout = command_timeout_s
        self.env: Mapping[str, str] = dict(request.headers)

    def arg(self, index: int, default: str = "") -> str:
        return self.env.get(f"agi_arg_{index}", default).strip()

    async def command(self, line: str) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout):
                result: dict[str, Any] = await self._request.send_command(line)
        except (ValueError, ConnectionError, asyncio.IncompleteReadError) as exc:
            # panoramisk parses an empty read (closed socket) as int('') → ValueError.
            raise CallerHungUp(str(exc)) from exc
        error = result.get("error")
        if error in ("AGIResultHangup", "AGIAppError") or result.get("status_code") == 511:
            raise CallerHungUp(str(result.get("msg", error)))
        if error is not None:
            raise RuntimeError(f"AGI {line.split()[0]} failed: {result}")
        return result

    @staticmethod
    def _digits(result: Mapping[str, Any]) -> str:
        value = result.get("result", ("", ""))[0]
        return str(value)

    async def play(self, prompt: Prompt) -> None:
        """STREAM FILE without escape digits (greeting, announcements)."""
        await self.command(f'STREAM FILE {prompt.sound} ""')

    async def ask(self, prompt: Prompt, timeout_s: float) -> str | None:
        """GET DATA for one key: the key pressed, or None when the timeout passed."""
        result = await self.command(f"GET DATA {prompt.sound} {int(timeout_s * 1000)} 1")
        digits = self._digits(result)
        return digits[:1] or None

    async def set_var(self, name: str, value: str) -> None:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        await self.command(f'SET VARIABLE {name} "{quoted}"')
