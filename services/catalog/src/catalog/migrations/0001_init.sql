CREATE TABLE products (
    product_id   TEXT PRIMARY KEY,
    brand        TEXT NOT NULL,
    model        TEXT NOT NULL,
    category     TEXT NOT NULL,
    attributes   JSONB NOT NULL DEFAULT '{}'::jsonb,
    published_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE skus (
    sku             TEXT PRIMARY KEY,
    product_id      TEXT NOT NULL REFERENCES products (product_id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    grade           TEXT,
    storage_gb      INT,
    colour          TEXT,
    listed_at       TIMESTAMPTZ NOT NULL,
    discontinued_at TIMESTAMPTZ,
    discontinued_reason TEXT
);
CREATE INDEX skus_product ON skus (product_id);

-- Append-only price history; the current price of a market is its latest row.
CREATE TABLE sku_prices (
    sku          TEXT NOT NULL REFERENCES skus (sku),
    market       TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    effective_at TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, market, effective_at)
);
CREATE INDEX sku_prices_current ON sku_prices (market, sku, effective_at DESC);
