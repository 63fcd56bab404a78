"""The catalog's unit of work: its repositories on one transaction, events through the outbox.

Handlers are typed against this class; `adapters.postgres_unit_of_work` binds it to PostgreSQL and
the tests' twin (`tests/fakes.py`) to memory.
"""

from __future__ import annotations

from catalog.domain.events import DomainEvent
from catalog.service_layer.ports import Products, Skus
from reloop_shared.unit_of_work import UnitOfWork


class CatalogUnitOfWork(UnitOfWork[DomainEvent]):
    products: Products
    skus: Skus
