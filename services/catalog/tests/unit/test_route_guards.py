"""Who may call each of the catalog's routes, as the service is built: a new route fails here until
someone decides who may call it."""

from __future__ import annotations

from catalog.bootstrap import build
from catalog.config import CatalogSettings
from reloop_shared.http.authentication import guards

WRITE = "scopes:catalog:write"


def test_the_admin_routes_need_catalog_write_and_the_storefront_reads_are_public() -> None:
    _, app = build(CatalogSettings())
    assert guards(app) == {
        "POST /admin/products": WRITE,
        "POST /admin/skus": WRITE,
        "PUT /admin/skus/{sku}/prices/{market}": WRITE,
        "POST /admin/skus/{sku}/discontinue": WRITE,
        "GET /skus": "public",
        "GET /skus/{sku}": "public",
        "GET /products/{product_id}": "public",
        "GET /grades": "public",
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
    }
