"""Who sees the appellant's identity, and how masked (domain.md §8, GB/T 33358).

* Hotline staff (agent, dispatcher, supervisor, admin) see it in full; each such read is audited.
* Unit users and trainers see it masked (``138****5678``, ``张**``) unless entitled.
* A confidential order (the caller asked) hides identity from units entirely, entitled or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.work_order_model import Appellant
from core.work_order_rules import Actor, Role

FULL_VIEW_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


class Identity(StrEnum):
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"


@dataclass(frozen=True, slots=True)
class Viewer:
    actor: Actor
    sees_personal_data: bool = False


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; short numbers keep only their last 2 digits."""
    digits = phone.strip()
    if not digits:
        return ""
    if len(digits) >= 8:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; the length of the name is not revealed."""
    name = name.strip()
    return f"{name[0]}**" if name else ""


def identity_for(viewer: Viewer, appellant: Appellant) -> Identity:
    role = viewer.actor.role
    if role in FULL_VIEW_ROLES:
        return Identity.FULL
    if role is Role.UNIT_USER and appellant.confidential:
        return Identity.HIDDEN
    return Identity.FULL if viewer.sees_personal_data else Identity.MASKED


def present(appellant: Appellant, identity: Identity) -> Appellant:
    if identity is Identity.FULL:
        return appellant
    if identity is Identity.HIDDEN:
        return Appellant(name="", phone="", confidential=True)
    return Appellant(
        name=mask_name(appellant.name),
        phone=mask_phone(appellant.phone),
        confidential=appellant.confidential,
    )


def personal_fields(appellant: Appellant) -> list[str]:
    """Fields that carry personal data (empty ones are not personal data)."""
    return [name for name, value in (("name", appellant.name), ("phone", appellant.phone)) if value]
