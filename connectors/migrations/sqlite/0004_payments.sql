-- Payments: each trip's payment state, the shoppers' PSP customers, received PSP webhooks, and
-- the state of the embedded sandbox PSP (tables prefixed `psp_`). Card numbers and CVCs are
-- never stored in any of them.

-- One row per trip that needed a hold; the row is the idempotency anchor of the trip's hold.
CREATE TABLE trip_payments (
    trip_id               TEXT PRIMARY KEY,     -- the gate's trip id (UUID)
    shopper_id            TEXT NOT NULL,
    store_id              TEXT NOT NULL,
    status                TEXT NOT NULL,        -- hold_pending, held, adjusted, captured, canceled, expired, failed
    currency              TEXT NOT NULL,        -- ISO 4217, upper case
    hold_minor            BIGINT NOT NULL,      -- amount currently authorized
    payment_method_id     TEXT NOT NULL,        -- payment_methods.id of the card held
    psp_payment_method    TEXT NOT NULL,        -- the PSP's token of that card
    psp_customer          TEXT,                 -- the PSP's customer of that card
    authorization_id      TEXT,                 -- the PSP's id of the hold (PaymentIntent id)
    increment_available   BIGINT NOT NULL DEFAULT 0,  -- 1 when the PSP allows raising the hold
    hold_expires_at       BIGINT,               -- unix milliseconds when the PSP lets the hold lapse
    total_minor           BIGINT,               -- the trip's final total, once known
    captured_minor        BIGINT NOT NULL DEFAULT 0,  -- captured from the hold
    charged_minor         BIGINT NOT NULL DEFAULT 0,  -- charged off-session beyond the hold
    outstanding_minor     BIGINT NOT NULL DEFAULT 0,  -- owed by the shopper after a failed charge
    written_off_minor     BIGINT NOT NULL DEFAULT 0,  -- below the PSP minimum, not charged
    increments            BIGINT NOT NULL DEFAULT 0,  -- increment attempts made
    reauthorizations      BIGINT NOT NULL DEFAULT 0,  -- holds replaced by the reconciler
    balance_attempts      BIGINT NOT NULL DEFAULT 0,  -- settled attempts to collect the balance
    failure_code          TEXT,                 -- PSP decline code or our reason of the last failure
    created_at            BIGINT NOT NULL,      -- unix milliseconds
    updated_at            BIGINT NOT NULL
);
CREATE INDEX trip_payments_by_shopper ON trip_payments (shopper_id);
CREATE INDEX trip_payments_by_status ON trip_payments (status, hold_expires_at);

-- The PSP customer of each shopper, created when the first card is registered.
CREATE TABLE payment_customers (
    shopper_id    TEXT PRIMARY KEY,
    psp_customer  TEXT NOT NULL,                -- e.g. "cus_…"
    created_at    BIGINT NOT NULL
);

-- PSP webhook events received, by event id, so a redelivered event has no second effect.
CREATE TABLE psp_webhook_events (
    id           TEXT PRIMARY KEY,              -- the PSP's event id, e.g. "evt_…"
    event_type   TEXT NOT NULL,                 -- e.g. "payment_intent.canceled"
    payload      TEXT NOT NULL,                 -- the raw JSON body
    received_at  BIGINT NOT NULL
);

-- Sandbox PSP: customers.
CREATE TABLE psp_customers (
    id          TEXT PRIMARY KEY,               -- "cus_…"
    email       TEXT,
    metadata    TEXT NOT NULL,                  -- JSON object
    created_at  BIGINT NOT NULL                 -- unix seconds, as Stripe reports `created`
);

-- Sandbox PSP: tokenized cards. `behaviour` names the test card's scripted outcome (never the
-- number); `fingerprint` is a keyed hash of the number.
CREATE TABLE psp_payment_methods (
    id           TEXT PRIMARY KEY,              -- "pm_…"
    customer     TEXT,
    brand        TEXT NOT NULL,
    last4        TEXT NOT NULL,
    exp_month    BIGINT NOT NULL,
    exp_year     BIGINT NOT NULL,
    funding      TEXT NOT NULL,                 -- credit, debit or prepaid
    fingerprint  TEXT NOT NULL,
    behaviour    TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Sandbox PSP: PaymentIntents with their single charge.
CREATE TABLE psp_payment_intents (
    id                   TEXT PRIMARY KEY,      -- "pi_…"
    charge_id            TEXT,                  -- "ch_…" once confirmed successfully
    amount               BIGINT NOT NULL,
    amount_capturable    BIGINT NOT NULL,
    amount_received      BIGINT NOT NULL,
    amount_refunded      BIGINT NOT NULL,
    currency             TEXT NOT NULL,         -- lower case, as Stripe reports it
    status               TEXT NOT NULL,
    capture_method       TEXT NOT NULL,         -- automatic or manual
    customer             TEXT,
    payment_method       TEXT,
    metadata             TEXT NOT NULL,         -- JSON object
    incremental          TEXT,                  -- available, unavailable, or NULL when not requested
    increment_attempts   BIGINT NOT NULL,
    capture_before       BIGINT,                -- unix seconds
    cancellation_reason  TEXT,
    canceled_at          BIGINT,
    last_error           TEXT,                  -- JSON of last_payment_error
    created_at           BIGINT NOT NULL
);

-- Sandbox PSP: one row per successful capture, so tests can count charges.
CREATE TABLE psp_captures (
    id              TEXT PRIMARY KEY,
    payment_intent  TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX psp_captures_by_intent ON psp_captures (payment_intent);

-- Sandbox PSP: refunds.
CREATE TABLE psp_refunds (
    id              TEXT PRIMARY KEY,           -- "re_…"
    payment_intent  TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Sandbox PSP: stored responses of POSTs with an Idempotency-Key, as Stripe replays them.
CREATE TABLE psp_idempotency (
    key            TEXT PRIMARY KEY,
    request_hash   TEXT NOT NULL,               -- hex SHA-256 of method, path and body
    status         BIGINT NOT NULL,             -- 0 while the first request runs
    response_body  TEXT NOT NULL,
    created_at     BIGINT NOT NULL              -- unix milliseconds
);
