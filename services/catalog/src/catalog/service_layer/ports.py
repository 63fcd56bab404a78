"""What the service layer needs of storage, as protocols: PostgreSQL (adapters) and the in-memory
twin (tests/fakes.py) both provide them, with the same answers and the same refusals.

An aggregate a repository returns is the caller's own copy, tracked on the unit of work, so what
it records is published on commit; a change not saved is not kept.
"""

from __future__ import annotations

from typing import Protocol

from catalog.domain.model import Price, Product, Sku


class Products(Protocol):
    async def get(self, product_id: str) -> Product | None: ...

    async def save(self, product: Product) -> None:
        """Store the product: a new one, or a new description of a known one."""
        ...


class Skus(Protocol):
    async def get(self, sku: str, *, for_update: bool = False) -> Sku | None:
        """The SKU with its latest price per market; `for_update` holds it until the commit, so two
        repricings of one SKU are applied, and published, one after the other."""
        ...

    async def add(self, sku: Sku) -> None:
        """Store a new SKU; one that exists already is refused with `AlreadyExists`."""
        ...

    async def add_price(self, sku: str, price: Price) -> None:
        """Append a price to the SKU's history (the history is never rewritten)."""
        ...

    async def mark_discontinued(self, sku: Sku) -> None: ...
