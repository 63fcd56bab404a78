"""Contracts in, contracts out, in one place: CRM's domain events become the contract events it
publishes; consumed contract events become the commands and events its handlers take.

CRM reads its own topics back (a replay learns the operators' decisions that way), so its own
contract events translate back into the domain events they were made from.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from crm.adapters.readers import ShopRegistered
from crm.domain import commands, events
from crm.domain.observations import SealedFields
from reloop_contracts import Event, crm, privacy
from reloop_contracts.common import SealedPersonalData


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    """The contract events a domain event is published as (the outbox's translator)."""
    return (_OUT[type(event)](event),)


def _merged(e: events.ProfilesMerged) -> crm.ProfilesMerged:
    return crm.ProfilesMerged(
        merge_id=e.merge_id,
        profile_id=str(e.profile_id),
        merged_profile_id=str(e.merged_profile_id),
        kept_identifiers=list(e.kept_identifiers),
        merged_identifiers=list(e.merged_identifiers),
        automatic=e.automatic,
        reason=e.reason,
        merged_by=e.merged_by,
        merged_at=e.merged_at,
    )


def _unmerged(e: events.ProfilesUnmerged) -> crm.ProfilesUnmerged:
    return crm.ProfilesUnmerged(
        unmerge_id=e.unmerge_id,
        merge_id=e.merge_id,
        profile_id=str(e.profile_id),
        restored_profile_ids=[str(p) for p in e.restored_profile_ids],
        kept_identifiers=list(e.kept_identifiers),
        merged_identifiers=list(e.merged_identifiers),
        reason=e.reason,
        unmerged_by=e.unmerged_by,
        unmerged_at=e.unmerged_at,
    )


def _consent_changed(e: events.ConsentChanged) -> crm.ConsentChanged:
    return crm.ConsentChanged(
        change_id=e.change_id,
        profile_id=str(e.profile_id),
        identifier=e.identifier,
        purpose=e.purpose,
        granted=e.granted,
        captured_at=e.captured_at,
        captured_by=e.captured_by,
    )


def _erasure_requested(e: events.ErasureRequested) -> privacy.ErasureRequested:
    return privacy.ErasureRequested(
        request_id=e.request_id,
        subject_ids=list(e.subject_ids),
        customer_ids=list(e.customer_ids),
        holders=list(e.holders),
        requested_at=e.requested_at,
    )


def _erasure_completed(e: events.ErasureCompleted) -> privacy.ErasureCompleted:
    return privacy.ErasureCompleted(
        request_id=e.request_id,
        service=e.service,
        records_erased=e.records_erased,
        detail=e.detail,
        completed_at=e.completed_at,
    )


def _segment_entered(e: events.CustomerSegmentEntered) -> crm.CustomerSegmentEntered:
    contact = e.contact
    return crm.CustomerSegmentEntered(
        entry_id=e.entry_id,
        segment=e.segment,
        profile_id=str(e.profile_id),
        occasion=e.occasion,
        market=e.market,
        location_id=e.location_id,
        sku=e.sku,
        sale_id=e.sale_id,
        return_id=e.return_id,
        warranty_ends_at=e.warranty_ends_at,
        contact=SealedPersonalData(key_id=contact.key_id, nonce=contact.nonce, ciphertext=contact.ciphertext)
        if contact is not None
        else None,
        marketing_consent_at=e.marketing_consent_at,
        entered_at=e.entered_at,
    )


def _shop_declared(e: events.ShopCatchmentDeclared) -> crm.ShopCatchmentDeclared:
    return crm.ShopCatchmentDeclared(
        shop_id=e.shop_id,
        kind=e.kind,
        market=e.market,
        catchment_prefixes=list(e.catchment_prefixes),
        opened_on=e.opened_on,
        declared_at=e.declared_at,
    )


_OUT: dict[type[Any], Callable[[Any], Event]] = {
    events.ProfilesMerged: _merged,
    events.ProfilesUnmerged: _unmerged,
    events.ConsentChanged: _consent_changed,
    events.ErasureRequested: _erasure_requested,
    events.ErasureCompleted: _erasure_completed,
    events.CustomerSegmentEntered: _segment_entered,
    events.ShopCatchmentDeclared: _shop_declared,
}


def profiles_merged(e: crm.ProfilesMerged) -> events.ProfilesMerged:
    return events.ProfilesMerged(
        merge_id=e.merge_id,
        profile_id=uuid.UUID(e.profile_id),
        merged_profile_id=uuid.UUID(e.merged_profile_id),
        kept_identifiers=tuple(e.kept_identifiers),
        merged_identifiers=tuple(e.merged_identifiers),
        automatic=e.automatic,
        reason=e.reason,
        merged_by=e.merged_by,
        merged_at=e.merged_at,
    )


def profiles_unmerged(e: crm.ProfilesUnmerged) -> events.ProfilesUnmerged:
    return events.ProfilesUnmerged(
        unmerge_id=e.unmerge_id,
        merge_id=e.merge_id,
        profile_id=uuid.UUID(e.profile_id),
        restored_profile_ids=tuple(uuid.UUID(p) for p in e.restored_profile_ids),
        kept_identifiers=tuple(e.kept_identifiers),
        merged_identifiers=tuple(e.merged_identifiers),
        reason=e.reason,
        unmerged_by=e.unmerged_by,
        unmerged_at=e.unmerged_at,
    )


def consent_changed(e: crm.ConsentChanged) -> events.ConsentChanged:
    return events.ConsentChanged(
        change_id=e.change_id,
        profile_id=uuid.UUID(e.profile_id),
        identifier=e.identifier,
        purpose=e.purpose,
        granted=e.granted,
        captured_at=e.captured_at,
        captured_by=e.captured_by,
    )


def erasure_requested(e: privacy.ErasureRequested) -> events.ErasureRequested:
    return events.ErasureRequested(
        request_id=e.request_id,
        subject_ids=tuple(e.subject_ids),
        customer_ids=tuple(e.customer_ids),
        holders=tuple(e.holders),
        requested_at=e.requested_at,
    )


def erasure_completed(e: privacy.ErasureCompleted) -> events.ErasureCompleted:
    return events.ErasureCompleted(
        request_id=e.request_id,
        service=e.service,
        records_erased=e.records_erased,
        detail=e.detail,
        completed_at=e.completed_at,
    )


def segment_entered(e: crm.CustomerSegmentEntered) -> events.CustomerSegmentEntered:
    contact = e.contact
    return events.CustomerSegmentEntered(
        entry_id=e.entry_id,
        segment=e.segment,
        profile_id=uuid.UUID(e.profile_id),
        occasion=e.occasion,
        marketing_consent_at=e.marketing_consent_at,
        entered_at=e.entered_at,
        contact=SealedFields(contact.key_id, contact.nonce, contact.ciphertext) if contact is not None else None,
        market=e.market,
        location_id=e.location_id,
        sku=e.sku,
        sale_id=e.sale_id,
        return_id=e.return_id,
        warranty_ends_at=e.warranty_ends_at,
    )


def shop_declared(e: crm.ShopCatchmentDeclared) -> events.ShopCatchmentDeclared:
    return events.ShopCatchmentDeclared(
        shop_id=e.shop_id,
        kind=e.kind,
        market=e.market,
        catchment_prefixes=tuple(e.catchment_prefixes),
        opened_on=e.opened_on,
        declared_at=e.declared_at,
    )


def shop_registered(e: ShopRegistered) -> commands.RecordRegisteredShop:
    return commands.RecordRegisteredShop(e.shop_id, e.kind, e.market, e.postal_code, e.opens_on, e.registered_at)
