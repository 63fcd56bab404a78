"""What the catalog's HTTP API accepts and answers: strict bodies, and views in their wire shape."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field

from catalog.service_layer.views import ProductView, SkuQuery, SkuView
from reloop_shared.http.errors import ApiError
from reloop_shared.http.requests import RequestBody

CategoryName = Literal["smartphone", "tablet", "console", "camera", "laptop", "other"]
GradeName = Literal["premium", "excellent", "very_good", "good", "fair"]
KindName = Literal["refurbished_device", "accessory", "service"]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]
MarketCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
_BIGINT_MAX = 2**63 - 1
"""What a BIGINT column (prices in minor units) holds."""


class ProductIn(RequestBody):
    product_id: str = Field(min_length=1, max_length=64)
    brand: str = Field(min_length=1, max_length=80)
    model: str = Field(min_length=1, max_length=120)
    category: CategoryName
    attributes: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=50, description="At most 50: what a product sheet shows."
    )


class SkuIn(RequestBody):
    sku: SkuCode
    product_id: str = Field(min_length=1, max_length=64)
    kind: KindName
    title: str = Field(min_length=1, max_length=200)
    grade: GradeName | None = None
    storage_gb: int | None = Field(default=None, gt=0, le=2**31 - 1, description="Gigabytes; what the column holds.")
    colour: str | None = Field(default=None, max_length=40)


class PriceIn(RequestBody):
    amount_minor: int = Field(ge=0, le=_BIGINT_MAX, description="Price in minor units (cents); never negative.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    effective_at: AwareDatetime | None = None


class DiscontinueIn(RequestBody):
    reason: str = Field(min_length=1, max_length=2000)


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

    @classmethod
    def of(cls, view: SkuView) -> SkuOut:
        return cls(
            **{name: value for name, value in view.__dict__.items() if name != "prices"},
            prices={m: PriceOut(amount_minor=p.amount_minor, currency=p.currency) for m, p in view.prices.items()},
        )


class ProductOut(BaseModel):
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str]
    skus: list[str]

    @classmethod
    def of(cls, view: ProductView) -> ProductOut:
        return cls(**view.__dict__)


def sku_search(
    market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    category: CategoryName | None = None,
    brand: Annotated[str | None, Query(max_length=80)] = None,
    model: Annotated[str | None, Query(max_length=120)] = None,
    grade: GradeName | None = None,
    kind: KindName | None = None,
    min_price: Annotated[int | None, Query(ge=0, le=_BIGINT_MAX, description="minor units, needs market")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=_BIGINT_MAX, description="minor units, needs market")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    include_discontinued: bool = False,
) -> SkuQuery:
    """The search's query parameters (a FastAPI dependency)."""
    if (min_price is not None or max_price is not None) and market is None:
        raise ApiError(422, "invalid_request", "a price filter needs a market", field="market")
    return SkuQuery(market, category, brand, model, grade, kind, min_price, max_price, q, include_discontinued)
