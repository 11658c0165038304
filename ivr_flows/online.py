"""Online-channel diversion (SMS link) and IVR-requested callbacks.

The SMS text comes from the flow's ``sms`` section: ``template`` with ``{link}``, ``{caller}``
and ``{call_id}`` placeholders. Sending goes through :class:`core.ports.SmsGateway` (default
adapter: outbox table + log, written by the storage area).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import ValidationError
from core.intake_ports import CallbackRequest, CallbackTasks
from core.ports import OutgoingSms, SmsGateway
from ivr_flows.flow import Sms
from ivr_flows.voicemail import callable_number


def online_sms(config: Sms, caller: str, call_id: str) -> OutgoingSms:
    if not callable_number(caller):
        raise ValidationError(f"cannot send an SMS to {caller!r}", code="ivr.sms_number")
    body = config.template.format(link=config.link, caller=caller, call_id=call_id)
    return OutgoingSms(to=caller, body=body, call_id=call_id)


async def send_online_link(gateway: SmsGateway, config: Sms, caller: str, call_id: str) -> str:
    """Send the online-channel link; return the gateway's message id."""
    return await gateway.send(online_sms(config, caller, call_id))


async def request_callback(
    tasks: CallbackTasks,
    caller: str,
    call_id: str,
    at: datetime,
    *,
    within: timedelta = timedelta(hours=2),
) -> str:
    if not callable_number(caller):
        raise ValidationError(f"cannot call back {caller!r}", code="ivr.callback_number")
    return await tasks.add(
        CallbackRequest(call_id, caller, at, reason="callback", due_at=at + within)
    )
