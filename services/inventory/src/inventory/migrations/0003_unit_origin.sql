-- A unit bought back in a trade-in keeps where it came from and what reloop paid for it, so the
-- resale margin of each trade-in can be traced from the unit that is sold. Stock from elsewhere
-- has no origin: the three columns are all set or all null.
ALTER TABLE units
    ADD COLUMN origin_trade_in_id      TEXT,
    ADD COLUMN acquired_for_minor      BIGINT CHECK (acquired_for_minor >= 0),
    ADD COLUMN acquired_for_currency   TEXT,
    ADD CONSTRAINT units_origin_whole CHECK (
        (origin_trade_in_id IS NULL) = (acquired_for_minor IS NULL)
        AND (origin_trade_in_id IS NULL) = (acquired_for_currency IS NULL)
    );

-- One trade-in is one device: it becomes one unit at most.
CREATE UNIQUE INDEX units_one_per_trade_in ON units (origin_trade_in_id) WHERE origin_trade_in_id IS NOT NULL;
