"""Who the online customer is, as far as an order may say: their account id, and the contact
details they gave at checkout, sealed under a data subject of their own (crypto-shredding).

The domain never sees the details in clear once sealed: sealing is I/O (a key store), done by the
service layer before the order is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CAPTURED_BY = "online"
"""Consent is captured where the customer gave it: for orders, always the online channel."""


@dataclass(frozen=True, repr=False)  # no repr: the details must not reach a log or a traceback
class ContactDetails:
    """What the customer typed at checkout. Only ever in memory, on the way to being sealed."""

    email: str
    phone: str | None = None
    name: str | None = None
    delivery_postal_code: str | None = None
    marketing: bool | None = None
    """None when the customer was not asked: a consent they gave elsewhere stands."""

    def fields(self) -> dict[str, str]:
        """The personal fields to seal (CRM matches people by the e-mail and phone among them)."""
        given = {
            "email": self.email,
            "phone": self.phone,
            "name": self.name,
            "delivery_postal_code": self.delivery_postal_code,
        }
        return {k: v for k, v in given.items() if v}


@dataclass(frozen=True)
class Sealed:
    """Contact details sealed under their data subject's key: opaque to the domain."""

    key_id: str
    algorithm: str
    nonce: str
    ciphertext: str


@dataclass(frozen=True)
class Consent:
    marketing: bool
    captured_at: datetime
    captured_by: str = CAPTURED_BY


@dataclass(frozen=True)
class SealedContact:
    """The contact details an order carries: sealed, with the consent given alongside them (if asked)."""

    subject_id: str
    sealed: Sealed
    consent: Consent | None
