"""CRM's Kafka subscriber: contract event -> observation or command -> handler, nothing else.

One consumer group, `crm`, batched: runs of events that have a mapper (sales, returns, order
steps) are applied together, set-wise; anything else (erasure, CRM's own decisions read back) one
at a time, in order. The live service and `reloop replay crm` use this same subscription.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from crm.adapters.mappers import MAPPERS, observe
from crm.adapters.readers import ORDERS, SALES, SHOP_REGISTRY, ShopRegistered
from crm.adapters.vault import Vault
from crm.domain.commands import RecordRegisteredShop
from crm.domain.observations import Observation
from crm.service_layer import consents, erasure, merging, segments, shops
from crm.service_layer.clock import Clock
from crm.service_layer.projection import apply_observations
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import Event, TopicSpec, crm, privacy
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.types import Connection

CONSUMER = "crm"
TOPICS: tuple[TopicSpec, ...] = (
    SALES,
    ORDERS,
    privacy.ERASURE,
    crm.PROFILES,
    crm.SEGMENTS,
    crm.SHOPS,
    SHOP_REGISTRY,
)

JoinedUnitOfWork = Callable[[Connection], CrmUnitOfWork]
Command = Callable[[Any, CrmUnitOfWork], Awaitable[None]]


def commands(vault: Vault, now: Clock) -> dict[type[Event], Command]:
    return {
        privacy.ErasureRequested: lambda e, u: erasure.when_erasure_requested_forget_the_person(e, u, vault, now()),
        privacy.ErasureCompleted: erasure.when_erasure_completed_record_it,
        crm.ProfilesMerged: lambda e, u: merging.when_profiles_merged_by_an_operator_link_them(e, u, vault),
        crm.ProfilesUnmerged: lambda e, u: merging.when_profiles_unmerged_separate_them(e, u, vault),
        crm.ConsentChanged: lambda e, u: consents.when_consent_changed_record_it(e, u, vault),
        crm.CustomerSegmentEntered: lambda e, u: segments.when_segment_entered_record_it(e, u, vault),
        crm.ShopCatchmentDeclared: shops.when_shop_declared_record_it,
        ShopRegistered: lambda e, u: shops.when_shop_registered_record_it(registered_shop(e), u),
    }


def registered_shop(event: ShopRegistered) -> RecordRegisteredShop:
    return RecordRegisteredShop(
        event.shop_id, event.kind, event.market, event.postal_code, event.opens_on, event.registered_at
    )


def subscription(unit_of_work: JoinedUnitOfWork, vault: Vault, now: Clock, *, max_attempts: int = 3) -> Subscription:
    handlers = commands(vault, now)

    async def apply(deliveries: Sequence[Delivery], conn: Connection) -> None:
        run: list[Observation] = []
        for delivery in deliveries:
            observation = observe(delivery.event, delivery.envelope)
            if observation is not None:
                run.append(observation)
                continue
            await apply_observations(run, unit_of_work(conn), vault)
            run = []
            await handlers[type(delivery.event)](delivery.event, unit_of_work(conn))
        await apply_observations(run, unit_of_work(conn), vault)

    return Subscription.batched(CONSUMER, TOPICS, [*MAPPERS, *handlers], apply, max_attempts=max_attempts)
