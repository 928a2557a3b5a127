//! Validation of the VerifyIdentityKeys body. A failure is a 400 `invalid-request` naming the
//! field; the detail never contains the identity key.
//!
//! Amazon's page leaves several fields' requirement unstated. Assumptions, kept lenient where
//! the service does not depend on the value:
//! - `requestId`, `storeId` and `identityKey` are required (present in every sample).
//! - `authEvent` and `authEvent.id` are required: a cart is matched to its trip by this id, and
//!   a repeated id is how a retry is recognized.
//! - `authEvent.timestamp` is optional, but when present it must be an RFC 3339 date-time. The
//!   service clock, not this value, decides which entry codes are current.
//! - `authEvent.location` and `keyChannel` are optional strings with any value (their full
//!   enumerations are not published); unknown members anywhere are ignored.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::problem::Problem;

/// Longest `storeId` and `authEvent.id`, in characters.
const MAX_ID_CHARS: usize = 255;
/// Longest `identityKey`, in characters.
const MAX_KEY_CHARS: usize = 1000;

/// Standard Base64 alphabet; padding may be present or left out, as scanners differ.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A validated VerifyIdentityKeys request.
pub struct IdentityRequest {
    pub request_id: String,
    pub store_id: String,
    /// The scanned text, Base64-decoded. `Debug` is not derived so it cannot reach a log.
    pub key: Vec<u8>,
    pub auth_event_id: String,
}

/// Parses and validates the raw body.
pub fn parse(body: &[u8]) -> Result<IdentityRequest, Problem> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Problem::invalid(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(members) = value else {
        return Err(Problem::invalid("the body must be a JSON object"));
    };

    let request_id = required_string(&members, "requestId")?;
    if !is_uuid(request_id) {
        return Err(field_problem(
            "requestId",
            "invalid requestId: expected a hyphenated UUID (8-4-4-4-12 hex digits)",
        ));
    }

    let store_id = required_string(&members, "storeId")?;
    let store_chars = store_id.chars().count();
    if store_chars == 0 || store_chars > MAX_ID_CHARS {
        return Err(field_problem(
            "storeId",
            format!("invalid storeId: expected 1 to {MAX_ID_CHARS} characters"),
        ));
    }

    let key = identity_key(&members)?;
    let auth_event_id = auth_event(&members)?;
    optional_string(&members, "keyChannel")?;

    Ok(IdentityRequest {
        request_id: request_id.to_owned(),
        store_id: store_id.to_owned(),
        key,
        auth_event_id,
    })
}

fn identity_key(members: &Map<String, Value>) -> Result<Vec<u8>, Problem> {
    let text = required_string(members, "identityKey")?;
    if text.is_empty() {
        return Err(field_problem(
            "identityKey",
            "invalid identityKey: it is empty",
        ));
    }
    if text.chars().count() > MAX_KEY_CHARS {
        return Err(field_problem(
            "identityKey",
            format!("invalid identityKey: longer than {MAX_KEY_CHARS} characters"),
        ));
    }
    KEY_BASE64.decode(text).map_err(|_| {
        field_problem(
            "identityKey",
            "invalid identityKey: not standard Base64 (A-Z, a-z, 0-9, + and /, with = padding)",
        )
    })
}

fn auth_event(members: &Map<String, Value>) -> Result<String, Problem> {
    let event = match members.get("authEvent") {
        None | Some(Value::Null) => {
            return Err(field_problem("authEvent", "missing authEvent"));
        }
        Some(Value::Object(event)) => event,
        Some(_) => {
            return Err(field_problem(
                "authEvent",
                "invalid authEvent: expected an object",
            ));
        }
    };

    let id = match event.get("id") {
        None | Some(Value::Null) => {
            return Err(field_problem("authEvent.id", "missing authEvent.id"));
        }
        Some(Value::String(id)) => id,
        Some(_) => {
            return Err(field_problem(
                "authEvent.id",
                "invalid authEvent.id: expected a string",
            ));
        }
    };
    let id_chars = id.chars().count();
    if id_chars == 0 || id_chars > MAX_ID_CHARS {
        return Err(field_problem(
            "authEvent.id",
            format!("invalid authEvent.id: expected 1 to {MAX_ID_CHARS} characters"),
        ));
    }

    if let Some(timestamp) = optional_string(event, "timestamp").map_err(|_| {
        field_problem(
            "authEvent.timestamp",
            "invalid authEvent.timestamp: expected a string",
        )
    })? && time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
        .is_err()
    {
        return Err(field_problem(
            "authEvent.timestamp",
            "invalid authEvent.timestamp: expected an ISO 8601 date-time such as 2024-02-09T17:53:57Z",
        ));
    }
    optional_string(event, "location").map_err(|_| {
        field_problem(
            "authEvent.location",
            "invalid authEvent.location: expected a string",
        )
    })?;
    Ok(id.clone())
}

fn required_string<'a>(members: &'a Map<String, Value>, name: &str) -> Result<&'a str, Problem> {
    match members.get(name) {
        None | Some(Value::Null) => Err(field_problem(name, format!("missing {name}"))),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(field_problem(
            name,
            format!("invalid {name}: expected a string"),
        )),
    }
}

fn optional_string<'a>(
    members: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, Problem> {
    match members.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(field_problem(
            name,
            format!("invalid {name}: expected a string"),
        )),
    }
}

fn field_problem(field: &str, detail: impl Into<String>) -> Problem {
    Problem::invalid(detail).with("field", field)
}

/// Checks the hyphenated 8-4-4-4-12 form with hex digits of either case, as Amazon's pattern
/// does: no version or variant check.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_of_either_case_is_accepted() {
        assert!(is_uuid("1f3e5a7c-0b2d-4e6f-8a9b-0c1d2e3f4a5b"));
        assert!(is_uuid("1F3E5A7C-0B2D-4E6F-8A9B-0C1D2E3F4A5B"));
    }

    #[test]
    fn uuid_shapes_are_rejected() {
        for text in [
            "",
            "1f3e5a7c0b2d4e6f8a9b0c1d2e3f4a5b",
            "1f3e5a7c-0b2d-4e6f-8a9b-0c1d2e3f4a5",
            "1f3e5a7c-0b2d-4e6f-8a9b-0c1d2e3f4a5g",
            "{1f3e5a7c-0b2d-4e6f-8a9b-0c1d2e3f4a5}",
        ] {
            assert!(!is_uuid(text), "{text:?}");
        }
    }
}
