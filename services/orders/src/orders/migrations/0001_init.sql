-- Projections of the catalog and of inventory's availability: what the storefront sells and shows.
CREATE TABLE sku_listings (
    sku             TEXT PRIMARY KEY,
    kind            TEXT,
    title           TEXT,
    listed_at       TIMESTAMPTZ,
    discontinued_at TIMESTAMPTZ
);

-- Price history per market; the current price is the latest already in effect.
CREATE TABLE sku_prices (
    sku          TEXT NOT NULL,
    market       TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    effective_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sku, market, effective_at)
);
CREATE INDEX sku_prices_market ON sku_prices (market);

-- Units sellable now per market, as of inventory's latest snapshot of the SKU.
CREATE TABLE sku_availability (
    sku       TEXT PRIMARY KEY,
    by_market JSONB NOT NULL,
    as_of     TIMESTAMPTZ NOT NULL
);

CREATE TABLE carts (
    cart_id     TEXT PRIMARY KEY,
    market      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    order_id    TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE cart_lines (
    cart_id  TEXT NOT NULL REFERENCES carts (cart_id) ON DELETE CASCADE,
    line_id  TEXT NOT NULL,
    position INT NOT NULL,
    sku      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    quantity INT NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (cart_id, line_id),
    CHECK (kind <> 'refurbished_device' OR quantity = 1)
);

CREATE TABLE orders (
    order_id            TEXT PRIMARY KEY,
    cart_id             TEXT NOT NULL UNIQUE REFERENCES carts (cart_id),
    customer_id         TEXT NOT NULL,
    market              TEXT NOT NULL,
    fulfilment          TEXT NOT NULL,
    pickup_location_id  TEXT,
    status              TEXT NOT NULL,
    reservation_id      TEXT NOT NULL,
    reservation_attempt INT NOT NULL,
    -- A single-use provider token, kept only until the payment is attempted.
    payment_token       TEXT,
    location_id         TEXT,
    unavailable_lines   TEXT[] NOT NULL DEFAULT '{}',
    substitutes         JSONB NOT NULL DEFAULT '[]'::jsonb,
    stock_committed     BOOLEAN NOT NULL DEFAULT false,
    cancel_reason       TEXT,
    tracking_reference  TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    placed_at           TIMESTAMPTZ,
    cancelled_at        TIMESTAMPTZ,
    fulfilled_at        TIMESTAMPTZ,
    delivered_at        TIMESTAMPTZ,
    withdrawal_deadline TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC);

-- Every reservation an order asked for (the first is the order id), so any outcome finds its order.
CREATE TABLE order_reservations (
    reservation_id TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL REFERENCES orders (order_id),
    attempt        INT NOT NULL
);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (order_id),
    line_id          TEXT NOT NULL,
    position         INT NOT NULL,
    sku              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    quantity         INT NOT NULL CHECK (quantity >= 1),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    currency         TEXT NOT NULL,
    unit_id          TEXT,
    location_id      TEXT,
    status           TEXT NOT NULL,
    PRIMARY KEY (order_id, line_id),
    CHECK (kind <> 'refurbished_device' OR quantity = 1)
);
CREATE INDEX order_lines_unit ON order_lines (unit_id) WHERE unit_id IS NOT NULL;

-- Append-only: what the order authorised, captured and refunded, in order.
CREATE TABLE order_payments (
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    position     INT NOT NULL,
    payment_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    reference    TEXT,
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE order_returns (
    return_id    TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    line_ids     TEXT[] NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    refund_minor BIGINT CHECK (refund_minor >= 0),
    currency     TEXT,
    refund_id    TEXT,
    requested_at TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ
);
CREATE INDEX order_returns_order ON order_returns (order_id);

-- `Idempotency-Key` of checkout requests: the same key answers with the same order.
CREATE TABLE checkout_requests (
    idempotency_key TEXT PRIMARY KEY,
    fingerprint     TEXT NOT NULL,
    cart_id         TEXT NOT NULL,
    order_id        TEXT NOT NULL REFERENCES orders (order_id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The local payment ledger (LocalLedgerPaymentProvider): stands in for a card acquirer.
CREATE TABLE ledger_authorizations (
    authorization_id TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL,
    amount_minor     BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency         TEXT NOT NULL,
    approved         BOOLEAN NOT NULL,
    decline_reason   TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ledger_one_approval_per_order ON ledger_authorizations (order_id) WHERE approved;

CREATE TABLE ledger_captures (
    capture_id       TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES ledger_authorizations (authorization_id),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency         TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ledger_refunds (
    refund_id    TEXT PRIMARY KEY,
    capture_id   TEXT NOT NULL REFERENCES ledger_captures (capture_id),
    reference    TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (capture_id, reference)
);
