-- Locations: warehouses and refurbishment centres (ship online), own shops and partner points
-- of sale (sell in store, click-and-collect, collection hubs).
CREATE TABLE locations (
    location_id TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('warehouse', 'refurbishment_centre', 'own_shop', 'partner_shop')),
    market      TEXT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The catalog's SKUs, as far as inventory needs them (from catalog.skus.v1). The row is also the
-- per-SKU lock that serialises stock changes, so availability events are never computed stale.
CREATE TABLE skus (
    sku          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    grade        TEXT,
    product_id   TEXT NOT NULL,
    discontinued BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE units (
    unit_id               TEXT PRIMARY KEY,
    sku                   TEXT NOT NULL REFERENCES skus (sku),
    identifier_kind       TEXT NOT NULL,
    identifier            TEXT NOT NULL UNIQUE,
    grade                 TEXT NOT NULL,
    location_id           TEXT NOT NULL REFERENCES locations (location_id),
    status                TEXT NOT NULL,
    reservation_id        TEXT,
    sale_id               TEXT,
    sale_channel          TEXT,
    transfer_to           TEXT,
    status_before_transit TEXT,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX units_available ON units (sku, location_id) WHERE status = 'available';
CREATE INDEX units_location ON units (location_id, status);

CREATE TABLE accessory_stock (
    sku         TEXT NOT NULL REFERENCES skus (sku),
    location_id TEXT NOT NULL REFERENCES locations (location_id),
    on_hand     INT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved    INT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    PRIMARY KEY (sku, location_id)
);

CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY,
    channel        TEXT NOT NULL,
    market         TEXT NOT NULL,
    location_id    TEXT,
    status         TEXT NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reservations_due ON reservations (expires_at) WHERE status = 'active';

CREATE TABLE reservation_lines (
    reservation_id TEXT NOT NULL REFERENCES reservations (reservation_id),
    line_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    sku            TEXT NOT NULL,
    quantity       INT NOT NULL,
    unit_id        TEXT,
    location_id    TEXT NOT NULL,
    PRIMARY KEY (reservation_id, line_id)
);
CREATE INDEX reservation_lines_unit ON reservation_lines (unit_id) WHERE unit_id IS NOT NULL;

-- Rejected holds are remembered too, so a redelivered request is answered the same way.
CREATE TABLE reservation_rejections (
    reservation_id TEXT PRIMARY KEY,
    reason         TEXT NOT NULL,
    rejected_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Sales and returns inventory applied: a business-level guard beside the processed-event table
-- (a sale reported twice under two event ids still applies once).
CREATE TABLE applied_sales (
    sale_id     TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    market      TEXT NOT NULL,
    location_id TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sale_lines (
    sale_id     TEXT NOT NULL REFERENCES applied_sales (sale_id),
    line_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sku         TEXT NOT NULL,
    unit_id     TEXT,
    quantity    INT NOT NULL,
    location_id TEXT NOT NULL,
    PRIMARY KEY (sale_id, line_id)
);
CREATE INDEX sale_lines_unit ON sale_lines (unit_id) WHERE unit_id IS NOT NULL;

CREATE TABLE applied_returns (
    return_id   TEXT PRIMARY KEY,
    sale_id     TEXT NOT NULL,
    location_id TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE transfers (
    transfer_id      TEXT PRIMARY KEY,
    to_location_id   TEXT NOT NULL REFERENCES locations (location_id),
    unit_ids         TEXT[] NOT NULL,
    status           TEXT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    received_at      TIMESTAMPTZ
);

CREATE TABLE stock_counts (
    count_id    TEXT PRIMARY KEY,
    location_id TEXT NOT NULL,
    reason      TEXT NOT NULL,
    counted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    adjustments JSONB NOT NULL
);
