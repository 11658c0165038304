"""What the create and act use cases are built from: the same six ports, wired the same way."""

from __future__ import annotations

from core.ports import Clock, EventBus
from core.use_cases.ports import DirectoryRepository, WorkOrderRepository
from core.use_cases.view_work_orders import ViewWorkOrders
from core.work_order import HandlingContext


class WorkOrderWrite:
    """Base of a use case that runs the state machine on orders and stores the transitions:
    orders and directory to read and check, bus to publish, clock and handling context for
    the state machine, presenter for what the viewer gets back."""

    def __init__(
        self,
        orders: WorkOrderRepository,
        directory: DirectoryRepository,
        bus: EventBus,
        clock: Clock,
        ctx: HandlingContext,
        presenter: ViewWorkOrders,
    ) -> None:
        self._orders = orders
        self._directory = directory
        self._bus = bus
        self._clock = clock
        self._ctx = ctx
        self._presenter = presenter
