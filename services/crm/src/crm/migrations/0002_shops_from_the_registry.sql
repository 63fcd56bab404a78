-- Shops come from store-sync's registry (ShopRegistered) as well as from declarations made in
-- CRM. A declaration is an operator's deliberate answer, so it wins over the registry whatever
-- order the two are read in; `source` says which one a row holds.
ALTER TABLE shops ADD COLUMN source TEXT NOT NULL DEFAULT 'declared' CHECK (source IN ('declared', 'registry'));
