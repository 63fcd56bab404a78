-- The unlimited-repair subscription: subscriptions and their devices, the renewal schedule (one
-- row per subscription, the row that locks it), and the local billing ledger (charges paid or
-- declined, refunds, and the declines staff script to rehearse a failing card).

CREATE TABLE subscriptions (
    subscription_id             TEXT PRIMARY KEY,
    customer_id                 TEXT NOT NULL,
    market                      TEXT NOT NULL,
    currency                    TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    price_minor                 BIGINT NOT NULL CHECK (price_minor > 0),
    channel                     TEXT NOT NULL CHECK (channel IN ('online', 'own_shop', 'partner_shop')),
    shop_id                     TEXT,
    started_at                  TIMESTAMPTZ NOT NULL,
    period_start                TIMESTAMPTZ NOT NULL,
    paid_through                TIMESTAMPTZ NOT NULL,
    status                      TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'suspended', 'cancelled', 'expired')),
    overdue_since               TIMESTAMPTZ,
    first_failed_at             TIMESTAMPTZ,
    failed_attempts             INT NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    next_attempt_at             TIMESTAMPTZ,
    cancelled_at                TIMESTAMPTZ,
    cancelled_by                TEXT,
    cancel_reason               TEXT NOT NULL DEFAULT '',
    -- The market's fair use when the customer subscribed: the terms they signed up to.
    waiting_days                INT NOT NULL CHECK (waiting_days >= 0),
    claims_per_device_per_year  INT NOT NULL CHECK (claims_per_device_per_year >= 0),
    devices_per_subscription    INT NOT NULL CHECK (devices_per_subscription >= 1),
    CHECK (paid_through > period_start),
    CHECK ((channel = 'online') = (shop_id IS NULL)),
    -- A paid period is never lost to dunning: what is overdue starts where the paid period ends.
    CHECK (overdue_since IS NULL OR overdue_since >= paid_through),
    CHECK ((status IN ('past_due', 'suspended')) = (overdue_since IS NOT NULL)),
    CHECK ((status IN ('cancelled', 'expired')) = (cancelled_at IS NOT NULL))
);
CREATE INDEX subscriptions_of_customer ON subscriptions (customer_id, started_at DESC, subscription_id DESC);

CREATE TABLE subscription_devices (
    subscription_id   TEXT NOT NULL REFERENCES subscriptions (subscription_id),
    position          INT NOT NULL,
    identifier_kind   TEXT NOT NULL CHECK (identifier_kind IN ('imei', 'serial')),
    identifier_value  TEXT NOT NULL,
    category          TEXT NOT NULL,
    model             TEXT NOT NULL,
    -- The subscription is active, past due or suspended: kept here for the index below.
    live              BOOLEAN NOT NULL,
    PRIMARY KEY (subscription_id, position)
);
-- A device is on one live subscription at most.
CREATE UNIQUE INDEX subscription_devices_one_live_plan ON subscription_devices (identifier_kind, identifier_value)
    WHERE live;
CREATE INDEX subscription_devices_by_device ON subscription_devices (identifier_kind, identifier_value);

-- When the renewal run next looks at a subscription (renewal, retry, overdue step, expiry); NULL:
-- never again. Claimed with FOR UPDATE SKIP LOCKED; every change of a subscription locks its row.
CREATE TABLE renewal_schedule (
    subscription_id  TEXT PRIMARY KEY REFERENCES subscriptions (subscription_id),
    due_at           TIMESTAMPTZ
);
CREATE INDEX renewal_schedule_due ON renewal_schedule (due_at) WHERE due_at IS NOT NULL;

-- The local billing ledger, standing in for a payment provider (which knows nothing of our
-- subscriptions table: no foreign key). Each attempt at a period's charge is a row; a period is
-- paid once at most, and asked again the ledger answers that first charge.
CREATE TABLE billing_charges (
    entry_id         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    charge_id        TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL,
    period_start     TIMESTAMPTZ NOT NULL,
    attempt          INT NOT NULL CHECK (attempt >= 1),
    outcome          TEXT NOT NULL CHECK (outcome IN ('paid', 'declined')),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason           TEXT NOT NULL DEFAULT '',
    at               TIMESTAMPTZ NOT NULL,
    UNIQUE (subscription_id, period_start, attempt),
    CHECK ((outcome = 'declined') = (reason <> ''))
);
CREATE UNIQUE INDEX billing_charges_one_paid_per_period ON billing_charges (subscription_id, period_start)
    WHERE outcome = 'paid';

CREATE TABLE billing_refunds (
    entry_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    charge_id     TEXT NOT NULL REFERENCES billing_charges (charge_id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    at            TIMESTAMPTZ NOT NULL
);

-- "Decline the next N charges of this subscription with this reason": the local ledger's script.
CREATE TABLE billing_scripted_declines (
    subscription_id  TEXT PRIMARY KEY,
    remaining        INT NOT NULL CHECK (remaining >= 0),
    reason           TEXT NOT NULL
);
