"""Vocabulary shared by several domains' events: channels, locations, grades, customers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from reloop_contracts.base import Contract, UtcDatetime

Channel = Literal["online", "own_shop", "partner_shop"]
"""Where a sale or return happened. A shop sale and an online sale are the same event."""

LocationKind = Literal["warehouse", "refurbishment_centre", "own_shop", "partner_shop"]

Grade = Literal["premium", "excellent", "very_good", "good", "fair"]
"""Cosmetic grade of a refurbished device, best first (definitions in the catalog README)."""

Category = Literal["smartphone", "tablet", "console", "camera", "laptop", "other"]

ItemKind = Literal["refurbished_device", "accessory", "service"]
"""Refurbished devices are unique units; accessories are fungible stock; services are plans."""

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]
LocationId = Annotated[str, Field(min_length=1, max_length=64)]
UnitId = Annotated[str, Field(min_length=1, max_length=64)]


class SealedPersonalData(Contract):
    """Personal fields encrypted with a key of their own data subject (crypto-shredding).

    Kafka topics are immutable logs: personal data never travels in clear, and destroying the
    subject's key makes every copy on every topic unreadable.
    """

    key_id: str = Field(description="Key of the data subject in the key store.")
    algorithm: Literal["AES-256-GCM"] = "AES-256-GCM"
    nonce: str = Field(description="Base64 nonce.")
    ciphertext: str = Field(description="Base64 ciphertext of a JSON object of personal fields.")


class Consent(Contract):
    """What the customer agreed to, where and when; purposes are independent."""

    marketing: bool = False
    partner_sharing: bool = Field(default=False, description="May the data be shared with the partner operator.")
    captured_at: UtcDatetime
    captured_by: str = Field(description="Channel or location that captured it, e.g. online, shop id.")


class CustomerRef(Contract):
    """Who bought or returned, as far as ownership and consent allow reloop to know.

    `customer_id` is an online account id (pseudonymous); `personal` holds sealed contact
    details; both are absent for an anonymous sale.
    """

    customer_id: str | None = None
    subject_id: str | None = Field(default=None, description="Data subject the sealed fields belong to.")
    personal: SealedPersonalData | None = None
    consent: Consent | None = None
    data_owner: Literal["reloop", "partner"] = "reloop"
