-- Purchases from JWO's CreatePurchases, one per idempotentShoppingTripId. The row and its job
-- are written in one transaction before the 201 is sent, so an accepted cart is never lost.
CREATE TABLE purchases (
    purchase_id                  TEXT PRIMARY KEY,       -- UUID v7, returned to JWO as purchaseId
    idempotent_shopping_trip_id  TEXT NOT NULL UNIQUE,   -- JWO's idempotency key; a repeat finds this row
    request_id                   TEXT NOT NULL,          -- requestId of the first delivery, for tracing only
    store_id                     TEXT NOT NULL,
    trip_id                      TEXT,                   -- matched gate trip; NULL when no trip matched
    shopper_id                   TEXT,                   -- owner of the matched trip; NULL when unmatched
    match_method                 TEXT NOT NULL,          -- 'auth-event', 'visitor' or 'unmatched'
    charge_mode                  TEXT NOT NULL,          -- 'charge', 'test' (associate or static test key) or 'none' (unmatched)
    request                      TEXT NOT NULL,          -- the validated request as JSON
    priced_cart                  TEXT NOT NULL,          -- the priced cart as JSON (sale, discount, unpriced lines, taxes)
    currency                     TEXT NOT NULL,          -- ISO 4217 code of the store
    net_minor                    BIGINT NOT NULL,        -- total without tax, minor units
    tax_minor                    BIGINT NOT NULL,        -- tax, minor units
    grand_minor                  BIGINT NOT NULL,        -- amount to charge, minor units
    unpriced_count               BIGINT NOT NULL,        -- cart lines not charged because the catalog lacks them
    state                        TEXT NOT NULL,          -- 'accepted', 'settled', 'receipt_issued', 'completed', 'unmatched' or 'failed'
    captured_minor               BIGINT,                 -- amount the PSP captured; NULL until settled
    outstanding_minor            BIGINT,                 -- amount left unpaid by a failed capture; NULL until settled
    created_at                   BIGINT NOT NULL,        -- unix milliseconds
    updated_at                   BIGINT NOT NULL         -- unix milliseconds of the last state change
);
CREATE INDEX purchases_by_trip ON purchases (trip_id);

-- Receipt versions. A refund adds a version; an issued version is never changed. Every row
-- takes a new change_seq from the `change_seq` counter inside its writing transaction, so the
-- app's sync feed (ordered by change_seq) never skips a late commit.
CREATE TABLE receipts (
    receipt_id   TEXT NOT NULL,             -- the purchase_id of the sale
    version      BIGINT NOT NULL,           -- 1 for the sale, 2… for each refund
    change_seq   BIGINT NOT NULL UNIQUE,    -- position in the sync feed
    shopper_id   TEXT,                      -- recipient shopper; NULL for associate and test trips without one
    trip_id      TEXT,                      -- gate trip of the sale
    deleted      BIGINT NOT NULL DEFAULT 0, -- 1 for a tombstone (the shopper deleted the account)
    document     TEXT NOT NULL,             -- the receipt as JSON with ARTS names
    created_at   BIGINT NOT NULL,           -- unix milliseconds
    PRIMARY KEY (receipt_id, version)
);
CREATE INDEX receipts_by_shopper ON receipts (shopper_id, change_seq);

-- Refunds requested through the admin API, one per (purchase, Idempotency-Key).
CREATE TABLE purchase_refunds (
    refund_id        TEXT PRIMARY KEY,      -- UUID v7
    purchase_id      TEXT NOT NULL REFERENCES purchases (purchase_id),
    idempotency_key  TEXT NOT NULL,         -- the caller's Idempotency-Key header
    request_hash     TEXT NOT NULL,         -- hex SHA-256 of the body; a repeat with another body is a 422
    request          TEXT NOT NULL,         -- the refund request as JSON (lines or amount)
    amount_minor     BIGINT NOT NULL,       -- amount to refund, minor units
    currency         TEXT NOT NULL,
    state            TEXT NOT NULL,         -- 'pending', 'refunded' or 'failed'
    psp_refund_id    TEXT,                  -- the PSP's refund id once refunded
    receipt_version  BIGINT,                -- receipt version that records the refund
    created_at       BIGINT NOT NULL,
    UNIQUE (purchase_id, idempotency_key)
);

-- Durable work after the 201: one job per purchase (and one per refund), claimed with a lease
-- so a crashed worker's job is taken over when the lease expires. Each step records its result
-- before the next runs, and a step's effects are idempotent, so a retry repeats no effect.
CREATE TABLE ordering_jobs (
    job_id            TEXT PRIMARY KEY,     -- UUID v7
    kind              TEXT NOT NULL,        -- 'purchase' or 'refund'
    purchase_id       TEXT NOT NULL REFERENCES purchases (purchase_id),
    refund_id         TEXT,                 -- for 'refund' jobs
    step              TEXT NOT NULL,        -- next step to run: 'settle', 'receipt', 'export', 'notify' or 'done'
    settlement        TEXT,                 -- result of the settle step as JSON
    state             TEXT NOT NULL,        -- 'pending', 'done' or 'dead' (dead letter: retries exhausted)
    attempts          BIGINT NOT NULL DEFAULT 0,  -- failed attempts so far
    next_attempt_at   BIGINT NOT NULL,      -- unix milliseconds before which the job is not claimed
    lease_owner       TEXT,                 -- worker that holds the lease
    lease_expires_at  BIGINT,               -- unix milliseconds; the lease is free after it
    last_error        TEXT,                 -- why the last attempt failed
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX ordering_jobs_due ON ordering_jobs (state, next_attempt_at);
CREATE UNIQUE INDEX ordering_jobs_one_per_refund ON ordering_jobs (purchase_id, kind, refund_id);
