//! The records and enums that cross the FFI boundary, each a copy of a core type with a
//! `From` conversion.
//!
//! They are copies rather than derives on the core's own types so that the core stays free of
//! FFI concerns and a new field in the core is not exported until it is added here. Conversions
//! only move fields; they never decide anything.

pub mod account;
pub mod auth;
pub mod auth_options;
pub mod config;
pub mod entry;
pub mod health;
pub mod offers;
pub mod receipts;
pub mod trips;
pub mod wallet;
