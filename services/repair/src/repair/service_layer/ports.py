"""What the workshop's service layer needs of storage, as protocols: PostgreSQL (adapters) and the
in-memory twin (tests/fakes.py) both provide them, with the same answers and refusals. The
subscriptions' ports are in `subscription_ports`.

A ticket or a stock a repository returns is the caller's own copy, tracked on the unit of work, so
what it records is published on commit; a change not saved is not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from repair.domain.coverage import SoldDevice
from repair.domain.devices import DeviceIdentifier
from repair.domain.events import PartNeed, Status
from repair.domain.parts import PartStock
from repair.domain.tickets import Ticket

PartMove = Literal["reserved", "released", "consumed", "received"]


@dataclass(frozen=True)
class TicketQuery:
    customer_id: str | None = None
    status: Status | None = None
    shop_id: str | None = None
    centre_id: str | None = None


@dataclass(frozen=True)
class OpenTicketQuery:
    market: str | None = None
    centre_id: str | None = None


class TicketRepository(Protocol):
    async def get(self, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
        """The ticket; `for_update` holds it until the commit, so two steps on one ticket (a
        double-clicked answer, a repair racing a decline) are decided one after the other."""
        ...

    async def add(self, ticket: Ticket) -> None: ...

    async def save(self, ticket: Ticket) -> None:
        """Store the ticket's new state and the history entries it gained."""
        ...

    async def by_drop_off(self, drop_off_id: str) -> Ticket | None: ...

    async def by_tracking_hash(self, tracking_hash: str) -> Ticket | None: ...

    async def find(self, query: TicketQuery, after: tuple[datetime, str] | None, limit: int) -> list[Ticket]:
        """Newest first by (opened_at, ticket_id), after the key of the last one served."""
        ...

    async def claims_for(self, subscription_id: str, identifier: DeviceIdentifier, since: datetime) -> int:
        """How many tickets of this device the subscription covered since `since` (fair use)."""
        ...

    async def open_tickets(
        self, query: OpenTicketQuery, opened_by: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Ticket]:
        """Tickets still in the workshop (`tickets.OPEN`) opened at or before `opened_by`, oldest
        first by (opened_at, ticket_id), after the key of the last one served (the SLA's candidates)."""
        ...

    async def claim_unanswered_quotes(self, at: datetime, limit: int) -> list[Ticket]:
        """Up to `limit` tickets still quoted at `at` past their `answer_by`, earliest deadline first,
        held until the commit; one another transaction holds is skipped, not waited for."""
        ...


class PartsRepository(Protocol):
    async def lock(self, centre_id: str, part_skus: Sequence[str]) -> dict[str, PartStock]:
        """The centre's stock of these parts, held until the commit, locked in part order (so two
        tickets wanting the same parts never wait for each other in a circle); a part never
        stocked there is absent."""
        ...

    async def stock(self, centre_id: str, part_sku: str) -> PartStock:
        """The centre's stock of a part, for update; a zero stock when it never had any."""
        ...

    async def save(self, stocks: Sequence[PartStock]) -> None: ...

    async def record_moves(
        self, ticket_id: str | None, centre_id: str, needs: Sequence[PartNeed], move: PartMove, at: datetime
    ) -> None:
        """The journal of parts reserved, released, consumed or received, and for which ticket."""
        ...

    async def find(self, centre_id: str, after: str | None, limit: int) -> list[PartStock]: ...


class SoldDevices(Protocol):
    """The units reloop sold (a projection of `SaleRecorded`): what the warranty covers."""

    async def record(self, devices: Sequence[SoldDevice]) -> None:
        """Keep these units; one already known keeps its first sale (a copy of the event adds nothing)."""
        ...

    async def get(self, unit_id: str) -> SoldDevice | None: ...
