"""Contact details given at checkout, sealed under the account's data subject before the order
keeps them: the order, its outbox rows and its events only ever hold them sealed."""

from __future__ import annotations

import uuid
from datetime import datetime

from orders.domain.customer import Consent, ContactDetails, SealedContact
from orders.domain.errors import CustomerErased
from orders.service_layer.ports import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork


def new_subject_id() -> str:
    # Random, so the subject id says nothing about the account it stands for.
    return f"sub-{uuid.uuid4().hex}"


async def sealed_contact(
    details: ContactDetails, customer_id: str, uow: OrdersUnitOfWork, sealer: Sealer, at: datetime
) -> SealedContact:
    """Seal `details` under the account's data subject (minted on the account's first contact)."""
    subject_id = await uow.subjects.of(customer_id, new_subject_id())
    sealed = await sealer.seal(subject_id, details.fields())
    if sealed is None:
        # Only while an erasure of the account is committing: once it has, the account gets a new subject.
        raise CustomerErased("the customer's personal data is being erased; try again", field="contact")
    consent = Consent(details.marketing, at) if details.marketing is not None else None
    return SealedContact(subject_id, sealed, consent)
