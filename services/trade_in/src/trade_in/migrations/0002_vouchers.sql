-- Store-credit vouchers. A voucher holds no balance column: its balance is the sum of its ledger
-- entries (issue and release add, hold, redeem and expire take away), and a trigger refuses any
-- transaction that would leave it below zero.

CREATE TABLE vouchers (
    voucher_id   TEXT PRIMARY KEY,
    -- The code is never stored: its SHA-256 (of the normalised code) and its last four characters.
    code_hash    TEXT NOT NULL UNIQUE CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    code_hint    TEXT NOT NULL CHECK (char_length(code_hint) = 4),
    market       TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    customer_id  TEXT,
    trade_in_id  TEXT,
    issued_at    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    expired_at   TIMESTAMPTZ,
    CHECK (expires_at > issued_at)
);
-- A trade-in is paid with one voucher at most: a payout retried issues nothing twice.
CREATE UNIQUE INDEX vouchers_one_per_trade_in ON vouchers (trade_in_id) WHERE trade_in_id IS NOT NULL;
-- The expiry sweep's schedule: vouchers still running, by when they end.
CREATE INDEX vouchers_due_to_expire ON vouchers (expires_at) WHERE expired_at IS NULL;

CREATE TABLE voucher_entries (
    entry_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    voucher_id   TEXT NOT NULL REFERENCES vouchers (voucher_id),
    kind         TEXT NOT NULL CHECK (kind IN ('issue', 'hold', 'release', 'redeem', 'expire')),
    -- A magnitude in the voucher's currency; the kind gives its sign.
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    hold_id      TEXT,
    held_until   TIMESTAMPTZ,
    sale_id      TEXT,
    reason       TEXT,
    at           TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'hold') = (held_until IS NOT NULL)),
    CHECK (kind NOT IN ('hold', 'release') OR hold_id IS NOT NULL),
    CHECK ((kind = 'redeem') = (sale_id IS NOT NULL)),
    CHECK (kind NOT IN ('issue', 'hold') OR amount_minor > 0)
);
CREATE INDEX voucher_entries_ledger ON voucher_entries (voucher_id, entry_id);
-- A hold is placed once and released once (by its expiry, a cancellation or the sale converting it).
CREATE UNIQUE INDEX voucher_holds_once ON voucher_entries (hold_id) WHERE kind = 'hold';
CREATE UNIQUE INDEX voucher_releases_once ON voucher_entries (hold_id) WHERE kind = 'release';
-- A sale redeems a voucher once, however often it is delivered; a hold is converted by one sale.
CREATE UNIQUE INDEX voucher_redeemed_once_per_sale ON voucher_entries (voucher_id, sale_id) WHERE kind = 'redeem';
CREATE UNIQUE INDEX voucher_hold_converted_once ON voucher_entries (hold_id) WHERE kind = 'redeem';
-- The hold sweep's schedule: holds by when they run out.
CREATE INDEX voucher_holds_due ON voucher_entries (held_until) WHERE kind = 'hold';

CREATE FUNCTION voucher_balance_never_negative() RETURNS trigger AS $$
BEGIN
    IF (SELECT COALESCE(SUM(CASE WHEN kind IN ('issue', 'release') THEN amount_minor ELSE -amount_minor END), 0)
        FROM voucher_entries WHERE voucher_id = NEW.voucher_id) < 0 THEN
        RAISE EXCEPTION 'voucher % would go below zero', NEW.voucher_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Checked at commit, once a transaction's entries are all in (a conversion releases, then redeems).
CREATE CONSTRAINT TRIGGER voucher_entries_balance_never_negative
    AFTER INSERT ON voucher_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION voucher_balance_never_negative();
