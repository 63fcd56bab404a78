-- Tills' requests to hold part of a store-credit voucher, and trade-in's answers. The till names
-- a hold with its own id (a retry with the same id is the same request); `request_id`, derived
-- from the shop and that id, is the hold's id on the bus, where answers are matched by it. The
-- code is kept as its SHA-256 only, as it travels.
CREATE TABLE voucher_holds (
    shop_id      TEXT NOT NULL REFERENCES shops (shop_id),
    hold_id      TEXT NOT NULL,
    request_id   TEXT NOT NULL UNIQUE,
    code_hash    TEXT NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    market       TEXT NOT NULL,
    reference    TEXT,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'held', 'refused')),
    voucher_id   TEXT,
    held_until   TIMESTAMPTZ,
    refusal      TEXT,
    requested_at TIMESTAMPTZ NOT NULL,
    answered_at  TIMESTAMPTZ,
    PRIMARY KEY (shop_id, hold_id),
    CHECK ((status = 'held') = (held_until IS NOT NULL)),
    CHECK ((status = 'refused') = (refusal IS NOT NULL))
);
