//! Entry code derivation.
