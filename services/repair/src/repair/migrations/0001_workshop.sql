-- The workshop: repair tickets with their history, the centres' parts stock and its journal, and
-- the units reloop sold (the warranty's projection of SaleRecorded). The outbox and processed-event
-- tables come from the shared runtime's migrations.

CREATE TABLE tickets (
    ticket_id              TEXT PRIMARY KEY,
    market                 TEXT NOT NULL,
    channel                TEXT NOT NULL CHECK (channel IN ('online', 'own_shop', 'partner_shop')),
    shop_id                TEXT,
    -- One ticket per drop-off, whatever copies of the event arrive.
    drop_off_id            TEXT UNIQUE,
    customer_id            TEXT,
    identifier_kind        TEXT NOT NULL CHECK (identifier_kind IN ('imei', 'serial')),
    identifier_value       TEXT NOT NULL,
    category               TEXT NOT NULL,
    model                  TEXT NOT NULL,
    unit_id                TEXT,
    bought_from_us         BOOLEAN NOT NULL,
    symptoms               TEXT NOT NULL,
    photos                 JSONB NOT NULL DEFAULT '[]'::jsonb,
    shipment_reference     TEXT,
    centre_id              TEXT NOT NULL,
    -- SHA-256 of the public tracking code; the code itself is shown once and never stored.
    tracking_hash          TEXT NOT NULL UNIQUE,
    coverage               TEXT NOT NULL CHECK (coverage IN ('plan', 'warranty', 'paid')),
    coverage_reason        TEXT NOT NULL,
    subscription_id        TEXT,
    opened_at              TIMESTAMPTZ NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN (
        'received', 'diagnosed', 'quoted', 'waiting_for_parts', 'in_repair', 'repaired',
        'quality_checked', 'ready_for_pickup', 'shipped_back', 'returned_unrepaired', 'closed')),
    currency               TEXT CHECK (currency ~ '^[A-Z]{3}$'),
    findings               JSONB NOT NULL DEFAULT '[]'::jsonb,
    parts                  JSONB NOT NULL DEFAULT '[]'::jsonb,
    parts_reserved         BOOLEAN NOT NULL DEFAULT false,
    estimate_minor         BIGINT CHECK (estimate_minor >= 0),
    resale_value_minor     BIGINT CHECK (resale_value_minor >= 0),
    beyond_economic_repair BOOLEAN NOT NULL DEFAULT false,
    quote_minor            BIGINT CHECK (quote_minor > 0),
    answer_by              TIMESTAMPTZ,
    charged_minor          BIGINT CHECK (charged_minor >= 0),
    CHECK ((coverage = 'plan') = (subscription_id IS NOT NULL))
);
CREATE INDEX tickets_newest ON tickets (opened_at DESC, ticket_id DESC);
CREATE INDEX tickets_of_customer ON tickets (customer_id, opened_at DESC) WHERE customer_id IS NOT NULL;
-- Fair use counts a subscription's claims per device.
CREATE INDEX tickets_claims ON tickets (subscription_id, identifier_kind, identifier_value, opened_at)
    WHERE subscription_id IS NOT NULL;

CREATE TABLE ticket_history (
    ticket_id   TEXT NOT NULL REFERENCES tickets (ticket_id),
    seq         INT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    by_actor    TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ticket_id, seq)
);

CREATE TABLE parts_stock (
    centre_id          TEXT NOT NULL,
    part_sku           TEXT NOT NULL,
    on_hand            INT NOT NULL CHECK (on_hand >= 0),
    reserved           INT NOT NULL CHECK (reserved >= 0),
    reorder_point      INT NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    below_reorder_point BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (centre_id, part_sku),
    -- The last line of defence: whatever the code does, a reservation never exceeds the shelf.
    CHECK (reserved <= on_hand)
);

CREATE TABLE part_reservations (
    move_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  TEXT REFERENCES tickets (ticket_id),
    centre_id  TEXT NOT NULL,
    part_sku   TEXT NOT NULL,
    quantity   INT NOT NULL CHECK (quantity > 0),
    move       TEXT NOT NULL CHECK (move IN ('reserved', 'released', 'consumed', 'received')),
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX part_reservations_of_ticket ON part_reservations (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE sold_devices (
    unit_id     TEXT PRIMARY KEY,
    sku         TEXT NOT NULL,
    sale_id     TEXT NOT NULL,
    market      TEXT NOT NULL,
    sold_at     TIMESTAMPTZ NOT NULL,
    customer_id TEXT
);
