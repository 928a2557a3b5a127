//! Core configuration.
