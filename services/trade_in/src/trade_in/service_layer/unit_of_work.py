"""The trade-in service's unit of work: its repositories and ports on one transaction, events of
trade-ins and vouchers through the outbox.

Handlers are typed against this class; `adapters.postgres_unit_of_work` binds it to PostgreSQL and
the tests' twin (`tests/fakes.py`) to memory.
"""

from __future__ import annotations

from reloop_shared.unit_of_work import UnitOfWork
from trade_in.domain.events import DomainEvent
from trade_in.service_layer.catalog_ports import DerivationRules, ResalePrices
from trade_in.service_layer.ports import DeviceDenyList, Payouts, PriceGrid, TradeIns
from trade_in.service_layer.voucher_ports import VoucherRepository


class TradeInUnitOfWork(UnitOfWork[DomainEvent]):
    trade_ins: TradeIns
    price_grid: PriceGrid
    deny_list: DeviceDenyList
    payouts: Payouts
    vouchers: VoucherRepository
    resale_prices: ResalePrices
    derivation_rules: DerivationRules
