-- Devices collected at shops that are not (or not yet) stock: trade-ins waiting to be graded and
-- customers' devices left for repair. Returned units are stock already and move as units.
CREATE TABLE collected_devices (
    unit_id         TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('trade_in', 'repair', 'return')),
    source_id       TEXT NOT NULL,
    identifier_kind TEXT,
    identifier      TEXT,
    sku             TEXT,
    location_id     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('in_transit', 'received', 'missing')),
    shipment_id     TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX collected_devices_location ON collected_devices (location_id, status);
