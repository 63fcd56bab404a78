"""Plain builders of shops and transactions for the unit tests, and shops registered on the twin
(import what you use)."""

from __future__ import annotations

from datetime import UTC, datetime

from reloop_contracts.amounts import Money
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.policy import CustomerDataPolicy, TillCustomer
from store_sync.domain.shops import Operator, Shop
from store_sync.domain.transactions import Return, ReturnLine, Sale, SaleLine
from store_sync.service_layer import registry

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def paris_shop(policy: CustomerDataPolicy | None = None) -> Shop:
    return Shop.register("PAR-1", "Paris Rivoli", "own_shop", "FR", "Europe/Paris", NOW, policy=policy)


def partner_shop(policy: CustomerDataPolicy | None = None, operator_policy: CustomerDataPolicy | None = None) -> Shop:
    operator = Operator.create("telco", "Telco", "telco_pos", operator_policy, NOW)
    return Shop.register(
        "TELCO-LYON-7", "Telco Lyon", "partner_shop", "FR", "Europe/Paris", NOW, operator=operator, policy=policy
    )


def eur(amount_minor: int) -> Money:
    return Money(amount_minor, "EUR")


def sale(txn_id: str, at: datetime = NOW, customer: TillCustomer | None = None, price: int = 45900) -> Sale:
    line = SaleLine("1", "refurbished_device", "IPH13-128-BLK-EX", eur(price), 1, f"U-{txn_id}")
    return Sale(txn_id, at, (line,), eur(price), customer=customer)


def accessory_sale(txn_id: str, at: datetime = NOW, price: int = 1990, quantity: int = 1) -> Sale:
    line = SaleLine("1", "accessory", "CHG-USB-C-20W", eur(price), quantity)
    return Sale(txn_id, at, (line,), eur(price * quantity))


def device_return(txn_id: str, sale_txn_id: str, at: datetime = NOW, refund: int = 45900) -> Return:
    line = ReturnLine("1", "refurbished_device", "IPH13-128-BLK-EX", eur(refund), 1, f"U-{sale_txn_id}", "scratched")
    return Return(txn_id, at, (line,), sale_txn_id=sale_txn_id)


async def register_paris(twin: Twin, policy: CustomerDataPolicy | None = None) -> str:
    """Register the Paris own shop on the twin; returns its id."""
    command = commands.RegisterShop("PAR-1", "Paris Rivoli", "own_shop", "FR", "Europe/Paris", policy=policy)
    shop, _ = await registry.register_shop(command, twin.uow(), twin.clock)
    return shop.shop_id


async def register_partner(twin: Twin, operator_policy: CustomerDataPolicy | None = None) -> str:
    """Register the telco operator and its Lyon shop on the twin; returns the shop's id."""
    await registry.register_operator(
        commands.RegisterOperator("telco", "Telco", "telco_pos", operator_policy), twin.uow(), twin.clock
    )
    command = commands.RegisterShop(
        "TELCO-LYON-7", "Telco Lyon", "partner_shop", "FR", "Europe/Paris", operator_id="telco"
    )
    shop, _ = await registry.register_shop(command, twin.uow(), twin.clock)
    return shop.shop_id
