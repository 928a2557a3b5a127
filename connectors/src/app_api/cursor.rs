//! Query parameters of the receipt change feed: the opaque cursor and the page size.
//!
//! A cursor is `rc1.` followed by the unpadded URL-safe Base64 of the decimal `change_seq` of
//! the last change on a page. Clients must treat it as opaque: the prefix lets the format
//! change later without old cursors being misread. This module does no I/O, so every rule is
//! tested directly.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Page size when `limit` is absent.
pub const DEFAULT_LIMIT: i64 = 100;
/// Largest page size; a larger `limit` is lowered to it rather than rejected.
pub const MAX_LIMIT: i64 = 500;

const PREFIX: &str = "rc1.";
/// Longest cursor text accepted; a valid one is far shorter.
const MAX_CURSOR_LEN: usize = 64;

/// Encodes the position after the change with `change_seq`.
pub fn encode(change_seq: i64) -> String {
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(change_seq.to_string()))
}

/// Decodes a cursor into the `change_seq` it names. The error says what is wrong, never
/// echoing the whole value.
pub fn decode(cursor: &str) -> Result<i64, String> {
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(format!("longer than {MAX_CURSOR_LEN} characters"));
    }
    let Some(encoded) = cursor.strip_prefix(PREFIX) else {
        return Err(format!("expected a value starting with {PREFIX:?}"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| "not URL-safe Base64 after the prefix".to_owned())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "not a feed position".to_owned())?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a feed position".to_owned());
    }
    text.parse::<i64>()
        .map_err(|_| "the feed position is out of range".to_owned())
}

/// Reads `limit`: absent gives [`DEFAULT_LIMIT`], above [`MAX_LIMIT`] gives `MAX_LIMIT`, and
/// anything but a whole number of at least 1 is an error.
pub fn parse_limit(value: Option<&str>) -> Result<i64, String> {
    let Some(value) = value else {
        return Ok(DEFAULT_LIMIT);
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a whole number of at least 1".to_owned());
    }
    // A digit string too long for i64 is still just "more than the maximum".
    let limit = value.parse::<i64>().unwrap_or(i64::MAX);
    if limit < 1 {
        return Err("expected a whole number of at least 1".to_owned());
    }
    Ok(limit.min(MAX_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        for seq in [0, 1, 42, 1_000_000, i64::MAX] {
            assert_eq!(decode(&encode(seq)), Ok(seq), "change_seq {seq}");
        }
    }

    #[test]
    fn malformed_cursors_are_rejected() {
        let cases = [
            "",
            "42",
            "rc1.",
            "rc1.!!!",
            "rc2.NDI",
            "rc1.LTE",                                 // "-1"
            "rc1.OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk", // beyond i64
        ];
        for cursor in cases {
            assert!(decode(cursor).is_err(), "cursor {cursor:?} was accepted");
        }
    }

    #[test]
    fn limits_are_defaulted_capped_or_rejected() {
        let cases = [
            (None, Ok(DEFAULT_LIMIT)),
            (Some("1"), Ok(1)),
            (Some("500"), Ok(500)),
            (Some("501"), Ok(500)),
            (Some("99999999999999999999999"), Ok(500)),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_limit(value), expected, "limit {value:?}");
        }
        for value in ["0", "-3", "ten", "", "1.5"] {
            assert!(
                parse_limit(Some(value)).is_err(),
                "limit {value:?} was accepted"
            );
        }
    }
}
