"""Precondition checks shared by the create, edit and act use cases, so each error keeps one
code, message and details shape wherever it is raised."""

from __future__ import annotations

from collections.abc import Set

from core.directory import Category
from core.errors import ConflictError, NotFoundError, PermissionDeniedError
from core.use_cases.ports import DirectoryRepository
from core.work_order_model import WorkOrder
from core.work_order_rules import Actor, Role


def require_role(actor: Actor, roles: Set[Role], action: str) -> None:
    """``work_order.forbidden`` unless the actor's role may ``action`` (create/edit) orders."""
    if actor.role not in roles:
        raise PermissionDeniedError(
            f"role {actor.role.value} may not {action} work orders",
            code="work_order.forbidden",
            details={"action": action, "roles": sorted(r.value for r in roles)},
        )


def require_version(order: WorkOrder, expected_version: int | None) -> None:
    """Optimistic concurrency: ``work_order.stale`` when the caller saw another version."""
    if expected_version is not None and expected_version != order.version:
        raise ConflictError(
            f"the order is at version {order.version}, not {expected_version}: reload it",
            code="work_order.stale",
            details={"version": order.version, "expected": expected_version},
        )


async def require_category(
    directory: DirectoryRepository, code: str, *, active_only: bool = True
) -> Category:
    """The category ``code``; ``category.not_found`` if unknown (or, with ``active_only``,
    retired)."""
    category = await directory.get_category(code)
    if category is None or (active_only and not category.active):
        raise NotFoundError(
            f"unknown category {code!r}",
            code="category.not_found",
            details={"category_code": code},
        )
    return category
