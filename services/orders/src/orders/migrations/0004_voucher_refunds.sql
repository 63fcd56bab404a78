-- Refunds of goods paid with store-credit vouchers go back onto the vouchers first. Each voucher
-- keeps what the sale took of it (`paid_minor`, set when the order is placed) and what refunds put
-- back on it so far (`refunded_minor`): a refund never puts more back than the voucher paid.
ALTER TABLE order_vouchers
    ADD COLUMN paid_minor BIGINT CHECK (paid_minor > 0 AND paid_minor <= amount_minor),
    ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT order_vouchers_refund_within_paid
        CHECK (refunded_minor >= 0 AND refunded_minor <= coalesce(paid_minor, 0));

-- Orders placed before this migration paid with what each held voucher was asked for: exact, unless
-- a line was dropped between checkout and the sale (then trade-in caps a refund at what it redeemed).
UPDATE order_vouchers v SET paid_minor = v.amount_minor
FROM orders o
WHERE o.order_id = v.order_id AND o.placed_at IS NOT NULL AND v.state = 'held';

-- Of a return's refund, what went back onto the order's vouchers (the card got the rest); a card
-- refund id is then absent when the vouchers took it all.
ALTER TABLE order_returns
    ADD COLUMN store_credit_minor BIGINT CHECK (store_credit_minor >= 0 AND store_credit_minor <= refund_minor);
UPDATE order_returns SET store_credit_minor = 0 WHERE refund_minor IS NOT NULL;
