//! Checks of the single-value fields of `brand.toml`: ids, names, typography, entry, contacts,
//! links and feature flags.
//!
//! Formats are checked, not reachability: the validator makes no network requests.

use crate::pack::PackFiles;
use crate::problem::Problem;
use crate::schema::BrandToml;

/// Android system font families (the names in the platform's `fonts.xml`, Android 8 and later).
const ANDROID_FONT_FAMILIES: [&str; 14] = [
    "casual",
    "cursive",
    "monospace",
    "sans-serif",
    "sans-serif-black",
    "sans-serif-condensed",
    "sans-serif-condensed-light",
    "sans-serif-condensed-medium",
    "sans-serif-light",
    "sans-serif-medium",
    "sans-serif-smallcaps",
    "sans-serif-thin",
    "serif",
    "serif-monospace",
];

/// Apple's Human Interface Guidelines give 11 pt as the smallest legible text size.
const MIN_TEXT_SIZE: i64 = 11;
const MAX_TEXT_SIZE: i64 = 64;

/// Both app stores cap an app's name at 30 characters.
const MAX_DISPLAY_NAME: usize = 30;

/// Adds a problem for each field of `brand` that breaks its format rule.
pub(super) fn check(brand: &BrandToml, id: &str, files: &PackFiles, problems: &mut Vec<Problem>) {
    let mut report = |key: &str, message: String, fix: String| {
        problems.push(Problem::new(files.label("brand.toml"), key, message, fix));
    };

    if brand.id != id {
        report(
            "id",
            format!("{:?} differs from the folder name {id:?}", brand.id),
            format!("set id = \"{id}\" or rename the folder"),
        );
    }
    if !is_brand_id(id) {
        report(
            "id",
            format!("{id:?} is not a valid brand id"),
            "use lowercase letters, digits and hyphens, starting with a letter".into(),
        );
    }
    let name_length = brand.display_name.chars().count();
    if name_length == 0
        || name_length > MAX_DISPLAY_NAME
        || brand.display_name.chars().any(char::is_control)
    {
        report(
            "display_name",
            format!(
                "{:?} must be 1 to {MAX_DISPLAY_NAME} characters without control characters",
                brand.display_name
            ),
            "shorten the name or remove line breaks".into(),
        );
    }
    if !is_bundle_id(&brand.app.ios_bundle_id) {
        report(
            "app.ios_bundle_id",
            format!("{:?} is not a valid bundle id", brand.app.ios_bundle_id),
            "use reverse-DNS form with letters, digits, hyphens and dots, such as com.example.shop"
                .into(),
        );
    }
    if !is_application_id(&brand.app.android_application_id) {
        report("app.android_application_id", format!("{:?} is not a valid applicationId", brand.app.android_application_id), "use two or more dot-separated segments, each starting with a letter and holding only letters, digits and underscores".into());
    }

    check_typography(brand, &mut report);
    check_contacts(brand, &mut report);
    check_features(brand, &mut report);
}

fn check_typography(brand: &BrandToml, report: &mut impl FnMut(&str, String, String)) {
    let typography = &brand.typography;
    if typography.ios_font_family.trim().is_empty() {
        report(
            "typography.ios_font_family",
            "is empty".into(),
            "name an iOS font family, such as \"Avenir Next\"".into(),
        );
    }
    if !ANDROID_FONT_FAMILIES.contains(&typography.android_font_family.as_str()) {
        report(
            "typography.android_font_family",
            format!(
                "{:?} is not an Android system font family",
                typography.android_font_family
            ),
            format!("use one of: {}", ANDROID_FONT_FAMILIES.join(", ")),
        );
    }

    let sizes = [
        ("typography.caption_size", typography.caption_size),
        ("typography.body_size", typography.body_size),
        ("typography.title_size", typography.title_size),
    ];
    for (key, size) in sizes {
        if !(MIN_TEXT_SIZE..=MAX_TEXT_SIZE).contains(&size) {
            report(
                key,
                format!("{size} is outside {MIN_TEXT_SIZE}..={MAX_TEXT_SIZE}"),
                format!("use a size from {MIN_TEXT_SIZE} to {MAX_TEXT_SIZE} points"),
            );
        }
    }
    if !(typography.caption_size <= typography.body_size
        && typography.body_size <= typography.title_size)
    {
        report(
            "typography",
            format!(
                "sizes caption {} / body {} / title {} are not in increasing order",
                typography.caption_size, typography.body_size, typography.title_size
            ),
            "make caption_size <= body_size <= title_size".into(),
        );
    }
}

fn check_contacts(brand: &BrandToml, report: &mut impl FnMut(&str, String, String)) {
    if !matches!(brand.entry.brightness.as_str(), "max" | "system") {
        report(
            "entry.brightness",
            format!("{:?} is not a brightness mode", brand.entry.brightness),
            "use \"max\" (brighten the screen while the code shows) or \"system\"".into(),
        );
    }
    if !is_email(&brand.support.email) {
        report(
            "support.email",
            format!("{:?} is not an email address", brand.support.email),
            "use a single address such as help@example.com".into(),
        );
    }
    if !is_e164(&brand.support.phone) {
        report(
            "support.phone",
            format!("{:?} is not an E.164 phone number", brand.support.phone),
            "write + and 7 to 15 digits without spaces, such as +442079460000".into(),
        );
    }
    let links = [
        ("support.url", &brand.support.url),
        ("legal.terms_url", &brand.legal.terms_url),
        ("legal.privacy_url", &brand.legal.privacy_url),
    ];
    for (key, url) in links {
        if !is_https_url(url) {
            report(
                key,
                format!("{url:?} is not an https URL"),
                "use a full https:// address without spaces".into(),
            );
        }
    }
}

fn check_features(brand: &BrandToml, report: &mut impl FnMut(&str, String, String)) {
    let providers = &brand.features.federated_providers;
    for (index, provider) in providers.iter().enumerate() {
        let valid = (1..=32).contains(&provider.chars().count())
            && !provider
                .chars()
                .any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            report("features.federated_providers", format!("{provider:?} is not a Cognito identity provider name"), "use the provider name from the user pool, 1 to 32 characters without spaces (Google, SignInWithApple, ...)".into());
        }
        if providers[..index].contains(provider) {
            report(
                "features.federated_providers",
                format!("{provider:?} is listed twice"),
                "list each provider once".into(),
            );
        }
    }
}

fn is_brand_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_bundle_id(id: &str) -> bool {
    let segments: Vec<&str> = id.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_application_id(id: &str) -> bool {
    let segments: Vec<&str> = id.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|segment| {
            segment.starts_with(|c: char| c.is_ascii_alphabetic())
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let clean = |part: &str| {
        !part.is_empty()
            && !part.contains(['@', ' ', '<', '>', '"'])
            && !part.chars().any(char::is_control)
    };
    clean(local)
        && clean(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

fn is_e164(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn is_https_url(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognized() {
        type Check = fn(&str) -> bool;
        let cases: [(Check, &str, bool); 14] = [
            (is_bundle_id, "com.walkout.shopper", true),
            (is_bundle_id, "com..shopper", false),
            (is_bundle_id, "shopper", false),
            (is_application_id, "com.fresh_mart.app", true),
            (is_application_id, "com.1mart.app", false),
            (is_application_id, "com.fresh-mart.app", false),
            (is_email, "help@walkout.example", true),
            (is_email, "help@localhost", false),
            (is_email, "a@b@c.example", false),
            (is_e164, "+442079460000", true),
            (is_e164, "+44 20 7946 0000", false),
            (is_https_url, "https://walkout.example/terms", true),
            (is_https_url, "http://walkout.example/terms", false),
            (is_brand_id, "Fresh", false),
        ];
        for (check, input, expected) in cases {
            assert_eq!(check(input), expected, "{input}");
        }
    }
}
