"""Inventory's HTTP API (warehouse and shop back-office), one router per resource. A route parses
the request, calls one handler and answers; refusals are answered by the shared edge."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from inventory.entrypoints.http import accessories, availability, counts, locations, reservations, transfers, units
from inventory.service_layer.unit_of_work import InventoryUnitOfWork

UnitOfWorkFactory = Callable[[], InventoryUnitOfWork]


def routers(uow: UnitOfWorkFactory) -> list[APIRouter]:
    return [
        module.router(uow) for module in (locations, units, accessories, transfers, counts, availability, reservations)
    ]
