-- At most one live default card per shopper. Two registrations that race to become the
-- default cannot both succeed: the loser's insert fails, and its retry finds the winner's row.
CREATE UNIQUE INDEX payment_methods_one_default
    ON payment_methods (shopper_id) WHERE is_default = 1 AND removed_at IS NULL;
