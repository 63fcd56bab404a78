"""Request bodies of CRM's HTTP API (strict: an unknown field is a 422 naming it), and answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from crm.adapters.translators import to_contract
from crm.domain.analytics import POSTAL_PREFIX_LENGTH
from crm.domain.events import DomainEvent
from reloop_shared.http.requests import RequestBody


class ConsentIn(RequestBody):
    purpose: Literal["transactional", "marketing", "partner_sharing"]
    granted: bool
    captured_by: str = Field(min_length=1, max_length=64, description="online, customer_service, or a shop id.")


class MergeIn(RequestBody):
    profile_id: uuid.UUID
    other_profile_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000)
    requested_by: str = Field(min_length=1, max_length=128)


class UndoIn(RequestBody):
    reason: str = Field(min_length=1, max_length=2000)
    requested_by: str = Field(min_length=1, max_length=128)


class ShopIn(RequestBody):
    shop_id: str = Field(min_length=1, max_length=64)
    kind: Literal["own_shop", "partner_shop"]
    market: str = Field(pattern=r"^[A-Z]{2}$")
    catchment_prefixes: list[Annotated[str, Field(min_length=1, max_length=8)]] = Field(
        min_length=1,
        max_length=500,
        description=f"Postal prefixes of {POSTAL_PREFIX_LENGTH} characters, e.g. 75, 92.",
    )
    opened_on: date

    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted({p.strip().upper() for p in self.catchment_prefixes}))


class ErasureIn(RequestBody):
    profile_id: uuid.UUID


def published(event: DomainEvent) -> dict[str, Any]:
    """A decision as the contract event it was published as: what the API answers with."""
    [contract] = to_contract(event)
    return contract.model_dump(mode="json")
