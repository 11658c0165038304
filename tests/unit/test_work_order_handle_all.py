"""``handle_all``: several commands as one unit (答复 with the contact it reports)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import ValidationError
from core.work_order import (
    ContactMethod,
    RecordContact,
    Reply,
    WorkOrderStatus,
    handle_all,
)
from core.work_order_events import AppellantContacted, WorkOrderReplied
from tests.unit.work_order_support import T0, UNIT, context, order_in

S = WorkOrderStatus
CONTACT = RecordContact(method=ContactMethod.PHONE, summary="已电话联系诉求人")


def test_reply_with_contact_gives_two_transitions_the_second_seeing_the_first() -> None:
    signed = order_in(S.SIGNED)
    now = T0 + timedelta(hours=3)
    steps = handle_all(signed, [CONTACT, Reply(text="已抢修")], UNIT, now, context())
    assert [s.command for s in steps] == [CONTACT, Reply(text="已抢修")]
    contact, reply = steps
    assert contact.before is signed
    assert reply.before is contact.after
    assert (contact.after.status, reply.after.status) == (S.IN_PROGRESS, S.REPLIED)
    assert (contact.after.version, reply.after.version) == (signed.version + 1, signed.version + 2)
    assert [type(e) for e in contact.events] == [AppellantContacted]
    assert [type(e) for e in reply.events] == [WorkOrderReplied]
    assert all(e.occurred_at == now for s in steps for e in s.events)
    assert reply.after.contacts == contact.after.contacts
    assert reply.after.reply is not None


def test_a_failing_second_command_returns_nothing() -> None:
    signed = order_in(S.SIGNED)
    with pytest.raises(ValidationError) as info:
        handle_all(signed, [CONTACT, Reply(text="   ")], UNIT, T0, context())
    assert info.value.code == "work_order.field_required"
    assert signed.status is S.SIGNED
    assert signed.contacts == ()


def test_no_command_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        handle_all(order_in(S.SIGNED), [], UNIT, T0, context())
