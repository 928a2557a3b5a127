//! Rotating entry codes (format 1) and their QR rendering.
pub mod code;
pub mod render;
