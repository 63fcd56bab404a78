"""Catalog HTTP API: admin writes and public reads. Routes map requests to commands, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from catalog.adapters.repository import CatalogReadModel, SkuQuery, SkuView
from catalog.domain import commands
from catalog.domain.errors import AlreadyExists, CatalogError, NotFound
from catalog.domain.grades import GRADE_DEFINITIONS
from catalog.service_layer import handlers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError

CategoryName = Literal["smartphone", "tablet", "console", "camera", "laptop", "other"]
GradeName = Literal["premium", "excellent", "very_good", "good", "fair"]
KindName = Literal["refurbished_device", "accessory", "service"]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductIn(Strict):
    product_id: str = Field(min_length=1, max_length=64)
    brand: str = Field(min_length=1, max_length=80)
    model: str = Field(min_length=1, max_length=120)
    category: CategoryName
    attributes: dict[str, str] = Field(default_factory=dict)


class SkuIn(Strict):
    sku: SkuCode
    product_id: str
    kind: KindName
    title: str = Field(min_length=1, max_length=200)
    grade: GradeName | None = None
    storage_gb: int | None = Field(default=None, gt=0)
    colour: str | None = None


class PriceIn(Strict):
    amount_minor: int = Field(ge=0, description="Price in minor units (cents); never negative.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    effective_at: AwareDatetime | None = None


class DiscontinueIn(Strict):
    reason: str = Field(min_length=1)


class PriceOut(BaseModel):
    amount_minor: int
    currency: str


class SkuOut(BaseModel):
    sku: str
    product_id: str
    brand: str
    model: str
    category: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    discontinued: bool
    prices: dict[str, PriceOut]


class SkuPage(BaseModel):
    items: list[SkuOut]
    total: int
    page: int
    page_size: int


def _out(view: SkuView) -> SkuOut:
    return SkuOut(
        **{k: v for k, v in view.__dict__.items() if k != "prices"},
        prices={m: PriceOut(amount_minor=a, currency=c) for m, (a, c) in view.prices.items()},
    )


def _api_error(error: CatalogError) -> ApiError:
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, AlreadyExists) else 422
    return ApiError(status, type(error).__name__, str(error), field=error.field)


def routes(pool: Callable[[], Pool], uow: Callable[[], CatalogUnitOfWork]) -> APIRouter:
    router = APIRouter()

    @router.post("/admin/products", status_code=201, tags=["admin"])
    async def publish_product(body: ProductIn) -> dict[str, str]:
        await handlers.publish_product(commands.PublishProduct(**body.model_dump()), uow())
        return {"product_id": body.product_id}

    @router.post("/admin/skus", status_code=201, tags=["admin"])
    async def list_sku(body: SkuIn) -> dict[str, str]:
        try:
            await handlers.list_sku(commands.ListSku(**body.model_dump()), uow())
        except CatalogError as error:
            raise _api_error(error) from error
        return {"sku": body.sku}

    @router.put("/admin/skus/{sku}/prices/{market}", tags=["admin"])
    async def price_sku(sku: str, market: Annotated[str, Field(pattern=r"^[A-Z]{2}$")], body: PriceIn) -> SkuOut:
        command = commands.PriceSku(sku, market, body.amount_minor, body.currency, body.effective_at)
        try:
            await handlers.price_sku(command, uow())
        except CatalogError as error:
            raise _api_error(error) from error
        return await _read_sku(sku)

    @router.post("/admin/skus/{sku}/discontinue", tags=["admin"])
    async def discontinue(sku: str, body: DiscontinueIn) -> SkuOut:
        try:
            await handlers.discontinue_sku(commands.DiscontinueSku(sku, body.reason), uow())
        except CatalogError as error:
            raise _api_error(error) from error
        return await _read_sku(sku)

    async def _read_sku(sku: str) -> SkuOut:
        async with pool().acquire() as conn:
            view = await CatalogReadModel(conn).sku(sku)
        if view is None:
            raise ApiError(404, "NotFound", f"no SKU {sku}", field="sku")
        return _out(view)

    @router.get("/skus/{sku}", tags=["public"])
    async def get_sku(sku: str) -> SkuOut:
        return await _read_sku(sku)

    @router.get("/skus", tags=["public"], summary="Search SKUs by model, category, grade and price")
    async def search(
        market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
        category: CategoryName | None = None,
        brand: str | None = None,
        model: str | None = None,
        grade: GradeName | None = None,
        kind: KindName | None = None,
        min_price: Annotated[int | None, Query(ge=0, description="minor units, needs market")] = None,
        max_price: Annotated[int | None, Query(ge=0, description="minor units, needs market")] = None,
        q: str | None = None,
        include_discontinued: bool = False,
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> SkuPage:
        if (min_price is not None or max_price is not None) and market is None:
            raise ApiError(422, "invalid_request", "a price filter needs a market", field="market")
        query = SkuQuery(
            market,
            category,
            brand,
            model,
            grade,
            kind,
            min_price,
            max_price,
            q,
            include_discontinued,
            page_size,
            (page - 1) * page_size,
        )
        async with pool().acquire() as conn:
            views, total = await CatalogReadModel(conn).search(query)
        return SkuPage(items=[_out(v) for v in views], total=total, page=page, page_size=page_size)

    @router.get("/products/{product_id}", tags=["public"])
    async def get_product(product_id: str) -> dict[str, object]:
        async with pool().acquire() as conn:
            product = await CatalogReadModel(conn).product(product_id)
        if product is None:
            raise ApiError(404, "NotFound", f"no product {product_id}", field="product_id")
        return product

    @router.get("/grades", tags=["public"], summary="What each cosmetic grade means")
    async def grades() -> dict[str, str]:
        return GRADE_DEFINITIONS

    return router
