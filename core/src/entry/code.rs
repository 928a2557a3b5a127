//! Derivation of the format-1 rotating entry code that the app shows at the store gate.
//!
//! A code is a pure function of the credential (id, secret, period), the measured clock offset
//! and an instant that the caller passes in. Nothing here reads a wall clock, touches storage or
//! logs, so the same code runs in the app, in the CLI and in tests, and the output depends only
//! on the inputs.
//!
//! Format 1: `"W1" + BASE32(credential_id ‖ u32_be(t) ‖ tag)` with
//! `t = floor((unix_seconds + clock_offset) / period)` and
//! `tag = HMAC-SHA256(secret, "walkout-entry-v1" ‖ credential_id ‖ u32_be(t))[0..10]`.
//! BASE32 is the RFC 4648 alphabet, upper case, without padding, so the 38 characters all lie in
//! the QR alphanumeric set and fill a version 2 symbol at error-correction level M.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use ring::hmac;
use zeroize::Zeroizing;

/// Prefix that names format 1.
pub const CODE_PREFIX: &str = "W1";
/// Length in characters of every format-1 code.
pub const CODE_LEN: usize = 38;
/// Length in bytes of a credential id.
pub const CREDENTIAL_ID_LEN: usize = 8;
/// Length in bytes of an entry secret.
pub const SECRET_LEN: usize = 32;
/// Length in bytes of the truncated HMAC tag carried in a code.
pub const TAG_LEN: usize = 10;
/// Rotation period that enrollment uses unless the service is configured otherwise.
pub const DEFAULT_PERIOD_SECS: u32 = 30;
/// Domain-separation label that starts every HMAC input.
pub(crate) const HMAC_LABEL: &[u8] = b"walkout-entry-v1";

/// Length in bytes of the Base32 payload: credential id, step and tag.
pub(crate) const PAYLOAD_LEN: usize = CREDENTIAL_ID_LEN + 4 + TAG_LEN;
/// Length in characters of the Base32 text after the prefix.
pub(crate) const PAYLOAD_TEXT_LEN: usize = CODE_LEN - CODE_PREFIX.len();

const MILLIS_PER_SEC: i128 = 1_000;

/// Credential for offline entry codes, as returned by enrollment.
///
/// `Debug` prints the id, period and expiry but never the secret.
#[derive(Clone)]
pub struct EntryCredential {
    /// Random id that the connector uses to look up the secret.
    pub credential_id: [u8; CREDENTIAL_ID_LEN],
    /// HMAC key shared with the connector, wiped from memory on drop.
    pub secret: Zeroizing<[u8; SECRET_LEN]>,
    /// Rotation period in seconds (30 by default). Zero is invalid and makes derivation fail.
    pub period_secs: u32,
    /// End of the credential's validity, Unix seconds in server time.
    pub expires_at_unix: i64,
}

impl EntryCredential {
    /// Creates a credential from the values that enrollment returned.
    pub fn new(
        credential_id: [u8; CREDENTIAL_ID_LEN],
        secret: [u8; SECRET_LEN],
        period_secs: u32,
        expires_at_unix: i64,
    ) -> Self {
        Self {
            credential_id,
            secret: Zeroizing::new(secret),
            period_secs,
            expires_at_unix,
        }
    }
}

impl fmt::Debug for EntryCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryCredential")
            .field("credential_id", &hex::encode(self.credential_id))
            .field("secret", &"<redacted>")
            .field("period_secs", &self.period_secs)
            .field("expires_at_unix", &self.expires_at_unix)
            .finish()
    }
}

/// Entry code for one time step, ready to render.
///
/// `Debug` leaves out the text, because a code admits its holder to the store.
#[derive(Clone, PartialEq, Eq)]
pub struct EntryCode {
    /// The 38-character code: `W1` followed by 36 Base32 characters.
    pub text: String,
    /// Time step `t` that the code encodes.
    pub step: u32,
    /// Whole seconds until the next step, rounded up: from 1 up to the period.
    pub seconds_until_rotation: u32,
    /// Milliseconds until the next step: from 1 up to the period in milliseconds. A caller can
    /// schedule the next derivation at exactly this distance.
    pub millis_until_rotation: u64,
}

impl fmt::Debug for EntryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryCode")
            .field("text", &"<redacted>")
            .field("step", &self.step)
            .field("seconds_until_rotation", &self.seconds_until_rotation)
            .field("millis_until_rotation", &self.millis_until_rotation)
            .finish()
    }
}

/// Reasons why no time step exists for an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The rotation period is zero.
    #[error("invalid entry credential: the rotation period is 0 seconds; enroll again")]
    ZeroPeriod,
    /// The corrected instant lies before 1970-01-01T00:00:00Z.
    #[error(
        "invalid instant: {unix_millis} ms is before the Unix epoch; check the device clock and the measured offset"
    )]
    BeforeEpoch {
        /// Corrected instant in Unix milliseconds (server time).
        unix_millis: i128,
    },
    /// The time step does not fit the 32 bits that format 1 carries.
    #[error(
        "invalid instant: time step {step} does not fit 32 bits; check the device clock and the measured offset"
    )]
    StepOverflow {
        /// The step that was computed.
        step: i128,
    },
}

/// Reasons why no entry code can be derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeriveError {
    /// No time step exists for the instant.
    #[error(transparent)]
    Step(#[from] StepError),
    /// The credential expired: the app must connect to renew it.
    #[error(
        "entry credential expired at {expires_at_unix} (Unix seconds, server time); connect to renew your entry code"
    )]
    CredentialExpired {
        /// Expiry of the credential, Unix seconds in server time.
        expires_at_unix: i64,
    },
}

/// Computes the time step for an instant in server time, given in Unix milliseconds.
///
/// `t = floor(unix_millis / (period_secs * 1000))`. The arithmetic runs in `i128`, so no input
/// overflows.
pub(crate) fn time_step(unix_millis: i128, period_secs: u32) -> Result<u32, StepError> {
    if period_secs == 0 {
        return Err(StepError::ZeroPeriod);
    }
    if unix_millis < 0 {
        return Err(StepError::BeforeEpoch { unix_millis });
    }

    let period_millis = i128::from(period_secs) * MILLIS_PER_SEC;
    let step = unix_millis / period_millis;
    u32::try_from(step).map_err(|_| StepError::StepOverflow { step })
}

/// Derives the entry code for the instant `device_unix_millis`.
///
/// `device_unix_millis` is the device's clock in Unix milliseconds, so the caller can pass the
/// fractional second and get an exact countdown. `clock_offset_secs` is the measured offset from
/// the device clock to the server clock, in whole seconds (server time minus device time). The
/// server instant is `device_unix_millis + 1000 * clock_offset_secs`.
///
/// Fails for a zero period, an instant before the Unix epoch, a step beyond `u32::MAX`, and a
/// credential whose expiry (server time) is at or before the instant.
pub fn derive_code(
    credential: &EntryCredential,
    clock_offset_secs: i64,
    device_unix_millis: i64,
) -> Result<EntryCode, DeriveError> {
    let server_millis =
        i128::from(device_unix_millis) + i128::from(clock_offset_secs) * MILLIS_PER_SEC;
    let step = time_step(server_millis, credential.period_secs)?;

    let expires_at_millis = i128::from(credential.expires_at_unix) * MILLIS_PER_SEC;
    if server_millis >= expires_at_millis {
        return Err(DeriveError::CredentialExpired {
            expires_at_unix: credential.expires_at_unix,
        });
    }

    // Both values lie in 1..=period_millis, which fits u64 for every u32 period.
    let period_millis = i128::from(credential.period_secs) * MILLIS_PER_SEC;
    let remaining_millis = (i128::from(step) + 1) * period_millis - server_millis;
    let millis_until_rotation = u64::try_from(remaining_millis).unwrap_or(u64::MAX);
    let seconds_until_rotation =
        u32::try_from(millis_until_rotation.div_ceil(1_000)).unwrap_or(credential.period_secs);

    Ok(EntryCode {
        text: code_text(&credential.credential_id, &credential.secret, step),
        step,
        seconds_until_rotation,
        millis_until_rotation,
    })
}

/// Builds the code text for a given step.
///
/// The connector's tests and tools use it to make codes for chosen steps. The app calls
/// [`derive_code`], which also checks the period, the instant and the expiry.
pub fn code_text(
    credential_id: &[u8; CREDENTIAL_ID_LEN],
    secret: &[u8; SECRET_LEN],
    step: u32,
) -> String {
    let mut payload = [0u8; PAYLOAD_LEN];
    payload[..CREDENTIAL_ID_LEN].copy_from_slice(credential_id);
    payload[CREDENTIAL_ID_LEN..CREDENTIAL_ID_LEN + 4].copy_from_slice(&step.to_be_bytes());
    payload[CREDENTIAL_ID_LEN + 4..].copy_from_slice(&compute_tag(secret, credential_id, step));

    let mut encoded = [0u8; PAYLOAD_TEXT_LEN];
    let encoded = BASE32_NOPAD.encode_mut_str(&payload, &mut encoded);

    let mut text = String::with_capacity(CODE_LEN);
    text.push_str(CODE_PREFIX);
    text.push_str(encoded);
    text
}

/// Computes the full HMAC-SHA256 over the format-1 message for one step.
pub(crate) fn full_tag(
    secret: &[u8; SECRET_LEN],
    credential_id: &[u8; CREDENTIAL_ID_LEN],
    step: u32,
) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut context = hmac::Context::with_key(&key);
    context.update(HMAC_LABEL);
    context.update(credential_id);
    context.update(&step.to_be_bytes());
    context.sign()
}

/// Computes the 10-byte tag that a code carries for one step.
fn compute_tag(
    secret: &[u8; SECRET_LEN],
    credential_id: &[u8; CREDENTIAL_ID_LEN],
    step: u32,
) -> [u8; TAG_LEN] {
    let full = full_tag(secret, credential_id, step);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&full.as_ref()[..TAG_LEN]);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(period_secs: u32) -> EntryCredential {
        EntryCredential::new([7; 8], [9; 32], period_secs, i64::MAX)
    }

    #[test]
    fn debug_hides_secret() {
        let printed = format!("{:?}", EntryCredential::new([1; 8], [0xAB; 32], 30, 0));
        assert!(!printed.to_lowercase().contains("abab"), "{printed}");
    }

    #[test]
    fn debug_hides_code_text() {
        let code = derive_code(&credential(30), 0, 1_700_000_000_000).unwrap();
        let printed = format!("{code:?}");
        assert!(!printed.contains(&code.text), "{printed}");
    }

    #[test]
    fn rotation_countdown_rounds_up() {
        // Unix second 1_700_000_000 lies 20 s into step 56_666_666, so 0.5 s later 9.5 s remain.
        let code = derive_code(&credential(30), 0, 1_700_000_000_500).unwrap();
        assert_eq!(code.millis_until_rotation, 9_500);
        assert_eq!(code.seconds_until_rotation, 10);
    }

    #[test]
    fn largest_period_does_not_overflow() {
        let code = derive_code(&credential(u32::MAX), 0, 0).unwrap();
        assert_eq!(code.step, 0);
        assert_eq!(code.seconds_until_rotation, u32::MAX);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for (offset, millis) in [(i64::MAX, i64::MAX), (i64::MIN, i64::MIN), (i64::MAX, 0)] {
            let _ = derive_code(&credential(1), offset, millis);
        }
    }
}
