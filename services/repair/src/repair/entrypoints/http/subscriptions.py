"""Subscriptions over HTTP: a customer subscribes, reads, cancels and pays with their own token
(another's subscription answers 404); staff subscribe a customer in a shop and act on any
subscription behind `repair:subscriptions`, read behind `repair:read`, and script the local
billing ledger's declines to rehearse dunning, and run renewals on demand (`POST /renewal-runs`, as of
now or a later moment: a dunning cycle played out on a clock moved ahead)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import AwareDatetime, BaseModel, Field

from reloop_contracts.money import Money as WireMoney
from reloop_shared.auth.principal import STOREFRONT, Principal
from reloop_shared.clock import Clock
from reloop_shared.http.authentication import customer, customer_or_staff, requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from reloop_shared.http.requests import RequestBody
from repair.domain.plans import Plans
from repair.domain.subscription_commands import CancelSubscription, PayOverdue, Subscribe
from repair.domain.subscriptions import Subscription
from repair.entrypoints.http.edge import Edge, newest_after
from repair.entrypoints.http.schemas import DeviceIn, MoneyIn
from repair.entrypoints.http.scopes import READ, SUBSCRIPTIONS
from repair.service_layer import billing, renewals, subscriptions
from repair.service_layer.renewals import OnDemand, RenewalRun
from repair.service_layer.subscription_ports import LedgerEntry, SubscriptionUnitOfWork

SubscriptionId = Annotated[str, Path(min_length=1, max_length=64)]
ChargeId = Annotated[str, Path(min_length=1, max_length=128)]


class SubscriptionIn(RequestBody):
    market: str = Field(pattern=r"^[A-Z]{2}$")
    devices: list[DeviceIn] = Field(min_length=1, max_length=20)


class ShopSubscriptionIn(SubscriptionIn):
    customer_id: str = Field(min_length=1, max_length=128, description="The customer's online account id.")
    shop_id: str = Field(min_length=1, max_length=64)
    channel: Literal["own_shop", "partner_shop"] = "own_shop"


class CancelIn(RequestBody):
    reason: str = Field(default="", max_length=200)


class ScriptedDeclinesIn(RequestBody):
    count: int = Field(ge=0, le=100, description="How many of the next charges are declined (0 clears it).")
    reason: str = Field(default="declined", min_length=1, max_length=200)


class RefundIn(RequestBody):
    amount: MoneyIn
    reason: str = Field(min_length=1, max_length=200)


class RenewalRunIn(RequestBody):
    as_of: AwareDatetime | None = Field(
        default=None, description="Run as of this moment (now or later, never earlier); now when left out."
    )


class RenewalRunOut(BaseModel):
    as_of: datetime
    renewed: int
    reactivated: int
    failed: int = Field(description="Charges declined, each retry counted.")
    past_due: int
    suspended: int
    cancelled: int
    expired: int
    looked_at: int = Field(description="Subscriptions the run had something due for.")

    @classmethod
    def of(cls, at: datetime, run: RenewalRun) -> RenewalRunOut:
        return cls(as_of=at, **asdict(run))


class DeviceOut(BaseModel):
    identifier_kind: str
    identifier: str
    category: str
    model: str


class SubscriptionOut(BaseModel):
    subscription_id: str
    customer_id: str
    market: str
    price: WireMoney
    devices: list[DeviceOut]
    channel: str
    shop_id: str | None
    status: Literal["active", "past_due", "suspended", "cancelled", "expired"]
    started_at: datetime
    period_start: datetime
    paid_through: datetime = Field(description="Covered until then, paid, whatever happens next.")
    overdue_since: datetime | None
    failed_attempts: int
    next_attempt_at: datetime | None
    cancelled_at: datetime | None

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(
            subscription_id=s.subscription_id,
            customer_id=s.customer_id,
            market=s.market,
            price=WireMoney.of(s.price),
            devices=[
                DeviceOut(
                    identifier_kind=d.identifier.kind, identifier=d.identifier.value, category=d.category, model=d.model
                )
                for d in s.devices
            ],
            channel=s.channel,
            shop_id=s.shop_id,
            status=s.status,
            started_at=s.started_at,
            period_start=s.period_start,
            paid_through=s.paid_through,
            overdue_since=s.overdue_since,
            failed_attempts=s.failed_attempts,
            next_attempt_at=s.next_attempt_at,
            cancelled_at=s.cancelled_at,
        )


class LedgerEntryOut(BaseModel):
    kind: Literal["paid", "declined", "refund"]
    charge_id: str
    period_start: datetime
    attempt: int
    amount: WireMoney
    at: datetime
    reason: str

    @classmethod
    def of(cls, e: LedgerEntry) -> LedgerEntryOut:
        return cls(
            kind=e.kind,
            charge_id=e.charge_id,
            period_start=e.period_start,
            attempt=e.attempt,
            amount=WireMoney.of(e.amount),
            at=e.at,
            reason=e.reason,
        )


def _own(who: Principal) -> str | None:
    """The customer a caller may act for: a customer only for themselves, staff for anyone."""
    return who.subject if who.audience == STOREFRONT else None


def subscription_routes(
    unit_of_work: Callable[[], SubscriptionUnitOfWork], clock: Clock, plans: Plans, on_demand: OnDemand = OnDemand()
) -> APIRouter:
    routes = APIRouter(tags=["subscriptions"])
    owner_or_reader: Any = customer_or_staff(READ)
    owner_or_staff: Any = customer_or_staff(SUBSCRIPTIONS)

    @routes.post(
        "/subscriptions", status_code=201, summary="Subscribe (the customer signed in); the first month is charged"
    )
    async def subscribe(body: SubscriptionIn, who: Principal = customer()) -> SubscriptionOut:
        command = Subscribe(who.subject, body.market, tuple(d.device() for d in body.devices))
        return SubscriptionOut.of(await subscriptions.subscribe(command, unit_of_work(), clock, plans))

    @routes.post("/shop-subscriptions", status_code=201, summary="Subscribe a customer at a shop's counter")
    async def subscribe_in_shop(body: ShopSubscriptionIn, _: Principal = requires(SUBSCRIPTIONS)) -> SubscriptionOut:
        command = Subscribe(
            body.customer_id, body.market, tuple(d.device() for d in body.devices), body.channel, body.shop_id
        )
        return SubscriptionOut.of(await subscriptions.subscribe(command, unit_of_work(), clock, plans))

    @routes.get("/me/subscriptions", summary="The signed-in customer's subscriptions, newest first")
    async def my_subscriptions(
        # The guard first: a stranger learns nothing, not even that a cursor is malformed.
        who: Annotated[Principal, customer()],
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
    ) -> Page[SubscriptionOut]:
        found = await subscriptions.subscriptions_of(unit_of_work(), who.subject, newest_after(page), page.limit + 1)
        items, cursor = page_of(found, page, lambda s: (s.started_at, s.subscription_id))
        return Page(items=[SubscriptionOut.of(s) for s in items], next_cursor=cursor)

    @routes.get("/subscriptions/{subscription_id}", summary="A subscription: its owner, or staff")
    async def read(subscription_id: SubscriptionId, who: Principal = owner_or_reader) -> SubscriptionOut:
        return SubscriptionOut.of(await subscriptions.subscription(unit_of_work(), subscription_id, _own(who)))

    @routes.post("/subscriptions/{subscription_id}/cancel", summary="Cancel: covered to the end of the paid period")
    async def cancel(
        subscription_id: SubscriptionId, body: CancelIn, who: Principal = owner_or_staff
    ) -> SubscriptionOut:
        command = CancelSubscription(subscription_id, who.subject, body.reason)
        return SubscriptionOut.of(
            await subscriptions.cancel(command, unit_of_work(), clock, plans, customer_id=_own(who))
        )

    @routes.post("/subscriptions/{subscription_id}/payment", summary="Pay what is overdue now: reactivated")
    async def pay(subscription_id: SubscriptionId, who: Principal = owner_or_staff) -> SubscriptionOut:
        command = PayOverdue(subscription_id, who.subject)
        return SubscriptionOut.of(
            await subscriptions.pay_overdue(command, unit_of_work(), clock, plans, customer_id=_own(who))
        )

    @routes.get("/subscriptions/{subscription_id}/charges", summary="The subscription's billing ledger")
    async def charges(subscription_id: SubscriptionId, who: Principal = owner_or_staff) -> list[LedgerEntryOut]:
        entries = await billing.charges(unit_of_work(), subscription_id, _own(who))
        return [LedgerEntryOut.of(e) for e in entries]

    @routes.put(
        "/subscriptions/{subscription_id}/scripted-declines",
        status_code=204,
        summary="Make the local ledger decline the next charges (rehearsing dunning)",
    )
    async def script_declines(
        subscription_id: SubscriptionId, body: ScriptedDeclinesIn, _: Principal = requires(SUBSCRIPTIONS)
    ) -> None:
        await billing.script_declines(unit_of_work(), subscription_id, body.count, body.reason)

    @routes.post(
        "/subscriptions/{subscription_id}/charges/{charge_id}/refund",
        status_code=201,
        summary="Refund (part of) a paid charge; coverage is not touched",
    )
    async def refund(
        subscription_id: SubscriptionId, charge_id: ChargeId, body: RefundIn, _: Principal = requires(SUBSCRIPTIONS)
    ) -> LedgerEntryOut:
        entry = await billing.refund(
            unit_of_work(), subscription_id, charge_id, body.amount.value(), body.reason, clock
        )
        return LedgerEntryOut.of(entry)

    @routes.post(
        "/renewal-runs",
        summary="Run renewals, retries and dunning now or as of a later moment (a demo's clock)",
        description="What the scheduled run does every `REPAIR_RENEWAL_SWEEP_S`, on demand: `as_of` later than "
        "now plays out a dunning cycle ahead of time; earlier than now is refused (422). Refused in production "
        "(403) unless `REPAIR_ALLOW_RUNS_AHEAD=true`.",
    )
    async def run(body: RenewalRunIn, _: Principal = requires(SUBSCRIPTIONS)) -> RenewalRunOut:
        at, done = await renewals.run_on_demand(unit_of_work, clock, plans, on_demand, body.as_of)
        return RenewalRunOut.of(at, done)

    return routes


def router(on: Edge) -> APIRouter:
    return subscription_routes(on.unit_of_work, on.clock, on.plans, on.on_demand)
