-- How far a rebuild (`reloop replay crm`) has applied each partition. A rebuild replays every
-- partition from its first offset into an emptied read model, so an offset at or below the
-- watermark was applied: saved in the batch's own transaction, it is what keeps a rebuild's
-- projection exactly-once without a processed_events row per event (see adapters/replay_progress.py).
CREATE TABLE replay_watermarks (
    consumer        TEXT NOT NULL,
    topic           TEXT NOT NULL,
    partition       INT NOT NULL,
    applied_through BIGINT NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);
