"""Which roles may read which views (one table, checked by the routes)."""

from __future__ import annotations

from core.errors import PermissionDeniedError
from core.privacy import Viewer
from core.work_order_rules import Role

STAFF = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
LIVE_READERS = STAFF
CALL_KPI_READERS = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


def require_role(viewer: Viewer, roles: frozenset[Role]) -> None:
    if viewer.actor.role not in roles:
        raise PermissionDeniedError(
            f"role {viewer.actor.role.value} may not read this",
            code="auth.forbidden",
            details={"role": viewer.actor.role.value},
        )
