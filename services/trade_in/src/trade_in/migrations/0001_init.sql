-- Trade-ins: one row per device bought back, its history beside it, the buy-back grid, the local
-- deny list and the local payout ledger. The outbox and processed-event tables come from the
-- shared runtime's migrations.

CREATE TABLE trade_ins (
    trade_in_id          TEXT PRIMARY KEY,
    market               TEXT NOT NULL,
    currency             TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    customer_id          TEXT,
    channel              TEXT NOT NULL CHECK (channel IN ('online', 'own_shop', 'partner_shop')),
    shop_id              TEXT,
    model_family         TEXT NOT NULL,
    storage_gb           INT NOT NULL CHECK (storage_gb >= 0),
    category             TEXT NOT NULL,
    identifier_kind      TEXT CHECK (identifier_kind IN ('imei', 'serial')),
    identifier_value     TEXT,
    -- The grade and questionnaire the customer declared; NULL for a device a shop bought.
    declared_grade       TEXT,
    declared_answers     JSONB,
    offered_minor        BIGINT NOT NULL CHECK (offered_minor >= 0),
    voucher_bonus_bps    INT NOT NULL CHECK (voucher_bonus_bps BETWEEN 0 AND 10000),
    deny_listed_at_quote BOOLEAN NOT NULL DEFAULT false,
    status               TEXT NOT NULL CHECK (status IN (
        'quoted', 'accepted', 'in_transit', 'received', 'on_hold', 'inspected', 'counter_offered',
        'paid', 'returning', 'returned', 'expired', 'cancelled', 'settled_at_shop')),
    quoted_at            TIMESTAMPTZ NOT NULL,
    expires_at           TIMESTAMPTZ,
    payout_method        TEXT CHECK (payout_method IN ('bank_transfer', 'voucher')),
    shipment_reference   TEXT,
    location_id          TEXT,
    hold_reason          TEXT CHECK (hold_reason IN ('deny_listed', 'activation_lock', 'identity_mismatch')),
    hold_detail          TEXT,
    held_from            TEXT,
    grade                TEXT,
    findings             JSONB NOT NULL DEFAULT '[]'::jsonb,
    counter_offer_minor  BIGINT CHECK (counter_offer_minor >= 0),
    answer_by            TIMESTAMPTZ,
    paid_minor           BIGINT CHECK (paid_minor >= 0),
    voucher_id           TEXT,
    payout_reference     TEXT,
    drop_off_id          TEXT UNIQUE,
    shop_grade           TEXT,
    unit_id              TEXT UNIQUE,
    sku                  TEXT,
    CHECK ((identifier_kind IS NULL) = (identifier_value IS NULL)),
    CHECK (status <> 'counter_offered' OR (counter_offer_minor IS NOT NULL AND answer_by IS NOT NULL))
);
-- One device, one open trade-in: the rule the handlers check, held by the database too, so two
-- quotes or receipts of the same IMEI racing each other cannot both be kept.
CREATE UNIQUE INDEX trade_ins_one_open_per_device ON trade_ins (identifier_kind, identifier_value)
    WHERE identifier_value IS NOT NULL
      AND status IN ('quoted', 'accepted', 'in_transit', 'received', 'on_hold', 'inspected',
                     'counter_offered', 'returning');
CREATE INDEX trade_ins_newest ON trade_ins (quoted_at DESC, trade_in_id DESC);
CREATE INDEX trade_ins_of_customer ON trade_ins (customer_id, quoted_at DESC, trade_in_id DESC);
-- The deadline sweep's schedule: quotes waiting to be sent in, counter-offers waiting for an answer.
CREATE INDEX trade_ins_quotes_due ON trade_ins (expires_at) WHERE status IN ('quoted', 'accepted');
CREATE INDEX trade_ins_answers_due ON trade_ins (answer_by) WHERE status = 'counter_offered';
-- Per-shop grading accuracy reads the drop-offs the centre graded.
CREATE INDEX trade_ins_shop_checked ON trade_ins (shop_id) WHERE drop_off_id IS NOT NULL AND grade IS NOT NULL;

-- Every change of a trade-in, with who and when; appended, never rewritten.
CREATE TABLE trade_in_history (
    trade_in_id TEXT NOT NULL REFERENCES trade_ins (trade_in_id),
    seq         INT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    by_whom     TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (trade_in_id, seq)
);

CREATE TABLE price_grid (
    market            TEXT NOT NULL,
    model_family      TEXT NOT NULL,
    storage_gb        INT NOT NULL CHECK (storage_gb >= 0),
    grade             TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    price_minor       BIGINT NOT NULL CHECK (price_minor > 0),
    floor_minor       BIGINT NOT NULL CHECK (floor_minor >= 0 AND floor_minor <= price_minor),
    released_on       DATE NOT NULL,
    monthly_decay_bps INT NOT NULL CHECK (monthly_decay_bps BETWEEN 0 AND 10000),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (market, model_family, storage_gb, grade)
);

-- The local deny list (stolen or blacklisted devices), the real implementation of the port.
CREATE TABLE deny_list (
    identifier_kind  TEXT NOT NULL CHECK (identifier_kind IN ('imei', 'serial')),
    identifier_value TEXT NOT NULL,
    reason           TEXT NOT NULL,
    added_by         TEXT NOT NULL,
    added_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (identifier_kind, identifier_value)
);

-- The local payout ledger: one bank transfer per trade-in at most (the primary key), so a payout
-- asked twice pays once.
CREATE TABLE payouts (
    trade_in_id  TEXT PRIMARY KEY REFERENCES trade_ins (trade_in_id),
    reference    TEXT NOT NULL UNIQUE,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    paid_at      TIMESTAMPTZ NOT NULL
);
