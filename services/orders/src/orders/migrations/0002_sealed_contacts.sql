-- The data subject orders minted for an account: every order of the account seals its contact
-- details under the same subject (so one key, destroyed on erasure, covers all of them).
CREATE TABLE customer_subjects (
    customer_id TEXT PRIMARY KEY,
    subject_id  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The contact details given at checkout, sealed (never in clear), and the consent given with them
-- (null when the customer was not asked). All null for an order placed without contact details, and
-- once the customer was erased.
ALTER TABLE orders
    ADD COLUMN subject_id          TEXT,
    ADD COLUMN sealed_contact      JSONB,
    ADD COLUMN consent_marketing   BOOLEAN,
    ADD COLUMN consent_captured_at TIMESTAMPTZ,
    ADD COLUMN consent_captured_by TEXT,
    ADD CONSTRAINT orders_contact_whole CHECK (
        (subject_id IS NULL) = (sealed_contact IS NULL)
        AND (consent_marketing IS NULL) = (consent_captured_at IS NULL)
        AND (consent_marketing IS NULL) = (consent_captured_by IS NULL)
        AND (subject_id IS NOT NULL OR consent_marketing IS NULL)
    );
CREATE INDEX orders_subject ON orders (subject_id) WHERE subject_id IS NOT NULL;
