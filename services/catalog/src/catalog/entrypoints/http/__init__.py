"""The catalog's HTTP edge: admin writes and public reads. A route parses the request, calls one
handler or query and answers; refusals go through the shared edge's error mapping."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from catalog.entrypoints.http.admin_products import admin_products
from catalog.entrypoints.http.admin_skus import admin_skus
from catalog.entrypoints.http.public_catalog import public_catalog
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.service_layer.views import CatalogViews
from reloop_shared.clock import Clock


def routers(unit_of_work: Callable[[], CatalogUnitOfWork], views: CatalogViews, clock: Clock) -> list[APIRouter]:
    return [admin_products(unit_of_work, clock), admin_skus(unit_of_work, views, clock), public_catalog(views)]
