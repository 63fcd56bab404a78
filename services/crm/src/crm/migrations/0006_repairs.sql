-- Repairs on the timeline ride on threads (`subscription:<id>`, `repair:<ticket id>`, see 0005);
-- the plan figures count these facts, nothing about who.

-- A subscription's start: its market (later steps name the subscription alone).
CREATE TABLE subscription_facts (
    subscription_id TEXT PRIMARY KEY,
    market          TEXT NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL
);

-- Every state a subscription entered, and when: a member at a date is one whose latest state then
-- is active, past_due or suspended.
CREATE TABLE subscription_status_facts (
    status_key      TEXT PRIMARY KEY,  -- subscription id | status | at
    subscription_id TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'suspended', 'cancelled', 'expired')),
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscription_status_facts_subscription ON subscription_status_facts (subscription_id, at);

-- Every ticket opened and who pays: the plan's are its claims.
CREATE TABLE repair_ticket_facts (
    ticket_id TEXT PRIMARY KEY,
    market    TEXT NOT NULL,
    coverage  TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX repair_ticket_facts_claims ON repair_ticket_facts (market, opened_at) WHERE coverage = 'plan';
