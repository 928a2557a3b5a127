//! Server-side reading of format-1 entry codes: parsing, tag verification and the window of
//! accepted time steps.
//!
//! The connectors call these functions for each scan at the gate. They are pure: looking up the
//! credential, binding a code to a store and counting group entries belong to the caller. Errors
//! never contain the scanned text, because a valid code admits its holder to the store.

use std::fmt;
use std::ops::RangeInclusive;

use data_encoding::BASE32_NOPAD;
use subtle::ConstantTimeEq;

use super::code::{
    CODE_LEN, CODE_PREFIX, CREDENTIAL_ID_LEN, PAYLOAD_LEN, SECRET_LEN, StepError, TAG_LEN,
    full_tag, time_step,
};

/// Fields of a well-formed format-1 code. The tag is not verified yet.
///
/// `Debug` leaves out the tag, because id, step and tag together are the whole code.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedCode {
    /// Credential id that the code names.
    pub credential_id: [u8; CREDENTIAL_ID_LEN],
    /// Time step that the code claims.
    pub step: u32,
    /// Truncated HMAC tag to check with [`verify_tag`].
    pub tag: [u8; TAG_LEN],
}

impl fmt::Debug for ParsedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedCode")
            .field("credential_id", &hex::encode(self.credential_id))
            .field("step", &self.step)
            .field("tag", &"<redacted>")
            .finish()
    }
}

/// Reasons why a scanned text is not a well-formed format-1 code.
///
/// The connector reports each of them as `malformed-code`. The variants exist so that logs and
/// tests can tell a truncated scan from a lower-cased or foreign one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The text does not have exactly 38 characters.
    #[error("invalid entry code: expected {CODE_LEN} characters, found {found}")]
    WrongLength {
        /// Number of characters found.
        found: usize,
    },
    /// The text contains a lower-case letter: some scanner or keyboard changed its case.
    #[error(
        "invalid entry code: lower-case letter at position {position}; codes are upper case only"
    )]
    LowerCase {
        /// Zero-based character position of the first lower-case letter.
        position: usize,
    },
    /// The text does not start with `W1`, so it is not a format-1 code.
    #[error("invalid entry code: it does not start with {CODE_PREFIX:?}")]
    WrongPrefix,
    /// The text after the prefix is not canonical upper-case Base32 (RFC 4648, no padding).
    #[error(
        "invalid entry code: not canonical Base32 at position {position}; expected A-Z and 2-7 with zero trailing bits"
    )]
    NotBase32 {
        /// Zero-based character position, counted from the start of the whole text.
        position: usize,
    },
}

/// Parses a scanned text into its credential id, step and tag.
///
/// Checks in this order: the length, lower-case letters, the `W1` prefix, then the Base32
/// payload. The tag is not checked here: call [`verify_tag`] with the credential's secret.
pub fn parse_code(text: &str) -> Result<ParsedCode, CodeError> {
    let found = text.chars().count();
    if found != CODE_LEN {
        return Err(CodeError::WrongLength { found });
    }
    if let Some(position) = text.chars().position(|c| c.is_ascii_lowercase()) {
        return Err(CodeError::LowerCase { position });
    }
    let Some(payload_text) = text.strip_prefix(CODE_PREFIX) else {
        return Err(CodeError::WrongPrefix);
    };
    let payload = decode_payload(payload_text)?;

    let mut credential_id = [0u8; CREDENTIAL_ID_LEN];
    credential_id.copy_from_slice(&payload[..CREDENTIAL_ID_LEN]);
    let mut step_bytes = [0u8; 4];
    step_bytes.copy_from_slice(&payload[CREDENTIAL_ID_LEN..CREDENTIAL_ID_LEN + 4]);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&payload[CREDENTIAL_ID_LEN + 4..]);

    Ok(ParsedCode {
        credential_id,
        step: u32::from_be_bytes(step_bytes),
        tag,
    })
}

/// Decodes the 36 Base32 characters after the prefix into the 22-byte payload.
fn decode_payload(payload_text: &str) -> Result<[u8; PAYLOAD_LEN], CodeError> {
    let not_base32 = |offset: usize| CodeError::NotBase32 {
        position: CODE_PREFIX.len() + offset,
    };

    // A multi-byte character would make the byte length differ from the character count.
    if let Some(offset) = payload_text.chars().position(|c| !c.is_ascii()) {
        return Err(not_base32(offset));
    }
    let decoded_len = BASE32_NOPAD
        .decode_len(payload_text.len())
        .map_err(|error| not_base32(error.position))?;
    if decoded_len != PAYLOAD_LEN {
        return Err(not_base32(0));
    }

    let mut payload = [0u8; PAYLOAD_LEN];
    BASE32_NOPAD
        .decode_mut(payload_text.as_bytes(), &mut payload)
        .map_err(|partial| not_base32(partial.error.position))?;
    Ok(payload)
}

/// Checks the code's tag against the credential's secret in constant time.
///
/// Returns `true` only when the tag equals the first 10 bytes of
/// `HMAC-SHA256(secret, "walkout-entry-v1" ‖ credential_id ‖ u32_be(step))`. The step window is
/// a separate check: see [`accepted_step_window`].
pub fn verify_tag(secret: &[u8; SECRET_LEN], parsed: &ParsedCode) -> bool {
    let expected = full_tag(secret, &parsed.credential_id, parsed.step);
    let expected = &expected.as_ref()[..TAG_LEN];
    bool::from(expected.ct_eq(&parsed.tag))
}

/// Returns the steps the gate accepts at `server_unix_secs`: `t - 1 ..= t + 1`, clamped to the
/// `u32` range.
///
/// One step on either side absorbs the scan latency and what remains of the device's clock
/// error after the offset correction.
pub fn accepted_step_window(
    server_unix_secs: i64,
    period_secs: u32,
) -> Result<RangeInclusive<u32>, StepError> {
    let step = time_step(i128::from(server_unix_secs) * 1_000, period_secs)?;
    Ok(step.saturating_sub(1)..=step.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_bits_are_rejected() {
        // The last character carries 4 trailing bits: "A" is 00000, "B" sets one of them.
        let text = format!("W1{}B", "A".repeat(35));
        assert_eq!(
            parse_code(&text),
            Err(CodeError::NotBase32 { position: 37 })
        );
    }

    #[test]
    fn multibyte_character_is_not_base32() {
        let text = format!("W1{}é", "A".repeat(35));
        assert_eq!(
            parse_code(&text),
            Err(CodeError::NotBase32 { position: 37 })
        );
    }

    #[test]
    fn debug_hides_tag() {
        let parsed = ParsedCode {
            credential_id: [0; 8],
            step: 1,
            tag: [0xCD; 10],
        };
        let printed = format!("{parsed:?}");
        assert!(!printed.to_lowercase().contains("cdcd"), "{printed}");
    }
}
