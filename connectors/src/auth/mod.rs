//! Authentication of the three kinds of caller: shopper apps, JWO, and administrators.
