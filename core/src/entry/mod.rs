//! Rotating entry codes (format 1) and their QR rendering.
//!
//! [`code`] derives the code the app shows, [`verify`] parses and checks a scanned code on the
//! server side, and [`render`] draws a code as a QR symbol. All three are pure: no clock, storage,
//! network or logging, so the app core and the connectors share them. The app's side of the
//! credential (enrollment, storage, renewal and the `Walkout` methods) is in [`session`] and
//! [`credential_store`].
pub mod code;
pub mod credential_store;
pub mod render;
pub mod session;
mod session_error;
pub mod verify;

pub use code::{DeriveError, EntryCode, EntryCredential, StepError, code_text, derive_code};
pub use credential_store::EntryCredentialInfo;
pub use render::{QrMatrix, RenderError, TerminalBackground};
pub use session_error::{CREDENTIAL_FIELD, EXPIRED_REASON, NOT_ENROLLED_REASON};
pub use verify::{CodeError, ParsedCode, accepted_step_window, parse_code, verify_tag};
