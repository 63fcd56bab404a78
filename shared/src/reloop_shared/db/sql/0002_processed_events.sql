-- Idempotent consumers: a row per (consumer, event) written in the consuming transaction, so a
-- redelivered event finds its row and has no second effect.
CREATE TABLE processed_events (
    consumer     TEXT        NOT NULL,
    event_id     UUID        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
