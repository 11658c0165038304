"""The callback worklist's dialer: Originate through this process's AMI link (demo,
ami-bridge role). Without one, a clear error — never a silent no-op."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from core.errors import ExternalServiceError
from telephony.commands import AgentCommands


class AmiCallbackDialer:
    """:class:`core.use_cases.work_callbacks.CallbackDialer`. ``components`` is the
    container's ``extras``: the AMI link appears there when the bridge starts."""

    def __init__(self, components: Mapping[str, Any], context: str) -> None:
        self._components = components
        self._context = context

    async def dial(self, agent_endpoint: str, number: str, task_id: str) -> str:
        commands = getattr(self._components.get("telephony"), "commands", None)
        if not isinstance(commands, AgentCommands):
            raise ExternalServiceError(
                "no AMI link in this process: callbacks are dialled by the demo or the "
                "ami-bridge role",
                code="callback.no_pbx",
            )
        result = await commands.originate_callback(
            agent_endpoint,
            context=self._context,
            exten=number,
            ticket=f"cb-{uuid.uuid4().hex[:16]}",
            variables={"CALLBACK_TICKET": task_id},
        )
        return result.uniqueid
