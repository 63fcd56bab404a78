-- Relay leadership as a lease with a fencing token: one row per database. A relay takes it when it
-- has expired (epoch + 1) and renews it inside every publish batch's transaction, so a takeover
-- (an UPDATE of this row) waits until the leader's batch in flight has ended, and a leader whose
-- epoch has moved on publishes nothing more.
CREATE TABLE outbox_relay_lease (
    single     BOOLEAN     PRIMARY KEY DEFAULT true CHECK (single),
    holder     UUID,
    epoch      BIGINT      NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity'
);
INSERT INTO outbox_relay_lease DEFAULT VALUES;

-- A row the broker refuses is retried with backoff (`next_attempt_at`), then parked with its error
-- until an operator releases it (`reloop outbox release`) or discards it (never published, its key's
-- later rows flow). While a row is failing or parked, the later rows of its (topic, key) wait.
ALTER TABLE outbox
    ADD COLUMN next_attempt_at TIMESTAMPTZ,
    ADD COLUMN parked_at       TIMESTAMPTZ,
    ADD COLUMN discarded_at    TIMESTAMPTZ;

-- Only the rows that hold their key back: empty on a healthy outbox, so the claim's anti-join
-- against it costs nothing then.
CREATE INDEX outbox_blocked ON outbox (topic, message_key, id)
    WHERE parked_at IS NOT NULL OR next_attempt_at IS NOT NULL;

-- `attempts` now counts the refusals that lead to parking; before, a broker outage counted too.
UPDATE outbox SET attempts = 0 WHERE published_at IS NULL;
