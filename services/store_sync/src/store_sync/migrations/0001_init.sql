-- The registry: partner operators (their till format and default customer-data policy) and shops.
CREATE TABLE operators (
    operator_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    pos_format  TEXT NOT NULL,
    data_owner  TEXT NOT NULL,
    crm_sharing TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE shops (
    shop_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('own_shop', 'partner_shop')),
    market        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    tax_rate_bp   INT NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    operator_id   TEXT REFERENCES operators (operator_id),
    -- The shop's own policy; NULL: its operator's (or the default of its kind).
    data_owner    TEXT,
    crm_sharing   TEXT,
    active        BOOLEAN NOT NULL DEFAULT true,
    registered_at TIMESTAMPTZ NOT NULL,
    CHECK ((data_owner IS NULL) = (crm_sharing IS NULL))
);
CREATE INDEX shops_operator ON shops (operator_id);

-- A shop's API keys: only a SHA-256 of each random key is kept; `key_id` finds the row.
CREATE TABLE shop_credentials (
    key_id     TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (shop_id),
    key_hash   BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX shop_credentials_shop ON shop_credentials (shop_id);

-- Every till transaction, once: (shop, the till's own id) is the idempotency key. No personal
-- data: contact details are sealed into the events or dropped, never stored here.
CREATE TABLE pos_transactions (
    shop_id       TEXT NOT NULL REFERENCES shops (shop_id),
    client_txn_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    canonical_id  TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('recorded', 'waiting_for_sale')),
    occurred_at   TIMESTAMPTZ NOT NULL,
    business_date DATE NOT NULL,
    amount_minor  BIGINT NOT NULL DEFAULT 0,
    tax_minor     BIGINT NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL,
    subject_id    TEXT,
    customer_id   TEXT,
    -- A return waiting for its sale: the sale's till id, and the return itself, to publish later.
    sale_txn_id   TEXT,
    waiting       JSONB,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, client_txn_id)
);
CREATE INDEX pos_transactions_day ON pos_transactions (shop_id, business_date) WHERE status = 'recorded';
CREATE INDEX pos_transactions_waiting ON pos_transactions (shop_id, sale_txn_id) WHERE status = 'waiting_for_sale';
CREATE INDEX pos_transactions_subject ON pos_transactions (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX pos_transactions_customer ON pos_transactions (customer_id) WHERE customer_id IS NOT NULL;

-- Partner article codes -> reloop SKUs, per operator.
CREATE TABLE sku_mappings (
    operator_id TEXT NOT NULL REFERENCES operators (operator_id),
    partner_sku TEXT NOT NULL,
    sku         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (operator_id, partner_sku)
);

-- Partner tickets that could not be mapped yet, with the reason; replayed once fixed. The
-- ticket is kept without its customer block; contact details, when the policy lets them reach
-- CRM, are kept sealed under the ticket's data subject (erasure destroys that key).
CREATE TABLE quarantine (
    quarantine_id  BIGSERIAL PRIMARY KEY,
    shop_id        TEXT NOT NULL REFERENCES shops (shop_id),
    operator_id    TEXT,
    source         TEXT NOT NULL,
    ticket_key     TEXT NOT NULL,
    client_txn_id  TEXT,
    ticket         JSONB NOT NULL,
    customer       JSONB,
    subject_id     TEXT,
    customer_id    TEXT,
    reason         TEXT NOT NULL,
    field          TEXT,
    partner_sku    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'replayed')),
    attempts       INT NOT NULL DEFAULT 1,
    business_date  DATE,
    quarantined_at TIMESTAMPTZ NOT NULL,
    replayed_at    TIMESTAMPTZ,
    outcome        TEXT
);
CREATE UNIQUE INDEX quarantine_one_open_per_ticket ON quarantine (shop_id, ticket_key) WHERE status = 'open';
CREATE INDEX quarantine_open ON quarantine (operator_id, quarantine_id) WHERE status = 'open';
CREATE INDEX quarantine_subject ON quarantine (subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX quarantine_customer ON quarantine (customer_id) WHERE customer_id IS NOT NULL;

-- Partner tills name devices by IMEI; inventory's units say which reloop unit each one is.
CREATE TABLE unit_identifiers (
    identifier TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL
);

-- The collection hub: devices left at a shop, until a shipment takes them away.
CREATE TABLE collected_devices (
    source_id       TEXT NOT NULL,
    unit_id         TEXT NOT NULL,
    shop_id         TEXT NOT NULL REFERENCES shops (shop_id),
    kind            TEXT NOT NULL CHECK (kind IN ('return', 'trade_in', 'repair')),
    sku             TEXT,
    identifier_kind TEXT,
    identifier      TEXT,
    collected_at    TIMESTAMPTZ NOT NULL,
    shipment_id     TEXT,
    PRIMARY KEY (source_id, unit_id)
);
CREATE INDEX collected_waiting ON collected_devices (shop_id, collected_at) WHERE shipment_id IS NULL;

CREATE TABLE shipments (
    shipment_id       TEXT PRIMARY KEY,
    shop_id           TEXT NOT NULL REFERENCES shops (shop_id),
    to_location_id    TEXT NOT NULL,
    devices           JSONB NOT NULL,
    carrier_reference TEXT,
    status            TEXT NOT NULL CHECK (status IN ('dispatched', 'received')),
    dispatched_at     TIMESTAMPTZ NOT NULL,
    received_at       TIMESTAMPTZ,
    received_unit_ids TEXT[] NOT NULL DEFAULT '{}',
    missing_unit_ids  TEXT[] NOT NULL DEFAULT '{}'
);

-- Feeds to shops, built from the catalog's and inventory's events. Every change takes the next
-- `feed_seq` under one lock, so a row's seq is also its commit order: a till's cursor (the last
-- seq it saw) never skips a change committed later with a smaller seq.
CREATE SEQUENCE feed_seq;

CREATE TABLE feed_skus (
    sku             TEXT PRIMARY KEY,
    kind            TEXT,
    title           TEXT,
    grade           TEXT,
    discontinued_at TIMESTAMPTZ,
    seq             BIGINT NOT NULL
);
CREATE INDEX feed_skus_seq ON feed_skus (seq);

CREATE TABLE feed_prices (
    sku          TEXT NOT NULL,
    market       TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    effective_at TIMESTAMPTZ NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (sku, market, effective_at)
);
CREATE INDEX feed_prices_seq ON feed_prices (market, seq);

CREATE TABLE feed_availability (
    sku           TEXT NOT NULL,
    location_id   TEXT NOT NULL,
    location_kind TEXT NOT NULL,
    market        TEXT NOT NULL,
    available     INT NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (sku, location_id)
);
CREATE INDEX feed_availability_seq ON feed_availability (seq);

CREATE TABLE feed_availability_as_of (
    sku   TEXT PRIMARY KEY,
    as_of TIMESTAMPTZ NOT NULL
);
