"""The one place that builds orders' real dependencies.

Tests may swap the clock, the payment provider, the key store (one of their own), or the topic
registry (to run on topics of their own when other services share the broker).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from orders.adapters.local_payments import DeclineRules, LocalLedgerPaymentProvider
from orders.adapters.payment_ledger import PaymentLedger
from orders.adapters.personal_data import ContactSealer
from orders.adapters.postgres_unit_of_work import PaymentProviderFactory, PostgresOrdersUnitOfWork
from orders.adapters.read_model import PostgresOrdersReads
from orders.adapters.translators import to_contract
from orders.config import OrdersSettings
from orders.domain.payments import PaymentProvider
from orders.entrypoints.consumers import carrier, subscription
from orders.entrypoints.http import routes
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.service_layer.voucher_holds import fail_orders_without_voucher_answers
from reloop_contracts import REGISTRY, Registry, inventory, orders, privacy, sales, trade_in
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.personal_data import KeyStore, PersonalDataSealer, ServiceKeyStore
from reloop_shared.runtime import ServiceRuntime

SERVICE = "orders"
PUBLISHES = (
    orders.OrderPlaced,
    sales.SaleRecorded,
    inventory.ReservationRequested,
    trade_in.VoucherHoldRequested,
    privacy.ErasureCompleted,
)
"""One event of each topic written; the registry says which topic carries it."""


def local_ledger(settings: OrdersSettings) -> PaymentProviderFactory:
    rules = DeclineRules(limit_minor=settings.payment_limit_minor)

    def on(conn: Connection) -> PaymentProvider:
        return LocalLedgerPaymentProvider(PaymentLedger(conn), rules)

    return on


def build(
    settings: OrdersSettings | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    payments: PaymentProviderFactory | None = None,
    registry: Registry = REGISTRY,
    key_store: KeyStore | None = None,
) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or OrdersSettings()
    payments = payments or local_ledger(settings)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "orders", "migrations")],
        produces=[carrier(registry, event) for event in PUBLISHES],
        registry=registry,
    )

    vault = ServiceKeyStore(lambda: runtime.keyvault_url, key_store, keks=runtime.key_encryption_keys)
    sealer = ContactSealer(PersonalDataSealer(vault))

    runtime.on_start(vault.open)
    runtime.on_stop(vault.close)

    def unit_of_work() -> PostgresOrdersUnitOfWork:
        return PostgresOrdersUnitOfWork(runtime.outbox, to_contract, payments, pool=runtime.pool)

    def joining(conn: Connection) -> PostgresOrdersUnitOfWork:
        return PostgresOrdersUnitOfWork(runtime.outbox, to_contract, payments, conn=conn)

    runtime.subscribe(
        subscription(joining, sealer, clock, registry=registry, max_attempts=settings.consumer_max_attempts)
    )

    async def voucher_answers_overdue() -> int:
        return await fail_orders_without_voucher_answers(unit_of_work(), clock)

    runtime.every(settings.voucher_sweep_s, voucher_answers_overdue, name="voucher-answers-overdue")
    voucher_timeout = timedelta(seconds=settings.voucher_hold_timeout_s)
    app = create_app(
        runtime,
        title="reloop orders",
        description="The online channel: carts, checkout, payment, fulfilment, delivery and returns.",
        routers=[
            routes(
                HttpDependencies(
                    unit_of_work, PostgresOrdersReads(lambda: runtime.pool), sealer, clock, voucher_timeout
                )
            )
        ],
    )
    return runtime, app
