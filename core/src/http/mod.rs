//! Backend HTTP client.
