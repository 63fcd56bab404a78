-- The catalog's resale prices (`catalog.skus.v1`), for beyond-economic repair: the refurbished SKUs
-- with their model family (the catalog's product id), and each one's current price per market.
-- A diagnosis reads them when the workshop gives no resale value of its own, and the ticket keeps
-- where its value came from.

CREATE TABLE catalog_skus (
    sku          TEXT PRIMARY KEY,
    model_family TEXT NOT NULL,
    storage_gb   INT CHECK (storage_gb >= 0),
    grade        TEXT,
    -- No longer sold: its price stops counting (the row stays, so a late price is still recognised).
    discontinued BOOLEAN NOT NULL DEFAULT false
);
-- A device not bought from us is valued by its model family's lowest price.
CREATE INDEX catalog_skus_by_family ON catalog_skus (model_family);

-- One price per SKU and market: the latest by effective_at (the handler keeps an older one out).
CREATE TABLE catalog_prices (
    sku          TEXT NOT NULL REFERENCES catalog_skus (sku),
    market       TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    effective_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sku, market)
);

ALTER TABLE tickets ADD COLUMN resale_value_source TEXT
    CHECK (resale_value_source IN ('workshop', 'catalog_sku', 'catalog_model'));
