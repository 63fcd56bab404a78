-- Refunds onto vouchers: goods paid with store credit came back and the credit is put back on the
-- voucher (`domain/voucher_refunds.py`). A refund is a credit like an issue or a release; it names
-- the sale whose goods came back and the return it credits, once per voucher.

ALTER TABLE voucher_entries ADD COLUMN return_id TEXT;

-- 0002's unnamed CHECKs, as PostgreSQL named them: the list of kinds (a column constraint), and
-- the third table constraint, "(kind = 'redeem') = (sale_id IS NOT NULL)": a refund names a sale too.
ALTER TABLE voucher_entries DROP CONSTRAINT voucher_entries_kind_check;
ALTER TABLE voucher_entries DROP CONSTRAINT voucher_entries_check2;
ALTER TABLE voucher_entries
    ADD CONSTRAINT voucher_entries_kind_check
        CHECK (kind IN ('issue', 'hold', 'release', 'redeem', 'refund', 'expire')),
    ADD CONSTRAINT voucher_entries_sale_of_redeem_and_refund
        CHECK ((kind IN ('redeem', 'refund')) = (sale_id IS NOT NULL)),
    ADD CONSTRAINT voucher_entries_return_of_refund
        CHECK ((kind = 'refund') = (return_id IS NOT NULL));

-- A return credits a voucher once, however often it is delivered (a refund that credited nothing
-- is written too, so it is recognised).
CREATE UNIQUE INDEX voucher_refunded_once_per_return ON voucher_entries (voucher_id, return_id) WHERE kind = 'refund';
-- The working ledger of a decision reads a sale's earlier refunds: what the voucher may still get back.
CREATE INDEX voucher_refunds_of_sale ON voucher_entries (voucher_id, sale_id) WHERE kind = 'refund';

-- The running balance (0003) counts a refund as a credit.
CREATE OR REPLACE FUNCTION voucher_entries_move_balance() RETURNS trigger AS $$
BEGIN
    UPDATE vouchers v SET balance_minor = v.balance_minor + appended.effect
    FROM (
        SELECT voucher_id,
               SUM(CASE WHEN kind IN ('issue', 'release', 'refund') THEN amount_minor ELSE -amount_minor END) AS effect
        FROM appended_entries GROUP BY voucher_id
    ) appended
    WHERE v.voucher_id = appended.voucher_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Store credit a return asked for and did not get (more than the voucher paid for the sale, a code
-- no voucher has, another currency): a return never mints credit, and the rest is kept here for
-- finance, once per return and voucher code.
CREATE TABLE voucher_refund_shortfalls (
    return_id      TEXT NOT NULL,
    code_hash      TEXT NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    voucher_id     TEXT REFERENCES vouchers (voucher_id),
    sale_id        TEXT NOT NULL,
    currency       TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    asked_minor    BIGINT NOT NULL CHECK (asked_minor > 0),
    -- In the voucher's currency (nothing when it is another currency than the one asked).
    credited_minor BIGINT NOT NULL CHECK (credited_minor >= 0),
    reason         TEXT NOT NULL CHECK (reason IN ('unknown_code', 'exceeds_redeemed', 'wrong_currency')),
    at             TIMESTAMPTZ NOT NULL,
    recorded       BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (return_id, code_hash)
);
CREATE INDEX voucher_refund_shortfalls_of_sale ON voucher_refund_shortfalls (sale_id);
