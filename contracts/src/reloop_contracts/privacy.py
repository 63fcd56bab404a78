"""Privacy: erasure requests (the right to be forgotten) and every holder's confirmation.

CRM publishes `ErasureRequested` naming the data subjects (the key ids personal data was sealed
with) and the account ids of one person. Every service that holds personal data removes or
irreversibly pseudonymises it and answers `ErasureCompleted`; CRM shows the request as complete
only once every expected holder has answered. Destroying the subjects' keys makes the copies
already on the topics unreadable.
"""

from __future__ import annotations

from pydantic import Field

from reloop_contracts.base import Event, UtcDatetime
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec

PERSONAL_DATA_HOLDERS: tuple[str, ...] = ("crm", "orders", "store-sync")
"""Services that hold personal data and must confirm every erasure."""


class ErasureRequested(Event):
    request_id: str
    subject_ids: list[str] = Field(description="Key ids of the person's sealed personal data.")
    customer_ids: list[str] = Field(default_factory=list, description="The person's online account ids.")
    holders: list[str] = Field(description="Services expected to confirm.")
    requested_at: UtcDatetime

    OCCURRED_AT = "requested_at"


class ErasureCompleted(Event):
    request_id: str
    service: str
    records_erased: int = Field(ge=0, description="Rows removed or pseudonymised by this service.")
    detail: str = ""
    completed_at: UtcDatetime

    OCCURRED_AT = "completed_at"


ERASURE = TopicSpec(
    name="privacy.erasure.v1",
    # For ever: a rebuild years later must still see the erasure, or the person comes back.
    retention_ms=KEPT_FOR_EVER,
    key="request_id",
    events=(ErasureRequested, ErasureCompleted),
    producers=("crm", *PERSONAL_DATA_HOLDERS),
    consumers=PERSONAL_DATA_HOLDERS,
    description="Erasure requests and each holder's confirmation, keyed by request id.",
)

TOPICS: tuple[TopicSpec, ...] = (ERASURE,)
