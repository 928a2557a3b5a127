//! QR rendering of entry codes.
