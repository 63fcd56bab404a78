-- The buy-back grid derived from the catalog's resale prices (`catalog.skus.v1`): the SKUs trade-in
-- buys back under their grid key, each one's latest resale price per market, and the business's
-- derivation rules. Derived entries are not stored: a quote derives its entry from these rows when
-- the business set none by hand in `price_grid`, so a new price, a discontinuation or a new rule
-- counts from the next quote on, with nothing to recompute.

-- Graded refurbished devices only; the model family is the catalog's product id.
CREATE TABLE catalog_skus (
    sku          TEXT PRIMARY KEY,
    model_family TEXT NOT NULL,
    storage_gb   INT NOT NULL CHECK (storage_gb >= 0),
    grade        TEXT NOT NULL CHECK (grade IN ('premium', 'excellent', 'very_good', 'good', 'fair')),
    discontinued BOOLEAN NOT NULL DEFAULT false
);
-- A quote looks up every colour of its model, storage and grade.
CREATE INDEX catalog_skus_by_grid_key ON catalog_skus (model_family, storage_gb, grade);

-- One price per SKU and market: the latest by effective_at (the handler keeps an older one out).
CREATE TABLE catalog_resale_prices (
    sku          TEXT NOT NULL REFERENCES catalog_skus (sku),
    market       TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    effective_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sku, market)
);

-- Per market, and optionally per model family (NULL: the market's rule for families without one).
CREATE TABLE grid_derivation_rules (
    market            TEXT NOT NULL,
    model_family      TEXT,
    margin_bps        INT NOT NULL CHECK (margin_bps BETWEEN 0 AND 9999),
    monthly_decay_bps INT NOT NULL CHECK (monthly_decay_bps BETWEEN 0 AND 10000),
    currency          TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    floor_minor       BIGINT NOT NULL CHECK (floor_minor >= 0),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX grid_derivation_rules_one_per_scope ON grid_derivation_rules (market, COALESCE(model_family, ''));
