-- CRM's read model. Every table is derived from the topics (`reloop replay crm` rebuilds them),
-- and nothing here holds an e-mail, phone, name or address in clear: contact details stay sealed
-- under their data subject's key, and matching uses keyed hashes.

-- Identity: each identifier (account:<id>, subject:<id>, email:<hmac>, phone:<hmac>) belongs to one
-- profile. A profile is a connected group of identifiers; its id derives from its founding
-- identifier (the one seen first), so the same events always give the same ids.
CREATE TABLE identifiers (
    identifier    TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('account', 'subject', 'email', 'phone')),
    profile_id    UUID NOT NULL,
    first_seen_at TIMESTAMPTZ,           -- null: named by an operator, not seen in an event yet
    constrained   BOOLEAN NOT NULL DEFAULT false  -- part of an un-merge: resolved the careful way
);
CREATE INDEX identifiers_profile ON identifiers (profile_id);

CREATE TABLE profiles (
    profile_id UUID PRIMARY KEY,
    founding   TEXT NOT NULL,
    founded_at TIMESTAMPTZ
);

-- Why identifiers belong together: seen in one event (evidence) or linked by an operator.
CREATE TABLE identity_links (
    a    TEXT NOT NULL,
    b    TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('evidence', 'operator')),
    PRIMARY KEY (a, b),
    CHECK (a < b)
);
CREATE INDEX identity_links_b ON identity_links (b);

-- The audit trail of merges; an un-merge restores both sides from it.
CREATE TABLE merges (
    merge_id           TEXT PRIMARY KEY,
    profile_id         UUID NOT NULL,
    merged_profile_id  UUID NOT NULL,
    kept_identifiers   TEXT[] NOT NULL,
    merged_identifiers TEXT[] NOT NULL,
    automatic          BOOLEAN NOT NULL,
    reason             TEXT NOT NULL,
    merged_by          TEXT NOT NULL,
    merged_at          TIMESTAMPTZ NOT NULL,
    unmerge_id         TEXT,
    unmerged_by        TEXT,
    unmerged_at        TIMESTAMPTZ,
    unmerge_reason     TEXT
);
CREATE INDEX merges_profile ON merges (profile_id);
CREATE INDEX merges_merged_profile ON merges (merged_profile_id);

-- Un-merges: the two sides must never be one profile again.
CREATE TABLE separations (
    unmerge_id  TEXT PRIMARY KEY,
    merge_id    TEXT NOT NULL,
    side_a      TEXT[] NOT NULL,
    side_b      TEXT[] NOT NULL,
    unmerged_by TEXT NOT NULL,
    reason      TEXT NOT NULL,
    unmerged_at TIMESTAMPTZ NOT NULL
);

-- Contact details as they arrived: sealed under the subject's key, the latest capture per subject.
CREATE TABLE contacts (
    subject_id  TEXT PRIMARY KEY,
    data_owner  TEXT NOT NULL,
    captured_by TEXT NOT NULL,       -- the channel or shop that captured them
    captured_at TIMESTAMPTZ NOT NULL,
    event_id    UUID NOT NULL,
    nonce       TEXT NOT NULL,
    ciphertext  TEXT NOT NULL
);

-- Consent captures, per identifier; a purpose left null was not stated by that capture.
CREATE TABLE consents (
    record_key      TEXT PRIMARY KEY,
    identifier      TEXT NOT NULL,
    captured_at     TIMESTAMPTZ NOT NULL,
    captured_by     TEXT NOT NULL,
    data_owner      TEXT NOT NULL,
    source          TEXT NOT NULL,   -- the event type that carried it
    transactional   BOOLEAN,
    marketing       BOOLEAN,
    partner_sharing BOOLEAN
);
CREATE INDEX consents_identifier ON consents (identifier);

-- The timeline: one entry per customer event, filled by pluggable event mappers. An entry hangs on
-- the identifier it came with (`anchor`), or on its sale (a return at a partner till, a delivery).
CREATE TABLE timeline (
    entry_key   TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    anchor      TEXT,
    sale_id     TEXT,
    channel     TEXT,
    location_id TEXT,
    market      TEXT,
    source      TEXT NOT NULL,
    event_id    UUID NOT NULL,
    detail      JSONB NOT NULL
);
CREATE INDEX timeline_anchor ON timeline (anchor) WHERE anchor IS NOT NULL;
CREATE INDEX timeline_sale ON timeline (sale_id) WHERE sale_id IS NOT NULL;
-- The segment job looks for purchases and returns by time; order steps need no such index.
CREATE INDEX timeline_kind_time ON timeline (kind, occurred_at) WHERE kind IN ('purchase', 'return');

-- Analytics facts: every sale and return, identified or not, and nothing about who.
CREATE TABLE sale_facts (
    sale_id         TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    location_id     TEXT NOT NULL,
    market          TEXT NOT NULL,
    sold_at         TIMESTAMPTZ NOT NULL,
    catchment       TEXT,            -- postal prefix of the delivery address, when known
    currency        TEXT NOT NULL,
    total_minor     BIGINT NOT NULL,
    device_units    INT NOT NULL,
    accessory_units INT NOT NULL,
    service_units   INT NOT NULL
);

CREATE TABLE return_facts (
    return_id    TEXT PRIMARY KEY,
    sale_id      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    location_id  TEXT NOT NULL,
    market       TEXT NOT NULL,
    returned_at  TIMESTAMPTZ NOT NULL,
    units        INT NOT NULL,
    currency     TEXT NOT NULL,
    refund_minor BIGINT NOT NULL
);
CREATE INDEX return_facts_sale ON return_facts (sale_id);

CREATE TABLE shops (
    shop_id            TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    market             TEXT NOT NULL,
    catchment_prefixes TEXT[] NOT NULL,
    opened_on          DATE NOT NULL,
    declared_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE segment_entries (
    entry_id   TEXT PRIMARY KEY,
    segment    TEXT NOT NULL,
    occasion   TEXT NOT NULL,
    profile_id UUID NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX segment_entries_profile ON segment_entries (profile_id);

-- Erasure: requests, each holder's confirmation, and the keyed hashes of erased account and subject
-- ids, so events still on the topics cannot bring an erased person back (during a replay, say).
CREATE TABLE erasure_requests (
    request_id   TEXT PRIMARY KEY,
    holders      TEXT[] NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE erasure_confirmations (
    request_id     TEXT NOT NULL,
    service        TEXT NOT NULL,
    records_erased INT NOT NULL,
    detail         TEXT NOT NULL,
    completed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, service)
);

CREATE TABLE erased_identifiers (
    hash       TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    erased_at  TIMESTAMPTZ NOT NULL
);
