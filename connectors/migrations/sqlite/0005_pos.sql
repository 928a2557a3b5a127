-- POS export jobs: one row per (sink, transaction), retried with backoff until it is done or
-- dead-lettered. A worker claims a job by setting a lease; a lease that has run out may be
-- taken by another worker.
CREATE TABLE pos_export_jobs (
    id               TEXT PRIMARY KEY,          -- UUID v7
    sink             TEXT NOT NULL,             -- the sink's name: 'csv', 'poslog', 'webhook', ...
    transaction_id   TEXT NOT NULL,             -- idempotency key: '<trip id>-v<receipt version>'
    payload          TEXT NOT NULL,             -- the POS transaction as JSON
    attempts         BIGINT NOT NULL DEFAULT 0, -- export attempts made so far
    next_attempt_at  BIGINT NOT NULL,           -- unix milliseconds; the job is due from then
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'done', 'dead')),
    last_error       TEXT,                      -- message of the latest failed attempt
    lease_until      BIGINT,                    -- unix milliseconds; the claim holds until then
    lease_owner      TEXT,                      -- random token of the worker holding the claim
    created_at       BIGINT NOT NULL,           -- unix milliseconds
    updated_at       BIGINT NOT NULL,           -- unix milliseconds
    UNIQUE (sink, transaction_id)
);
CREATE INDEX pos_export_jobs_due ON pos_export_jobs (state, next_attempt_at);
