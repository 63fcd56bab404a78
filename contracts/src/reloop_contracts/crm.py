"""CRM: customer profiles, consent, merges and re-engagement segments.

Profiles are named by identifiers, never by personal fields: `account:<online account id>`,
`subject:<data subject id>`, and `email:<hmac>` / `phone:<hmac>` (keyed matching hashes of the
normalised value). What a marketing tool needs to contact a customer travels sealed under the
customer's own data-subject key, so an erasure makes every copy unreadable.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from reloop_contracts.base import Event, UtcDatetime
from reloop_contracts.common import LocationId, SealedPersonalData
from reloop_contracts.money import Market
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec

Purpose = Literal["transactional", "marketing", "partner_sharing"]
"""What a customer may consent to, each independently of the others."""

Segment = Literal["first_shop_purchase_without_account", "warranty_ending", "return_without_repurchase"]
"""Re-engagement segments a marketing tool acts on."""

Identifier = str
"""`account:<id>`, `subject:<id>`, `email:<hmac>` or `phone:<hmac>`."""


class ConsentChanged(Event):
    """A customer changed one purpose through CRM (their online account, customer service, a till)."""

    OCCURRED_AT = "captured_at"

    change_id: str = Field(min_length=1)
    profile_id: str = Field(min_length=1, description="The profile at the time of the change.")
    identifier: Identifier = Field(description="The identifier the consent is recorded against.")
    purpose: Purpose
    granted: bool
    captured_at: UtcDatetime
    captured_by: str = Field(min_length=1, description="online, customer_service, or the shop id.")


class ProfilesMerged(Event):
    """Two profiles were found (`automatic`) or declared (by an operator) to be one person."""

    OCCURRED_AT = "merged_at"

    merge_id: str = Field(min_length=1)
    profile_id: str = Field(min_length=1, description="The profile that remains.")
    merged_profile_id: str = Field(min_length=1, description="The profile that was folded into it.")
    kept_identifiers: list[Identifier] = Field(description="The remaining profile's identifiers before the merge.")
    merged_identifiers: list[Identifier] = Field(description="The folded profile's identifiers before the merge.")
    automatic: bool = Field(description="Matched on a shared identifier, or decided by an operator.")
    reason: str
    merged_by: str = Field(min_length=1, description="`matching` or the operator.")
    merged_at: UtcDatetime


class ProfilesUnmerged(Event):
    """A merge was wrong: both sides are separate profiles again and will not be matched together."""

    OCCURRED_AT = "unmerged_at"

    unmerge_id: str = Field(min_length=1)
    merge_id: str = Field(min_length=1)
    profile_id: str = Field(min_length=1, description="The merged profile that was split.")
    restored_profile_ids: list[str] = Field(description="The profiles after the split.")
    kept_identifiers: list[Identifier]
    merged_identifiers: list[Identifier]
    reason: str
    unmerged_by: str = Field(min_length=1)
    unmerged_at: UtcDatetime


class CustomerSegmentEntered(Event):
    """A customer whose marketing consent allows it entered a re-engagement segment.

    `contact` holds only what the marketing tool needs to reach them (email, phone, name), sealed
    under the customer's data-subject key: it opens with the key store and never after an erasure.
    """

    OCCURRED_AT = "entered_at"

    entry_id: str = Field(min_length=1, description="Stable per segment and occasion: a redelivery is a duplicate.")
    segment: Segment
    profile_id: str = Field(min_length=1)
    occasion: str = Field(min_length=1, description="What put them in: a sale line, a return, a first shop sale.")
    market: Market | None = None
    location_id: LocationId | None = None
    sku: str | None = None
    sale_id: str | None = None
    return_id: str | None = None
    warranty_ends_at: UtcDatetime | None = None
    contact: SealedPersonalData | None = None
    marketing_consent_at: UtcDatetime = Field(description="When the marketing consent relied on was captured.")
    entered_at: UtcDatetime


class ShopCatchmentDeclared(Event):
    """A shop's market, catchment (postal prefixes) and opening date, for the channel analytics.

    Declared in CRM by an operator; it wins over what store-sync's registry says of the shop
    (`ShopRegistered`: one postal area from its postal code, its opening day).
    """

    OCCURRED_AT = "declared_at"

    shop_id: LocationId
    kind: Literal["own_shop", "partner_shop"]
    market: Market
    catchment_prefixes: list[str] = Field(min_length=1, description="Postal prefixes the shop serves, e.g. 75, 92.")
    opened_on: date
    declared_at: UtcDatetime


PROFILES = TopicSpec(
    name="crm.profiles.v1",
    # For ever: operators' merges and consents are evidence, and a CRM replay reads them back.
    retention_ms=KEPT_FOR_EVER,
    key="profile_id",
    events=(ProfilesMerged, ProfilesUnmerged, ConsentChanged),
    producers=("crm",),
    consumers=("crm",),
    description="What CRM decided about profiles (merges, un-merges) and consent changes made through it.",
)

SEGMENTS = TopicSpec(
    name="crm.segments.v1",
    # For ever: a CRM replay reads its segment entries back; the contacts are sealed, so an
    # erasure reaches every copy.
    retention_ms=KEPT_FOR_EVER,
    key="profile_id",
    events=(CustomerSegmentEntered,),
    producers=("crm",),
    consumers=("crm",),
    # Its purpose: the re-engagement segments are what the marketing tool reaches customers from.
    published_for=("marketing tool",),
    description="Customers entering re-engagement segments, for a marketing tool; contacts sealed.",
)

SHOPS = TopicSpec(
    name="crm.shops.v1",
    # Compacted: each declaration restates the shop's whole catchment; the latest wins, in a replay too.
    cleanup_policy="compact",
    retention_ms=KEPT_FOR_EVER,
    key="shop_id",
    events=(ShopCatchmentDeclared,),
    producers=("crm",),
    consumers=("crm",),
    description="Shop catchments and opening dates declared for the channel analytics.",
)

TOPICS: tuple[TopicSpec, ...] = (PROFILES, SEGMENTS, SHOPS)
