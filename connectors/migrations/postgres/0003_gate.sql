-- Entry credentials that shopper apps enroll for offline rotating entry codes. The secret is
-- sealed with AES-256-GCM under a data key kept outside the database.
CREATE TABLE entry_credentials (
    id             TEXT PRIMARY KEY,        -- the 8-byte credential id as 16 lower-case hex characters
    shopper_id     TEXT NOT NULL REFERENCES shoppers (id),
    device_name    TEXT,                    -- free text from the app, shown in the list
    secret_key_id  TEXT NOT NULL,           -- id of the data key that sealed the secret
    secret_sealed  TEXT NOT NULL,           -- Base64 of nonce, ciphertext and tag
    period_secs    BIGINT NOT NULL,         -- rotation period of the codes
    created_at     BIGINT NOT NULL,         -- unix milliseconds
    expires_at     BIGINT NOT NULL,         -- unix milliseconds
    revoked_at     BIGINT                   -- unix milliseconds; NULL while the credential is valid
);
CREATE INDEX entry_credentials_by_shopper ON entry_credentials (shopper_id);

-- Fixed identity keys for tests and store associates, admitted without a payment hold. Only
-- the SHA-256 of the scanned text is stored.
CREATE TABLE static_keys (
    id            TEXT PRIMARY KEY,         -- UUID v7
    store_id      TEXT NOT NULL,
    key_hash      TEXT NOT NULL,            -- lower-case hex SHA-256 of the scanned text
    visitor_id    TEXT NOT NULL,            -- returned as visitorDetails.id
    visitor_type  TEXT NOT NULL,            -- 'SHOPPER' (test trips) or 'ASSOCIATE'
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE UNIQUE INDEX static_keys_active ON static_keys (store_id, key_hash) WHERE revoked_at IS NULL;

-- One row per entry code (credential and time step) that reached the group check: the store
-- it is bound to and how many scans it admitted. The conditional UPDATE of `scans` is what
-- keeps concurrent scans of one code within the group limit.
CREATE TABLE entry_codes (
    credential_id  TEXT NOT NULL,
    step           BIGINT NOT NULL,
    store_id       TEXT NOT NULL,           -- the store that took the first scan
    trip_id        TEXT NOT NULL,           -- the trip the first scan opens (or tried to open)
    first_scan_at  BIGINT NOT NULL,         -- unix milliseconds
    scans          BIGINT NOT NULL,         -- scans counted against the group limit
    state          TEXT NOT NULL,           -- 'pending', 'admitted' or 'denied' (the first scan)
    denial_reason  TEXT,                    -- problem slug when state is 'denied'
    PRIMARY KEY (credential_id, step)
);

-- Shopping trips, opened at the gate and carried on by ordering and payments.
CREATE TABLE trips (
    id             TEXT PRIMARY KEY,        -- UUID v7
    store_id       TEXT NOT NULL,
    shopper_id     TEXT REFERENCES shoppers (id),  -- NULL for a static key
    visitor_id     TEXT NOT NULL,           -- visitorDetails.id given to JWO
    credential_id  TEXT,                    -- hex credential id; NULL for a static key
    code_step      BIGINT,                  -- time step of the entry code; NULL for a static key
    auth_event_id  TEXT NOT NULL,           -- authEvent.id of the first scan
    state          TEXT NOT NULL,           -- entered, cart_received, charged, payment_failed, receipt_ready, closed_empty
    is_test        BIGINT NOT NULL DEFAULT 0,      -- 1: opened by a static SHOPPER key, never charged
    is_associate   BIGINT NOT NULL DEFAULT 0,      -- 1: opened by a static ASSOCIATE key
    entered_at     BIGINT NOT NULL,         -- unix milliseconds
    updated_at     BIGINT NOT NULL
);
CREATE INDEX trips_by_visitor ON trips (store_id, visitor_id, entered_at);
CREATE INDEX trips_by_shopper ON trips (shopper_id, entered_at);

-- Every admitted scan of a trip (the first one and each companion), so a cart matches its trip
-- by any of its authEvents[].id.
CREATE TABLE trip_auth_events (
    auth_event_id  TEXT PRIMARY KEY,
    trip_id        TEXT NOT NULL REFERENCES trips (id),
    ordinal        BIGINT NOT NULL,         -- 1 for the first scan, then 2, 3, … for companions
    request_id     TEXT NOT NULL,
    admitted_at    BIGINT NOT NULL
);
CREATE INDEX trip_auth_events_by_trip ON trip_auth_events (trip_id);

-- The answer to every VerifyIdentityKeys call that passed validation, so a repeated requestId
-- or authEvent.id gets the first answer again without a second effect.
CREATE TABLE gate_decisions (
    request_id     TEXT PRIMARY KEY,
    auth_event_id  TEXT NOT NULL UNIQUE,
    store_id       TEXT NOT NULL,
    status         BIGINT NOT NULL,         -- HTTP status; 0 while the decision is being made
    reason         TEXT,                    -- 'admitted' or the problem slug of the denial
    body           TEXT NOT NULL,           -- JSON body of the answer
    trip_id        TEXT,
    created_at     BIGINT NOT NULL
);
