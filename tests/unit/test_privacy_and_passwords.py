"""Masking rules, identity visibility per role, scrypt hashes, and the error → status table."""

from __future__ import annotations

import pytest

from agent_api.errors import status_for
from core.errors import (
    AuthenticationError,
    CalendarError,
    ConflictError,
    DomainError,
    ExternalServiceError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from core.passwords import hash_password_blocking, verify_password_blocking
from core.privacy import Identity, Viewer, identity_for, mask_name, mask_phone, present
from core.work_order_model import Appellant
from core.work_order_rules import Actor, Role


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("02988886666", "029****6666"),
        ("12345", "***45"),
        ("110", "*10"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("张三", "张**"), ("欧阳娜娜", "欧**"), ("", "")]
)
def test_mask_name_hides_length(name: str, masked: str) -> None:
    assert mask_name(name) == masked


UNIT = "util.water"


@pytest.mark.parametrize(
    ("role", "entitled", "confidential", "identity"),
    [
        (Role.AGENT, False, False, Identity.FULL),
        (Role.DISPATCHER, False, True, Identity.FULL),
        (Role.SUPERVISOR, False, True, Identity.FULL),
        (Role.ADMIN, False, False, Identity.FULL),
        (Role.TRAINER, False, False, Identity.MASKED),
        (Role.TRAINER, True, False, Identity.FULL),
        (Role.UNIT_USER, False, False, Identity.MASKED),
        (Role.UNIT_USER, True, False, Identity.FULL),
        (Role.UNIT_USER, False, True, Identity.HIDDEN),
        (Role.UNIT_USER, True, True, Identity.HIDDEN),
    ],
)
def test_identity_by_role(
    role: Role, entitled: bool, confidential: bool, identity: Identity
) -> None:
    actor = Actor("u", role, UNIT if role is Role.UNIT_USER else None)
    appellant = Appellant(name="张三丰", phone="13812345678", confidential=confidential)
    assert identity_for(Viewer(actor, entitled), appellant) is identity


def test_present_hidden_keeps_nothing() -> None:
    shown = present(
        Appellant(name="张三丰", phone="13812345678", confidential=True), Identity.HIDDEN
    )
    assert (shown.name, shown.phone, shown.confidential) == ("", "", True)


def test_scrypt_hash_roundtrip() -> None:
    stored = hash_password_blocking("s3cret", n=2**10)
    assert stored.startswith("scrypt$1024$8$1$")
    assert verify_password_blocking("s3cret", stored)
    assert not verify_password_blocking("s3cret!", stored)
    assert hash_password_blocking("s3cret", n=2**10) != stored  # salted
    for broken in ("", "plain", "md5$x$y$z$00$00", "scrypt$x$8$1$00$00"):
        assert not verify_password_blocking("s3cret", broken)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (AuthenticationError("x"), 401),
        (PermissionDeniedError("x", code="work_order.not_lead_unit"), 403),
        (NotFoundError("x", code="unit.not_found"), 404),
        (InvalidTransitionError("x"), 409),
        (ConflictError("x", code="idempotency.key_reused"), 409),
        (ConflictError("x", code="work_order.stale"), 409),
        (ValidationError("x", code="work_order.extension_limit"), 422),
        (CalendarError("x"), 422),
        (ExternalServiceError("x", code="external.redis_unavailable"), 503),
        (DomainError("x"), 400),
    ],
)
def test_one_error_table(error: DomainError, status: int) -> None:
    assert status_for(error) == status
