//! The entry credential and the rotating entry code.

use walkout_core::entry;

/// The public part of the device's entry credential.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EntryCredentialInfo {
    /// The credential id in lower-case hex (16 characters).
    pub credential_id: String,
    /// Rotation period of the codes, in seconds.
    pub period_secs: u32,
    /// End of validity, Unix seconds in server time.
    pub expires_at_unix: i64,
    /// From this instant on (Unix seconds, server time) the app enrolls a new credential.
    pub renew_after_unix: i64,
}

impl From<entry::EntryCredentialInfo> for EntryCredentialInfo {
    fn from(info: entry::EntryCredentialInfo) -> Self {
        Self {
            credential_id: info.credential_id,
            period_secs: info.period_secs,
            expires_at_unix: info.expires_at_unix,
            renew_after_unix: info.renew_after_unix,
        }
    }
}

/// The entry code of the current time step. The text admits its holder to the store: show
/// it, never log it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct EntryCode {
    /// The 38-character code: `W1` followed by 36 Base32 characters.
    pub text: String,
    /// The time step that the code encodes.
    pub step: u32,
    /// Whole seconds until the next code, rounded up: from 1 up to the period.
    pub seconds_until_rotation: u32,
    /// Milliseconds until the next code; schedule the next call at this distance.
    pub millis_until_rotation: u64,
}

/// Leaves out the text.
impl std::fmt::Debug for EntryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryCode")
            .field("step", &self.step)
            .field("seconds_until_rotation", &self.seconds_until_rotation)
            .finish_non_exhaustive()
    }
}

impl From<entry::EntryCode> for EntryCode {
    fn from(code: entry::EntryCode) -> Self {
        Self {
            text: code.text,
            step: code.step,
            seconds_until_rotation: code.seconds_until_rotation,
            millis_until_rotation: code.millis_until_rotation,
        }
    }
}
