-- Every consumed event probes and extends this key. With the event id first, comparisons are
-- settled by 16 bytes of uuid; with the consumer name first, every one of them first compared two
-- equal strings under the database's collation. The same pairs stay unique.
ALTER TABLE processed_events
    DROP CONSTRAINT processed_events_pkey,
    ADD PRIMARY KEY (event_id, consumer);
