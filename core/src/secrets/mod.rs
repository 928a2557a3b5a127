//! Secret stores.
