"""The personal data orders holds, and its erasure.

What identifies a person here: the account id on carts and orders (`customer_id`), a card token
until the payment is attempted, and, for a customer who gave contact details at checkout, the data
subject orders minted for their account (`customer_subjects`) with those details sealed under the
subject's key on each order. Contact details are never stored in clear.

Erasure replaces the account id with a random pseudonym (one per request, so nothing links the
erased rows back to the person), drops any token left, the sealed details with their consent and
the subject mapping, and names the subjects whose keys are to be destroyed: without its key, every
sealed copy, on every topic, is unreadable.
"""

from __future__ import annotations

from collections.abc import Sequence

from orders.domain.customer import Sealed
from orders.service_layer.ports import Erased
from reloop_shared.db.types import Connection
from reloop_shared.outbox.forgetting import forget_published
from reloop_shared.personal_data import PersonalDataSealer

_MAPPED = """
SELECT customer_id, subject_id FROM customer_subjects
WHERE customer_id = ANY($1::text[]) OR subject_id = ANY($2::text[])
"""

_ERASE_CARTS = "UPDATE carts SET customer_id = $2 WHERE customer_id = ANY($1::text[])"

_FORGET_SUBJECTS = "DELETE FROM customer_subjects WHERE customer_id = ANY($1::text[]) OR subject_id = ANY($2::text[])"

_LOCK_ORDERS = """
SELECT order_id, subject_id FROM orders WHERE customer_id = ANY($1::text[]) OR subject_id = ANY($2::text[])
FOR UPDATE
"""

_ERASE_ORDERS = """
UPDATE orders SET customer_id = $2, payment_token = NULL, subject_id = NULL, sealed_contact = NULL,
    consent_marketing = NULL, consent_captured_at = NULL, consent_captured_by = NULL
WHERE order_id = ANY($1::text[])
"""


class PostgresDataSubjects:
    """Which data subject orders minted for an account."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def of(self, customer_id: str, minted: str) -> str:
        """The account's subject; `minted` becomes it when the account has none yet."""
        # Two statements: after waiting for a concurrent checkout's insert, only a new statement
        # sees the subject that checkout minted.
        await self.conn.execute(
            "INSERT INTO customer_subjects (customer_id, subject_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            customer_id,
            minted,
        )
        subject_id: str = await self.conn.fetchval(
            "SELECT subject_id FROM customer_subjects WHERE customer_id = $1", customer_id
        )
        return subject_id


class PostgresCustomerRecords:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def erase(self, customer_ids: Sequence[str], subject_ids: Sequence[str], pseudonym: str) -> Erased:
        """Forget the people with these accounts or data subjects (either may name them)."""
        mapped = await self.conn.fetch(_MAPPED, list(customer_ids), list(subject_ids))
        accounts = sorted({*customer_ids, *(r["customer_id"] for r in mapped)})
        subjects = sorted({*subject_ids, *(r["subject_id"] for r in mapped)})
        # Carts, then subjects, then orders: the order checkout takes its locks in.
        carts = _count(await self.conn.execute(_ERASE_CARTS, accounts, pseudonym))
        forgotten = _count(await self.conn.execute(_FORGET_SUBJECTS, accounts, subjects))
        orders = await self.conn.fetch(_LOCK_ORDERS, accounts, subjects)
        order_ids = [r["order_id"] for r in orders]
        sealed = [r["subject_id"] for r in orders if r["subject_id"] is not None]
        erased_orders = _count(await self.conn.execute(_ERASE_ORDERS, order_ids, pseudonym))
        # A request fingerprint hashes what the checkout asked for, contact details included.
        await self.conn.execute("DELETE FROM checkout_requests WHERE order_id = ANY($1::text[])", order_ids)
        # Orders' own events about these orders, already published, name the account.
        published = await forget_published(self.conn, order_ids)
        minted = sorted({*(r["subject_id"] for r in mapped), *sealed})
        return Erased(carts + erased_orders + len(sealed) + forgotten, minted, published)


class ContactSealer:
    """Seals contact details under their data subject's key (crypto-shredding), and destroys the
    keys on erasure. The key store stands where a KMS would."""

    def __init__(self, sealer: PersonalDataSealer) -> None:
        self.sealer = sealer

    async def seal(self, subject_id: str, fields: dict[str, str]) -> Sealed | None:
        """The sealed fields; None when the subject was erased meanwhile (no key any more)."""
        sealed = await self.sealer.seal_unless_erased(subject_id, fields)
        return Sealed(sealed.key_id, sealed.algorithm, sealed.nonce, sealed.ciphertext) if sealed else None

    async def destroy(self, subject_ids: Sequence[str]) -> int:
        return await self.sealer.erase(subject_ids)


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1]) if status else 0
