-- Store-credit vouchers paying (part of) an order: one row per voucher, named by the hold orders
-- asked trade-in for. The code is kept as its SHA-256 and its last four characters, never in clear.
CREATE TABLE order_vouchers (
    hold_id      TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    position     INT NOT NULL,
    code_hash    TEXT NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    hint         TEXT NOT NULL CHECK (length(hint) <= 4),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('requested', 'held', 'refused')),
    voucher_id   TEXT,
    refusal      TEXT,
    held_until   TIMESTAMPTZ,
    answered_at  TIMESTAMPTZ,
    UNIQUE (order_id, position),
    UNIQUE (order_id, code_hash),
    CHECK ((state = 'requested') = (answered_at IS NULL)),
    CHECK ((state = 'refused') = (refusal IS NOT NULL))
);

-- The durable deadline for trade-in's answers, swept periodically; null once none is awaited, so
-- the index holds only the orders still waiting.
ALTER TABLE orders ADD COLUMN vouchers_answer_by TIMESTAMPTZ;
CREATE INDEX orders_vouchers_answer_by ON orders (vouchers_answer_by) WHERE vouchers_answer_by IS NOT NULL;
