-- Sign-outs reported by the app. Every app route rejects a user's access tokens issued (iat)
-- before `revoked_before`, so a token copied before the sign-out stops working early.
CREATE TABLE session_revocations (
    cognito_sub     TEXT PRIMARY KEY,       -- the user pool's `sub` of the signed-out user
    revoked_before  BIGINT NOT NULL,        -- unix seconds of the latest sign-out
    updated_at      BIGINT NOT NULL         -- unix milliseconds
);
