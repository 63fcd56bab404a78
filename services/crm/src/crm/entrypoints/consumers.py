"""CRM's Kafka subscriber: contract event -> observation, command or event -> handler, nothing else.

One consumer group, `crm`, batched: runs of events that have a mapper (sales, returns, order
steps, trade-in steps, vouchers, repair subscriptions and tickets) are applied together, set-wise;
anything else (erasure, CRM's own decisions read back) one at a time, in order. The live service
and `reloop replay crm` use this same subscription.

The subscription is generic over the consuming transaction, so the same handlers bind to a
PostgreSQL connection and to the twin's memory transaction. The projection of a run is passed in:
its set-based SQL (`read_model/projection.py`) runs on PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from crm.adapters import translators
from crm.adapters.mappers import MAPPERS, observe
from crm.adapters.postgres_unit_of_work import PostgresCrmUnitOfWork
from crm.adapters.readers import ORDERS, SALES, SHOP_REGISTRY, ShopRegistered
from crm.domain.observations import Observation
from crm.read_model.projection import apply_observations
from crm.service_layer import consents, erasure, merging, segments, shops
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import Event, TopicSpec, crm, privacy
from reloop_contracts import repair as repair_contracts
from reloop_contracts import trade_in as trade_in_contracts
from reloop_shared.clock import Clock
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
    trade_in_contracts.TRADE_INS,
    trade_in_contracts.VOUCHERS,
    repair_contracts.SUBSCRIPTIONS,
    repair_contracts.TICKETS,
)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""

Handler = Callable[[Any, CrmUnitOfWork], Awaitable[None]]
Projection = Callable[[Sequence[Observation], Tx], Awaitable[None]]
"""Applies a run of observations inside the consuming transaction."""


def handlers(vault: KeyVault, clock: Clock) -> dict[type[Event], Handler]:
    """Per contract event: translate it, and call the one handler it is for."""
    t = translators
    return {
        privacy.ErasureRequested: lambda e, u: erasure.when_erasure_requested_forget_the_person(
            t.erasure_requested(e), u, vault, clock
        ),
        privacy.ErasureCompleted: lambda e, u: erasure.when_erasure_completed_record_it(t.erasure_completed(e), u),
        crm.ProfilesMerged: lambda e, u: merging.when_profiles_merged_by_an_operator_link_them(
            t.profiles_merged(e), u, vault
        ),
        crm.ProfilesUnmerged: lambda e, u: merging.when_profiles_unmerged_separate_them(
            t.profiles_unmerged(e), u, vault
        ),
        crm.ConsentChanged: lambda e, u: consents.when_consent_changed_record_it(t.consent_changed(e), u, vault),
        crm.CustomerSegmentEntered: lambda e, u: segments.when_segment_entered_record_it(
            t.segment_entered(e), u, vault
        ),
        crm.ShopCatchmentDeclared: lambda e, u: shops.when_shop_declared_record_it(t.shop_declared(e), u),
        ShopRegistered: lambda e, u: shops.when_shop_registered_record_it(t.shop_registered(e), u),
    }


def projected_on_postgres(
    unit_of_work: Callable[[Connection], PostgresCrmUnitOfWork], vault: KeyVault
) -> Projection[Connection]:
    """The bulk projection, joining the consuming connection."""

    async def project(run: Sequence[Observation], conn: Connection) -> None:
        await apply_observations(run, unit_of_work(conn), vault)

    return project


def subscription(
    unit_of_work: Callable[[Tx], CrmUnitOfWork],
    project: Projection[Tx],
    vault: KeyVault,
    clock: Clock,
    *,
    max_attempts: int = 3,
) -> Subscription[Tx]:
    """CRM's consumer; `unit_of_work` and `project` join the consuming transaction."""
    one_by_one = handlers(vault, clock)

    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        run: list[Observation] = []
        for delivery in deliveries:
            observation = observe(delivery.event, delivery.envelope)
            if observation is not None:
                run.append(observation)
                continue
            if run:
                await project(run, tx)
                run = []
            await one_by_one[type(delivery.event)](delivery.event, unit_of_work(tx))
        if run:
            await project(run, tx)

    return Subscription.batched(CONSUMER, TOPICS, [*MAPPERS, *one_by_one], apply, max_attempts=max_attempts)
