//! Walkout connectors: the backend service that Amazon Just Walk Out and the shopper apps call.
//!
//! Start reading at [`server`]: it shows how a request travels from the socket to the database.

pub mod app_api;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod db;
pub mod gate;
pub mod idempotency;
pub mod kpi;
pub mod offers;
pub mod ordering;
pub mod outbox;
pub mod payments;
pub mod pos;
pub mod pricing;
pub mod problem;
pub mod receipts;
pub mod server;
pub mod shoppers;
pub mod telemetry;
