-- Pruning `processed_events` deletes its oldest rows in batches (`reloop_shared.consumer.pruning`):
-- with this index each batch is a range scan from the oldest row, not a walk over the whole table
-- (the key starts with the event id, which says nothing about age).
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
