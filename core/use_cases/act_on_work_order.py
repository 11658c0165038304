"""Apply one lifecycle command to a work order.

派单, 签收, 退单, 答复, 回访, 办结, 延期, 催办, 并案, 重办, 核减 … all go through here."""

from __future__ import annotations

from core.errors import NotFoundError, ValidationError
from core.privacy import Viewer
from core.use_cases.checks import require_category, require_version
from core.use_cases.order_writes import WorkOrderWrite
from core.use_cases.publishing import publish_all
from core.use_cases.records import command_payload, transition_record
from core.use_cases.view_work_orders import OrderView
from core.use_cases.visibility import require_visible
from core.work_order import Accept, Command, Dispatch, Merge, handle_all
from core.work_order_rules import Actor


class ActOnWorkOrder(WorkOrderWrite):
    async def execute(
        self,
        viewer: Viewer,
        order_id: str,
        *commands: Command,
        expected_version: int | None = None,
    ) -> OrderView:
        """Apply ``commands`` in order as one unit and return the order as ``viewer`` may see
        it. Each command is its own audited transition, but they are stored in one
        transaction: 答复 with its contact leaves both or neither (never a contact without the
        reply that came with it)."""
        actor = viewer.actor
        order = require_visible(await self._orders.get(order_id), order_id, actor)
        require_version(order, expected_version)
        checked = [await self._checked_references(actor, command) for command in commands]
        steps = handle_all(order, checked, actor, self._clock.now(), self._ctx)
        records = [
            transition_record(
                before=step.before,
                after=step.after,
                action=step.command.action.value,
                actor=actor,
                events=step.events,
                command=command_payload(step.command),
            )
            for step in steps
        ]
        updated = steps[-1].after
        await self._orders.update(updated, order.version, *records)
        await publish_all(self._bus, [event for step in steps for event in step.events])
        return await self._presenter.present(viewer, updated, purpose="act")

    async def _checked_references(self, actor: Actor, command: Command) -> Command:
        """Unknown units/categories/orders are 404s with their own codes, before the
        state machine runs."""
        if isinstance(command, Dispatch):
            for unit_id in (command.lead_unit, *command.assisting_units, *command.copy_units):
                unit = await self._directory.get_unit(unit_id)
                if unit is None or not unit.active:
                    raise NotFoundError(
                        f"unknown unit {unit_id!r}",
                        code="unit.not_found",
                        details={"unit_id": unit_id},
                    )
        if isinstance(command, Accept) and command.category_code:
            # Same rule as create/edit: a retired category cannot be chosen at 受理 either.
            await require_category(self._directory, command.category_code)
        if isinstance(command, Merge):
            target = require_visible(
                await self._orders.get(command.into_id), command.into_id, actor
            )
            if target.is_terminal:
                raise ValidationError(
                    f"cannot merge into order {target.number}: it is {target.status.value}",
                    code="work_order.merge_target_closed",
                    details={"into_id": target.id, "status": target.status.value},
                )
            if not command.into_number:
                command = Merge(into_id=command.into_id, into_number=target.number)
        return command
