//! Shopper sign-in: Cognito SRP and the session.
pub mod srp;
