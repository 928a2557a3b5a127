//! Checks of profile and device fields. Pure functions: they parse a request body and return
//! the values to store, or a 400 problem whose detail and `field` member name the field.
//!
//! A rejected push token is described by its length only: its text never enters a problem.

use serde_json::{Map, Value};

use super::object_body;
use crate::problem::Problem;

pub const MAX_DISPLAY_NAME_LEN: usize = 80;
/// Maximum address length: SMTP limits a path to 256 octets, angle brackets included.
pub const MAX_EMAIL_LEN: usize = 254;
/// Long enough for every BCP 47 tag in use (language, script, region, variant).
const MAX_LOCALE_LEN: usize = 35;
pub const MAX_DEVICE_ID_LEN: usize = 128;
pub const MAX_APP_VERSION_LEN: usize = 32;
/// APNs tokens are 64 hex characters and FCM tokens about 160; 4096 leaves room for others.
pub const MAX_PUSH_TOKEN_LEN: usize = 4096;

const PLATFORMS: [&str; 3] = ["ios", "android", "other"];

/// A profile update. The outer `Option` is "member present"; the inner one is "not null".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub display_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub marketing_email: Option<bool>,
    pub marketing_push: Option<bool>,
}

/// A device registration.
#[derive(Debug, PartialEq, Eq)]
pub struct DeviceRegistration {
    pub device_id: String,
    pub platform: String,
    pub app_version: String,
    pub push_token: Option<String>,
}

fn invalid(field: &str, detail: impl Into<String>) -> Problem {
    Problem::invalid(format!("invalid {field}: {}", detail.into())).with("field", field)
}

/// Parses a `PATCH /app/v1/profile` body. Unknown members are rejected, so a misspelt field is
/// not silently ignored.
pub fn parse_profile_patch(body: &[u8]) -> Result<ProfilePatch, Problem> {
    let members = object_body(body, "with display_name, email, locale or marketing")?;
    let mut patch = ProfilePatch::default();
    for (name, value) in &members {
        match name.as_str() {
            "display_name" => patch.display_name = Some(nullable(name, value, check_display_name)?),
            "email" => patch.email = Some(nullable(name, value, check_email)?),
            "locale" => patch.locale = Some(nullable(name, value, check_locale)?),
            "marketing" => parse_marketing(value, &mut patch)?,
            other => {
                return Err(invalid(
                    other,
                    "unknown field; expected display_name, email, locale or marketing",
                ));
            }
        }
    }
    Ok(patch)
}

fn parse_marketing(value: &Value, patch: &mut ProfilePatch) -> Result<(), Problem> {
    let Value::Object(members) = value else {
        return Err(invalid(
            "marketing",
            "expected an object {\"email\": bool, \"push\": bool}",
        ));
    };
    for (name, value) in members {
        let field = format!("marketing.{name}");
        let Some(flag) = value.as_bool() else {
            return Err(invalid(&field, "expected true or false"));
        };
        match name.as_str() {
            "email" => patch.marketing_email = Some(flag),
            "push" => patch.marketing_push = Some(flag),
            _ => return Err(invalid(&field, "unknown field; expected email or push")),
        }
    }
    Ok(())
}

fn nullable(
    field: &str,
    value: &Value,
    check: fn(&str) -> Result<String, String>,
) -> Result<Option<String>, Problem> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => check(text)
            .map(Some)
            .map_err(|detail| invalid(field, detail)),
        _ => Err(invalid(field, "expected a string or null")),
    }
}

fn check_display_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let length = name.chars().count();
    if length == 0 || length > MAX_DISPLAY_NAME_LEN {
        return Err(format!(
            "expected 1 to {MAX_DISPLAY_NAME_LEN} characters, got {length}"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("control characters are not allowed".to_owned());
    }
    Ok(name.to_owned())
}

/// Accepts `local@domain` with a dotted domain and no spaces or control characters. The
/// address is not verified: nothing is sent to it.
fn check_email(text: &str) -> Result<String, String> {
    let email = text.trim();
    if email.is_empty() || email.len() > MAX_EMAIL_LEN {
        return Err(format!("expected 3 to {MAX_EMAIL_LEN} bytes"));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("spaces and control characters are not allowed".to_owned());
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("expected an address of the form name@example.com".to_owned());
    };
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty());
    if local.is_empty() || !domain_ok {
        return Err("expected an address of the form name@example.com".to_owned());
    }
    Ok(email.to_owned())
}

/// Accepts BCP 47 shaped tags: a 2 or 3 letter language, then subtags of 1 to 8 letters or
/// digits separated by `-`. Whether the subtags are registered is not checked.
fn check_locale(text: &str) -> Result<String, String> {
    let expected = "expected a BCP 47 language tag such as en-GB";
    if text.is_empty() || text.len() > MAX_LOCALE_LEN {
        return Err(expected.to_owned());
    }
    let mut subtags = text.split('-');
    let language = subtags.next().unwrap_or_default();
    let language_ok =
        (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_alphabetic());
    let rest_ok = subtags
        .all(|tag| (1..=8).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !language_ok || !rest_ok {
        return Err(expected.to_owned());
    }
    Ok(text.to_owned())
}

/// Checks a device id: 1 to 128 of `A-Z a-z 0-9 . _ : -`, so it is safe in a URL path.
pub fn check_device_id(text: &str) -> Result<(), Problem> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-');
    if text.is_empty() || text.len() > MAX_DEVICE_ID_LEN || !text.bytes().all(allowed) {
        return Err(invalid(
            "device_id",
            format!(
                "expected 1 to {MAX_DEVICE_ID_LEN} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'"
            ),
        ));
    }
    Ok(())
}

/// Checks a push token: 1 to 4096 printable ASCII characters without spaces.
pub fn check_push_token(text: &str) -> Result<(), Problem> {
    if text.is_empty()
        || text.len() > MAX_PUSH_TOKEN_LEN
        || !text.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(invalid(
            "push_token",
            format!(
                "expected 1 to {MAX_PUSH_TOKEN_LEN} printable ASCII characters without spaces (got {} bytes)",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// Parses a `POST /app/v1/devices` body.
pub fn parse_device(body: &[u8]) -> Result<DeviceRegistration, Problem> {
    let members = object_body(body, "{device_id, platform, app_version, push_token?}")?;
    if let Some(unknown) = members
        .keys()
        .find(|k| !["device_id", "platform", "app_version", "push_token"].contains(&k.as_str()))
    {
        return Err(invalid(
            unknown,
            "unknown field; expected device_id, platform, app_version or push_token",
        ));
    }

    let device_id = required_string(&members, "device_id")?;
    check_device_id(&device_id)?;
    let platform = required_string(&members, "platform")?;
    if !PLATFORMS.contains(&platform.as_str()) {
        return Err(invalid("platform", "expected ios, android or other"));
    }
    let app_version = required_string(&members, "app_version")?;
    let version_ok = app_version.len() <= MAX_APP_VERSION_LEN
        && !app_version.is_empty()
        && app_version.bytes().all(|b| b.is_ascii_graphic());
    if !version_ok {
        return Err(invalid(
            "app_version",
            format!(
                "expected 1 to {MAX_APP_VERSION_LEN} printable ASCII characters without spaces"
            ),
        ));
    }
    let push_token = match members.get("push_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) => {
            check_push_token(token)?;
            Some(token.clone())
        }
        Some(_) => return Err(invalid("push_token", "expected a string or null")),
    };

    Ok(DeviceRegistration {
        device_id,
        platform,
        app_version,
        push_token,
    })
}

/// Parses a `PUT /app/v1/devices/{id}/push-token` body.
pub fn parse_push_token_body(body: &[u8]) -> Result<String, Problem> {
    let members = object_body(body, "{\"push_token\": \"…\"}")?;
    let token = required_string(&members, "push_token")?;
    check_push_token(&token)?;
    Ok(token)
}

fn required_string(members: &Map<String, Value>, field: &str) -> Result<String, Problem> {
    match members.get(field) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(invalid(field, "expected a string")),
        None => Err(invalid(field, "missing required field")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(problem: &Problem) -> Option<&str> {
        problem.extra.get("field").and_then(Value::as_str)
    }

    #[test]
    fn profile_patch_reads_members_and_nulls() {
        let patch = parse_profile_patch(
            br#"{"display_name":" Ada ","email":null,"locale":"en-GB","marketing":{"push":true}}"#,
        )
        .expect("valid patch");
        assert_eq!(patch.display_name, Some(Some("Ada".to_owned())));
        assert_eq!(patch.email, Some(None));
        assert_eq!(patch.locale, Some(Some("en-GB".to_owned())));
        assert_eq!(patch.marketing_email, None);
        assert_eq!(patch.marketing_push, Some(true));
    }

    #[test]
    fn invalid_profile_fields_are_named() {
        let long_name = format!(r#"{{"display_name":"{}"}}"#, "x".repeat(81));
        let cases: [(&str, &str); 8] = [
            (&long_name, "display_name"),
            (r#"{"display_name":"   "}"#, "display_name"),
            (r#"{"email":"no-at-sign"}"#, "email"),
            (r#"{"email":"a@b"}"#, "email"),
            (r#"{"locale":"english"}"#, "locale"),
            (r#"{"marketing":{"email":"yes"}}"#, "marketing.email"),
            (r#"{"marketing":{"sms":true}}"#, "marketing.sms"),
            (r#"{"nickname":"Ada"}"#, "nickname"),
        ];
        for (body, field) in cases {
            let problem = parse_profile_patch(body.as_bytes()).expect_err(body);
            assert_eq!(field_of(&problem), Some(field), "body {body}");
        }
    }

    #[test]
    fn device_registration_is_checked() {
        let cases = [
            (r#"{"platform":"ios","app_version":"1.0"}"#, "device_id"),
            (
                r#"{"device_id":"a b","platform":"ios","app_version":"1.0"}"#,
                "device_id",
            ),
            (
                r#"{"device_id":"d1","platform":"windows","app_version":"1.0"}"#,
                "platform",
            ),
            (
                r#"{"device_id":"d1","platform":"ios","app_version":""}"#,
                "app_version",
            ),
            (
                r#"{"device_id":"d1","platform":"ios","app_version":"1","push_token":""}"#,
                "push_token",
            ),
            (
                r#"{"device_id":"d1","platform":"ios","app_version":"1","push_token":7}"#,
                "push_token",
            ),
        ];
        for (body, field) in cases {
            let problem = parse_device(body.as_bytes()).expect_err(body);
            assert_eq!(field_of(&problem), Some(field), "body {body}");
        }
    }

    #[test]
    fn rejected_push_token_is_not_echoed() {
        let token = "secret token with spaces";
        let problem = check_push_token(token).expect_err("spaces are rejected");
        assert!(!problem.detail.contains("secret"));
    }

    #[test]
    fn valid_device_parses() {
        let device = parse_device(
            br#"{"device_id":"ios-7F3A","platform":"android","app_version":"2.1.0","push_token":"fcm:abc"}"#,
        )
        .expect("valid device");
        assert_eq!(device.platform, "android");
        assert_eq!(device.push_token.as_deref(), Some("fcm:abc"));
    }
}
