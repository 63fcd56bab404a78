"""Every topic of the system, in one list. Each domain module declares its own topics."""

from __future__ import annotations

from reloop_contracts import catalog, crm, inventory, orders, privacy, repair, sales, store, trade_in
from reloop_contracts.registry import Registry, TopicSpec

ALL_TOPICS: tuple[TopicSpec, ...] = (
    catalog.PRODUCTS,
    catalog.SKUS,
    sales.TRANSACTIONS,
    inventory.UNITS,
    inventory.ACCESSORIES,
    inventory.AVAILABILITY,
    inventory.RESERVATION_REQUESTS,
    inventory.RESERVATIONS,
    inventory.SALE_ALLOCATIONS,
    orders.ORDERS,
    *store.TOPICS,
    *crm.TOPICS,
    *privacy.TOPICS,
    *trade_in.TOPICS,
    *repair.TOPICS,
)

REGISTRY: Registry = Registry.of(ALL_TOPICS)
"""Every topic with its key and the events it carries: built here, from the one list, so the
registry's type knows nothing of the topics it holds."""
