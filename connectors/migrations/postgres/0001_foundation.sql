-- Administrator API keys. Only the SHA-256 of a key is stored; the key itself is shown once.
CREATE TABLE admin_keys (
    id           TEXT PRIMARY KEY,          -- UUID v7
    key_hash     TEXT NOT NULL UNIQUE,      -- lower-case hex SHA-256 of the whole key text
    scopes       TEXT NOT NULL,             -- space-separated scope names, e.g. "catalog:write"
    label        TEXT NOT NULL DEFAULT '',  -- free text to tell keys apart
    created_at   BIGINT NOT NULL,           -- unix milliseconds
    revoked_at   BIGINT                     -- unix milliseconds; NULL while the key is valid
);

-- Gap-free sequences (receipt change_seq, outbox event ids). A row is incremented inside the
-- writing transaction, so values commit in order and a reader never skips a late commit.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
