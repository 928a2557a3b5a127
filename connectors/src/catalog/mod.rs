//! Catalog: import and conversion.
