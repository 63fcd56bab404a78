"""The catalog's SKUs and prices (`catalog.skus.v1`), for the buy-back grid to follow: contract
event -> command -> handler, nothing else.

Trade-in's one consumer group reads this topic beside its others: `handlers` are merged into the
per-event subscription of `consumers.py`, and each joins the consuming transaction, so the
processed-event record and the projection's change commit together. `subscription` is the same
handlers on their own, for a test (or a service) with no other subscription.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, Event, catalog
from reloop_shared.consumer.subscription import EventHandler, Subscription
from trade_in.adapters import catalog_translators as translators
from trade_in.service_layer import catalog_projection as projection
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

CONSUMER = "trade-in"
TOPICS = (catalog.SKUS,)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def handlers(uow: Callable[[Tx], TradeInUnitOfWork]) -> dict[type[Event], EventHandler[Tx]]:
    """One handler per SKU event; `uow` gives a unit of work joining the consuming transaction."""

    async def on_listed(event: catalog.SkuListed, _: EnvelopeHeader, tx: Tx) -> None:
        await projection.when_sku_listed_map_it_to_the_grid(translators.listing(event), uow(tx))

    async def on_priced(event: catalog.SkuPriced, _: EnvelopeHeader, tx: Tx) -> None:
        await projection.when_sku_priced_follow_its_resale_price(translators.resale_price(event), uow(tx))

    async def on_discontinued(event: catalog.SkuDiscontinued, _: EnvelopeHeader, tx: Tx) -> None:
        await projection.when_sku_discontinued_stop_following_it(translators.discontinued(event), uow(tx))

    return {catalog.SkuListed: on_listed, catalog.SkuPriced: on_priced, catalog.SkuDiscontinued: on_discontinued}


def subscription(
    uow: Callable[[Tx], TradeInUnitOfWork], *, consumer: str = CONSUMER, max_attempts: int = 3
) -> Subscription[Tx]:
    return Subscription[Tx].per_event(consumer, TOPICS, handlers(uow), max_attempts=max_attempts)
