-- Who opened or looked up a customer's personal data, when, why and through which route: one row
-- per read, lookup, export or erasure request, written before the data is handed out. It holds
-- no personal data itself: the pseudonymous profile id, which fields were opened (their names),
-- which kind of identifier a lookup used (never its value). So an erasure leaves it in place: the
-- record that a person's data was read, exported or erased must outlive the data.
CREATE TABLE personal_data_audit (
    id          UUID PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'customer')),
    scopes      TEXT[] NOT NULL,
    profile_id  UUID,
    action      TEXT NOT NULL CHECK (action IN ('read', 'lookup', 'lookup-refused', 'export', 'erasure')),
    fields      TEXT[] NOT NULL,
    purpose     TEXT NOT NULL,
    request_id  TEXT,
    route       TEXT NOT NULL
);

CREATE INDEX personal_data_audit_profile ON personal_data_audit (profile_id, at);
CREATE INDEX personal_data_audit_actor ON personal_data_audit (actor, at);

-- Append-only: an audit trail that whoever holds the database credentials could rewrite or thin
-- out would prove nothing. The service only ever inserts; this refuses the rest even to it.
CREATE FUNCTION personal_data_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'personal_data_audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER personal_data_audit_append_only
    BEFORE UPDATE OR DELETE ON personal_data_audit
    FOR EACH ROW EXECUTE FUNCTION personal_data_audit_is_append_only();

-- TRUNCATE skips row triggers: a statement trigger refuses it too.
CREATE TRIGGER personal_data_audit_no_truncate
    BEFORE TRUNCATE ON personal_data_audit
    FOR EACH STATEMENT EXECUTE FUNCTION personal_data_audit_is_append_only();

-- Who asked for an erasure, when a customer asked for their own: a keyed hash of their account
-- (as erased identifiers are remembered), so they may follow their request and no one else's.
ALTER TABLE erasure_requests ADD COLUMN requested_by TEXT;
