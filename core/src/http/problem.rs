//! RFC 9457 problem documents (`application/problem+json`) as the backend sends them.
//!
//! The backend's `type` is the relative URI `/problems/<slug>`; the slug is the stable,
//! machine-readable reason that the apps branch on. `detail` is for people and may name the
//! shopper's own data, so it is kept out of public errors and logged only at debug level.

/// A parsed problem document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// The `type` member, such as `/problems/bad-tag`; `about:blank` when absent.
    pub type_uri: String,
    /// The last path segment of `type`, such as `bad-tag`; `None` for `about:blank`.
    pub slug: Option<String>,
    pub title: Option<String>,
    /// The `status` member, when the body repeats the HTTP status.
    pub status: Option<u16>,
    /// The `detail` member: a human-readable explanation that may contain personal data.
    pub detail: Option<String>,
}

impl Problem {
    /// Parses a problem document; returns `None` when the body is not a JSON object.
    ///
    /// Members of the wrong type are treated as absent, as RFC 9457 asks of consumers.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let member = |name: &str| object.get(name).cloned().unwrap_or(serde_json::Value::Null);
        let text = |name: &str| {
            serde_json::from_value::<Option<String>>(member(name))
                .ok()
                .flatten()
        };

        let type_uri = text("type").unwrap_or_else(|| "about:blank".to_owned());
        Some(Self {
            slug: slug_of(&type_uri),
            type_uri,
            title: text("title"),
            status: serde_json::from_value::<Option<u16>>(member("status"))
                .ok()
                .flatten(),
            detail: text("detail"),
        })
    }
}

/// Returns the last path segment of a problem type URI, ignoring any query or fragment.
pub fn slug_of(type_uri: &str) -> Option<String> {
    if type_uri == "about:blank" {
        return None;
    }
    let path = type_uri.split(['?', '#']).next().unwrap_or_default();
    let segment = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if segment.is_empty() || segment.contains(':') {
        return None;
    }
    Some(segment.to_owned())
}

/// Checks whether a `Content-Type` value is JSON or a problem document.
pub fn is_json_content_type(value: &str) -> bool {
    let media_type = value.split(';').next().unwrap_or_default().trim();
    media_type.eq_ignore_ascii_case("application/json")
        || media_type.eq_ignore_ascii_case("application/problem+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_type_uris() {
        let cases = [
            ("/problems/bad-tag", Some("bad-tag")),
            (
                "https://api.example.com/problems/code-expired",
                Some("code-expired"),
            ),
            (
                "/problems/outstanding-balance/",
                Some("outstanding-balance"),
            ),
            ("/problems/not-ready?lang=en#top", Some("not-ready")),
            ("about:blank", None),
            ("", None),
            ("urn:problem", None),
        ];
        for (type_uri, slug) in cases {
            assert_eq!(slug_of(type_uri).as_deref(), slug, "type {type_uri:?}");
        }
    }

    #[test]
    fn problem_members_are_parsed() {
        let body = br#"{"type":"/problems/bad-tag","title":"Bad tag","status":403,"detail":"tag mismatch","extra":1}"#;
        let problem = Problem::parse(body).expect("problem");
        assert_eq!(problem.slug.as_deref(), Some("bad-tag"));
        assert_eq!(problem.title.as_deref(), Some("Bad tag"));
        assert_eq!(problem.status, Some(403));
        assert_eq!(problem.detail.as_deref(), Some("tag mismatch"));
    }

    #[test]
    fn wrongly_typed_members_are_ignored() {
        let problem = Problem::parse(br#"{"type":7,"status":"x","title":null}"#).expect("object");
        assert_eq!(problem.type_uri, "about:blank");
        assert_eq!(problem.slug, None);
        assert_eq!(problem.status, None);
    }

    #[test]
    fn non_object_body_is_not_a_problem() {
        assert_eq!(Problem::parse(b"<html>"), None);
        assert_eq!(Problem::parse(b"[1]"), None);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type(
            "application/problem+json; charset=utf-8"
        ));
        assert!(is_json_content_type("Application/JSON"));
        assert!(!is_json_content_type("text/html"));
    }
}
