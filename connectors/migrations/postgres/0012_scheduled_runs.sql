-- Claims of scheduled runs, so that a job every instance schedules runs once per period.
--
-- The first instance to insert the row of (job_name, period_start) runs the period; the others
-- see the row and skip. A claim whose lease expires while it is still 'running' belongs to an
-- instance that stopped, and another instance takes it over with a conditional UPDATE.
CREATE TABLE scheduled_runs (
    job_name          TEXT NOT NULL,         -- e.g. 'offers-recompute'
    period_start      BIGINT NOT NULL,       -- unix milliseconds, a multiple of the job's interval
    state             TEXT NOT NULL,         -- 'running', 'done' or 'failed'
    owner             TEXT NOT NULL,         -- the instance that holds or held the claim
    lease_expires_at  BIGINT NOT NULL,       -- unix milliseconds; a 'running' row past it may be taken over
    attempts          BIGINT NOT NULL,       -- claims of this period, takeovers included
    claimed_at        BIGINT NOT NULL,
    finished_at       BIGINT,                -- set when the state leaves 'running'
    result            TEXT,                  -- the run's counts as JSON, when done
    last_error        TEXT,                  -- why the latest attempt failed
    PRIMARY KEY (job_name, period_start)
);
