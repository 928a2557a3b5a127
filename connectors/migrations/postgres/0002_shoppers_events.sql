-- Shoppers known to the service, created on their first authenticated app request.
CREATE TABLE shoppers (
    id           TEXT PRIMARY KEY,          -- UUID v7, internal
    cognito_sub  TEXT NOT NULL UNIQUE,      -- the user pool's `sub`; never sent to JWO
    visitor_id   TEXT NOT NULL UNIQUE,      -- UUID v7 sent to JWO as visitorDetails.id
    status       TEXT NOT NULL,             -- 'active', 'suspended' or 'deleted'
    created_at   BIGINT NOT NULL,           -- unix milliseconds
    deleted_at   BIGINT                     -- unix milliseconds of account deletion
);

-- Cards saved by shoppers. Only the PSP's token and display data are kept: never the number
-- or the CVC.
CREATE TABLE payment_methods (
    id                 TEXT PRIMARY KEY,    -- UUID v7
    shopper_id         TEXT NOT NULL REFERENCES shoppers (id),
    psp_payment_method TEXT NOT NULL,       -- the PSP's token, e.g. "pm_…"
    psp_customer       TEXT,                -- the PSP's customer the token is attached to
    brand              TEXT NOT NULL,       -- "visa", "mastercard", …
    last4              TEXT NOT NULL,
    exp_month          BIGINT NOT NULL,     -- 1..=12
    exp_year           BIGINT NOT NULL,     -- four digits
    fingerprint        TEXT,                -- the PSP's card fingerprint, to spot duplicates
    is_default         BIGINT NOT NULL DEFAULT 0,  -- 1 for the shopper's default card
    created_at         BIGINT NOT NULL,
    removed_at         BIGINT               -- set when the shopper removes the card
);
CREATE INDEX payment_methods_by_shopper ON payment_methods (shopper_id);

-- Outbox: every event for apps, webhooks and POS export, with a global gap-free id taken from
-- the `event_id` counter inside the writing transaction.
CREATE TABLE events (
    id          BIGINT PRIMARY KEY,
    shopper_id  TEXT,                       -- recipient shopper, NULL for retailer-only events
    kind        TEXT NOT NULL,              -- e.g. 'entry-denied', 'receipt-ready'
    payload     TEXT NOT NULL,              -- JSON document
    created_at  BIGINT NOT NULL
);
CREATE INDEX events_by_shopper ON events (shopper_id, id);

-- Responses to app POSTs that carried an Idempotency-Key, kept 24 hours.
CREATE TABLE idempotency_keys (
    scope          TEXT NOT NULL,           -- the shopper id (keys are scoped per shopper)
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,           -- hex SHA-256 of method, path and body
    status         BIGINT NOT NULL,         -- HTTP status of the first response
    response_body  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
