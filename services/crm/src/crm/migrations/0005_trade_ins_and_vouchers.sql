-- Trade-ins and vouchers on the timeline: their later steps name only the trade-in or voucher, so
-- an entry carries its thread (`trade-in:<id>`, `voucher:<id>`); the entry that names the customer
-- (a quote, a voucher's issue) brings the whole thread onto their timeline.
ALTER TABLE timeline ADD COLUMN thread TEXT;
CREATE INDEX timeline_thread ON timeline (thread) WHERE thread IS NOT NULL;

-- The trade-in figures' facts: nothing about who.
CREATE TABLE voucher_facts (
    voucher_id   TEXT PRIMARY KEY,
    market       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,      -- as issued
    issued_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE redemption_facts (
    redemption_key TEXT PRIMARY KEY,   -- voucher id | sale id
    voucher_id     TEXT NOT NULL,
    sale_id        TEXT NOT NULL,
    channel        TEXT NOT NULL,
    shop_id        TEXT,               -- null online
    redeemed_at    TIMESTAMPTZ NOT NULL,
    currency       TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    basket_minor   BIGINT NOT NULL
);
CREATE INDEX redemption_facts_voucher ON redemption_facts (voucher_id, redeemed_at);

-- Trade-ins settled at a shop: the shop is their collection hub.
CREATE TABLE shop_trade_in_facts (
    trade_in_id TEXT PRIMARY KEY,
    shop_id     TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    currency    TEXT NOT NULL,
    paid_minor  BIGINT NOT NULL
);

-- The centre's checks of a shop's grading.
CREATE TABLE grading_check_facts (
    trade_in_id TEXT PRIMARY KEY,
    shop_id     TEXT NOT NULL,
    accurate    BOOLEAN NOT NULL,
    checked_at  TIMESTAMPTZ NOT NULL
);
