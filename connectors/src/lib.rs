//! Walkout connectors: the backend service that Amazon Just Walk Out and the shopper apps call.

pub mod auth;
pub mod catalog;
pub mod pricing;
