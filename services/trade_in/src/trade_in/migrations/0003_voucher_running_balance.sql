-- A voucher's running balance, kept beside its ledger so a decision need not read the ledger back.
--
-- 0002 summed a voucher's whole ledger twice per sale (the repository read every entry, and the
-- never-negative trigger re-summed them on each insert): a hot voucher's sales got slower as its
-- ledger grew. The ledger stays the history and the source of truth (a rebuild sums it, as the
-- backfill below does); `balance_minor` is that sum, moved by the statement that appends entries,
-- in its transaction, and never below zero.

ALTER TABLE vouchers ADD COLUMN balance_minor BIGINT NOT NULL DEFAULT 0;

UPDATE vouchers v SET balance_minor = s.balance
FROM (
    SELECT voucher_id,
           SUM(CASE WHEN kind IN ('issue', 'release') THEN amount_minor ELSE -amount_minor END) AS balance
    FROM voucher_entries GROUP BY voucher_id
) s
WHERE s.voucher_id = v.voucher_id;

ALTER TABLE vouchers ADD CONSTRAINT vouchers_balance_never_negative CHECK (balance_minor >= 0);

DROP TRIGGER voucher_entries_balance_never_negative ON voucher_entries;
DROP FUNCTION voucher_balance_never_negative();

-- Once per statement, with the entries it appended: one UPDATE per voucher however many entries
-- (a consumer's batch appends them all in one INSERT), and a conversion's release and redemption
-- move the balance together. The CHECK above refuses the statement that would go below zero.
CREATE FUNCTION voucher_entries_move_balance() RETURNS trigger AS $$
BEGIN
    UPDATE vouchers v SET balance_minor = v.balance_minor + appended.effect
    FROM (
        SELECT voucher_id,
               SUM(CASE WHEN kind IN ('issue', 'release') THEN amount_minor ELSE -amount_minor END) AS effect
        FROM appended_entries GROUP BY voucher_id
    ) appended
    WHERE v.voucher_id = appended.voucher_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER voucher_entries_move_balance
    AFTER INSERT ON voucher_entries REFERENCING NEW TABLE AS appended_entries
    FOR EACH STATEMENT EXECUTE FUNCTION voucher_entries_move_balance();

-- The ledger is appended to, never rewritten: a changed or deleted entry would leave the running
-- balance telling another sum than the ledger's.
CREATE FUNCTION voucher_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'voucher ledger entries are never changed or deleted' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER voucher_entries_append_only
    BEFORE UPDATE OR DELETE ON voucher_entries
    FOR EACH ROW EXECUTE FUNCTION voucher_entries_append_only();

-- The working ledger a decision reads (`adapters/voucher_repository.py`): a voucher's holds, and
-- any entry of a hold named by a sale or a retried request.
CREATE INDEX voucher_holds_of_voucher ON voucher_entries (voucher_id) WHERE kind = 'hold';
CREATE INDEX voucher_entries_of_hold ON voucher_entries (hold_id) WHERE hold_id IS NOT NULL;
