-- Per-key order across dead letters. Once a consumer group dead-letters an event of a key, the
-- later events of that key wait here, in the consumer's own database, until the dead letter is
-- replayed and applies, or is discarded (reloop_shared.consumer.key_holds).
CREATE TABLE consumer_key_holds (
    consumer      TEXT        NOT NULL,
    topic         TEXT        NOT NULL,
    message_key   TEXT        NOT NULL,
    -- The dead-lettered record, where it was on `topic`: a redelivery of it is recognised by this
    -- even when it is not an event (no event id).
    partition     INT         NOT NULL,
    dead_offset   BIGINT      NOT NULL,
    dead_event_id UUID,
    reason        TEXT        NOT NULL,
    held_since    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set when the dead letter was applied after a replay, or discarded: the held events are
    -- applied next, then the hold is dropped.
    released_at   TIMESTAMPTZ,
    PRIMARY KEY (consumer, topic, message_key)
);

-- The engine asks, with every batch, whether a released hold of the partition is left to drain.
CREATE INDEX consumer_key_holds_released ON consumer_key_holds (consumer, topic, partition)
    WHERE released_at IS NOT NULL;

CREATE TABLE consumer_held_events (
    id          BIGSERIAL PRIMARY KEY,
    consumer    TEXT   NOT NULL,
    topic       TEXT   NOT NULL,
    message_key TEXT   NOT NULL,
    partition   INT    NOT NULL,
    "offset"    BIGINT NOT NULL,
    event_id    UUID,
    value       BYTEA  NOT NULL,
    headers     JSONB  NOT NULL,
    held_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A record read again (its offset was not committed before a crash) is not queued twice.
    UNIQUE (consumer, topic, partition, "offset"),
    FOREIGN KEY (consumer, topic, message_key) REFERENCES consumer_key_holds ON DELETE CASCADE
);

CREATE INDEX consumer_held_events_in_order ON consumer_held_events (consumer, topic, message_key, id);
