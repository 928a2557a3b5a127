//! Clock-offset model shared by token expiry and entry codes.
