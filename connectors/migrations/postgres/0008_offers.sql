-- Offers to shoppers, the shoppers' consent to targeted offers, and the association rules that
-- targeted offers are made from.
--
-- Times are unix milliseconds and booleans BIGINT 0 or 1, as in the other tables. Rule
-- measures are BIGINT millionths, so both engines compare them exactly.

-- Offers. A general offer is defined by the retailer through the admin API and shown to every
-- shopper; a targeted offer is made by the association-rule job for the shoppers named in
-- offer_targets. A withdrawn offer is kept for reports but never shown or applied again.
CREATE TABLE offers (
    offer_id      TEXT PRIMARY KEY,          -- 1 to 64 characters; targeted ids start with 'assoc-'
    store_id      TEXT,                      -- the store it applies in; NULL: every store
    kind          TEXT NOT NULL,             -- 'general' or 'targeted'
    title         TEXT NOT NULL,             -- 1 to 100 characters, the receipt's discount line text
    description   TEXT NOT NULL,             -- longer text for the app ('' when none)
    rule          TEXT NOT NULL,             -- the promotion rule as JSON, the shapes of promotions.kind
    active_from   BIGINT,                    -- inclusive start; NULL: always started
    active_to     BIGINT,                    -- exclusive end; NULL: no end
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT                     -- set when withdrawn; NULL while the offer stands
);
CREATE INDEX offers_by_kind ON offers (kind, store_id);

-- The shoppers a targeted offer is for. Only shoppers who opted in to targeted offers get rows;
-- withdrawing consent deletes the shopper's rows.
CREATE TABLE offer_targets (
    offer_id     TEXT NOT NULL REFERENCES offers (offer_id),
    shopper_id   TEXT NOT NULL,              -- shoppers.id
    reason       TEXT NOT NULL,              -- the explanation shown to the shopper
    score        BIGINT NOT NULL,            -- lift of the rule behind the offer, in millionths
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (offer_id, shopper_id)
);
CREATE INDEX offer_targets_by_shopper ON offer_targets (shopper_id);

-- Offers a shopper activated. The purchase that applies the offer records itself here in its
-- own transaction, so an activation is redeemed at most once.
CREATE TABLE offer_activations (
    offer_id              TEXT NOT NULL REFERENCES offers (offer_id),
    shopper_id            TEXT NOT NULL,     -- shoppers.id
    activated_at          BIGINT NOT NULL,
    redeemed_purchase_id  TEXT,              -- purchases.purchase_id; NULL until redeemed
    redeemed_at           BIGINT,
    PRIMARY KEY (offer_id, shopper_id)
);
CREATE INDEX offer_activations_by_shopper ON offer_activations (shopper_id);

-- Consent history, append-only: every change is a row, and the latest row of a shopper and
-- purpose is the current state. A shopper without rows has not opted in.
CREATE TABLE consents (
    shopper_id  TEXT NOT NULL,               -- shoppers.id
    purpose     TEXT NOT NULL,               -- 'targeted-offers'
    granted     BIGINT NOT NULL,             -- 1: opted in; 0: opted out
    changed_at  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,             -- 1, 2, … per shopper and purpose: orders changes made within one millisecond
    PRIMARY KEY (shopper_id, purpose, seq)
);

-- Association rules X -> Y mined from the priced lines of a store's purchases. A recomputation
-- replaces a store's rows in one transaction.
CREATE TABLE association_rules (
    store_id     TEXT NOT NULL,
    antecedent   TEXT NOT NULL,              -- SKU X, as the catalog spells it
    consequent   TEXT NOT NULL,              -- SKU Y
    support      BIGINT NOT NULL,            -- share of baskets with X and Y, in millionths
    confidence   BIGINT NOT NULL,            -- share of baskets with X that also have Y, in millionths
    lift         BIGINT NOT NULL,            -- confidence over the share of baskets with Y, in millionths
    computed_at  BIGINT NOT NULL,
    PRIMARY KEY (store_id, antecedent, consequent)
);
