"""The trade-in's unit of work on PostgreSQL: the SQL repositories and local ports on its transaction."""

from __future__ import annotations

from reloop_shared.db.types import Connection
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork
from trade_in.adapters.catalog_resale_repository import PostgresDerivationRules, PostgresResalePrices
from trade_in.adapters.deny_list_repository import PostgresDenyList
from trade_in.adapters.payout_ledger import PostgresPayoutLedger
from trade_in.adapters.price_grid_repository import PostgresPriceGrid
from trade_in.adapters.trade_in_repository import PostgresTradeIns
from trade_in.adapters.voucher_repository import PostgresVoucherRepository
from trade_in.domain.events import DomainEvent
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


class PostgresTradeInUnitOfWork(PostgresUnitOfWork[DomainEvent], TradeInUnitOfWork):
    def bind(self, conn: Connection) -> None:
        self.trade_ins = PostgresTradeIns(conn, self.seen)
        self.price_grid = PostgresPriceGrid(conn)
        self.deny_list = PostgresDenyList(conn)
        self.payouts = PostgresPayoutLedger(conn)
        self.vouchers = PostgresVoucherRepository(conn)
        self.resale_prices = PostgresResalePrices(conn)
        self.derivation_rules = PostgresDerivationRules(conn)
