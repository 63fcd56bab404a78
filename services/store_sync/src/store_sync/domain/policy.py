"""Who owns the customer data a shop captures, and when it may reach reloop's CRM.

Who controls the customer relationship in partner shops is the business's open question, so
the answer is a policy stored in the registry, per operator with a per-shop override, and this
module is the one place that applies it:

- `data_owner`: `reloop` or `partner`. An own shop's data is always reloop's.
- `crm_sharing`: `always` (reloop-owned data only), `with_consent` (the customer agreed at the
  till: `marketing` for reloop-owned data, `partner_sharing` for partner-owned data), `never`.

When the policy does not allow it, the sale still goes out, with the consent and the owner but
without any personal field or account id: an anonymous sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store_sync.domain.errors import InvalidPolicy

DATA_OWNERS = ("reloop", "partner")
CRM_SHARING = ("always", "with_consent", "never")


@dataclass(frozen=True)
class CustomerDataPolicy:
    data_owner: str
    crm_sharing: str

    def __post_init__(self) -> None:
        if self.data_owner not in DATA_OWNERS:
            raise InvalidPolicy(f"data_owner is one of {', '.join(DATA_OWNERS)}", field="data_owner")
        if self.crm_sharing not in CRM_SHARING:
            raise InvalidPolicy(f"crm_sharing is one of {', '.join(CRM_SHARING)}", field="crm_sharing")
        if self.data_owner == "partner" and self.crm_sharing == "always":
            raise InvalidPolicy(
                "partner-owned customer data reaches reloop only with the customer's consent", field="crm_sharing"
            )


OWN_SHOP_DEFAULT = CustomerDataPolicy("reloop", "always")
PARTNER_DEFAULT = CustomerDataPolicy("partner", "with_consent")
"""Until the business decides, a partner's customers stay the partner's unless they agree."""


@dataclass(frozen=True)
class Contact:
    """Personal fields captured at the till. Never stored or sent in clear: sealed or dropped."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in (("email", self.email), ("phone", self.phone), ("name", self.name)) if v}


@dataclass(frozen=True)
class TillCustomer:
    """The customer as the till captured them: an online account they showed, contact details,
    and what they agreed to."""

    customer_id: str | None = None
    contact: Contact | None = None
    marketing: bool = False
    partner_sharing: bool = False

    @property
    def identifies_someone(self) -> bool:
        return self.customer_id is not None or bool(self.contact and self.contact.fields())


@dataclass(frozen=True)
class Sharing:
    allowed: bool
    reason: str


def decide(policy: CustomerDataPolicy, customer: TillCustomer) -> Sharing:
    """May this customer's account id and contact details travel to CRM with the transaction?"""
    if not customer.identifies_someone:
        return Sharing(False, "nothing that identifies the customer was captured")
    if policy.crm_sharing == "never":
        return Sharing(False, f"the shop's policy never shares {policy.data_owner}-owned customer data")
    if policy.crm_sharing == "always":
        return Sharing(True, "reloop owns the customer data captured in this shop")
    if policy.data_owner == "partner":
        if customer.partner_sharing:
            return Sharing(True, "the customer agreed to share their data between the partner and reloop")
        return Sharing(False, "partner-owned data, and the customer did not agree to share it with reloop")
    if customer.marketing:
        return Sharing(True, "the customer agreed to hear from reloop")
    return Sharing(False, "the shop shares customer data only with consent, and none was given")


@dataclass(frozen=True)
class Sealed:
    """Contact details sealed under their data subject's key (opaque to the domain)."""

    key_id: str
    nonce: str
    ciphertext: str


@dataclass(frozen=True)
class CustomerOut:
    """What the events say about the customer once the policy was applied."""

    data_owner: str
    marketing: bool
    partner_sharing: bool
    captured_at: datetime
    captured_by: str
    customer_id: str | None = None
    subject_id: str | None = None
    sealed: Sealed | None = None
