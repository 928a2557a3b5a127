-- Shopper profiles, registered devices with their push tokens, and the accounts that were
-- deleted. Times are unix milliseconds and booleans BIGINT 0 or 1, as in the other tables.

-- One profile per shopper, created by the first PATCH. Account deletion deletes the row.
CREATE TABLE profiles (
    shopper_id        TEXT PRIMARY KEY,        -- shoppers.id
    display_name      TEXT,                    -- 1 to 80 characters; NULL when not set
    email             TEXT,                    -- set by the shopper; NULL: the token's email is used
    locale            TEXT,                    -- BCP 47 tag such as 'en-GB'; NULL when not set
    marketing_email   BIGINT NOT NULL DEFAULT 0,  -- 1: the shopper accepts marketing e-mail
    marketing_push    BIGINT NOT NULL DEFAULT 0,  -- 1: the shopper accepts marketing push messages
    updated_at        BIGINT NOT NULL
);

-- Devices the app registered. The device id is chosen by the app and is unique per shopper
-- only, so two shoppers on one phone get two rows. Account deletion deletes the rows.
CREATE TABLE devices (
    shopper_id          TEXT NOT NULL,         -- shoppers.id
    device_id           TEXT NOT NULL,         -- 1 to 128 characters from the app
    platform            TEXT NOT NULL,         -- 'ios', 'android' or 'other'
    app_version         TEXT NOT NULL,         -- 1 to 32 characters, such as '1.4.2'
    push_token          TEXT,                  -- APNs or FCM token; never logged; NULL when none
    push_token_updated_at BIGINT,              -- when push_token was last set or cleared
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (shopper_id, device_id)
);

-- Deleted accounts, so a token of a deleted user gets 410 instead of a fresh shopper record.
-- Only a keyed hash of the Cognito `sub` is kept, never the `sub` itself or the shopper id,
-- so the row cannot be joined to the purchases that were kept.
CREATE TABLE deleted_accounts (
    sub_hash     TEXT PRIMARY KEY,             -- hex HMAC-SHA256 of the `sub` under the service data key
    deleted_at   BIGINT NOT NULL
);
