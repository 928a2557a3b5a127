//! Loading and checking `strings/<locale>.toml`: one flat table of snake_case keys to text.
//!
//! Every locale must define exactly the keys of the default locale, with the same placeholders,
//! and the default locale must define every key the shells read.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::pack::{PackFiles, Strings};
use crate::placeholders;
use crate::problem::Problem;

/// Keys the iOS and Android shells look up; a pack must define each one.
pub const REQUIRED_KEYS: [&str; 15] = [
    "email_label",
    "entry_hint",
    "entry_refresh",
    "entry_title",
    "error_generic",
    "error_offline",
    "offers_title",
    "password_label",
    "receipt_total",
    "receipts_title",
    "sign_in_button",
    "sign_up_button",
    "support_title",
    "wallet_add_card",
    "welcome_title",
];

/// Reads every locale file; malformed files and entries are reported and left out.
pub(super) fn load(files: &PackFiles, problems: &mut Vec<Problem>) -> Strings {
    let mut strings = Strings::new();
    let entries = match fs::read_dir(files.path("strings")) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(Problem::new(
                files.label("strings"),
                "",
                format!("could not be read: {error}"),
                "add a strings folder with one <locale>.toml file per locale",
            ));
            return strings;
        }
    };

    let mut names: Vec<String> = entries
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let relative = format!("strings/{name}");
        let locale = name.strip_suffix(".toml").unwrap_or_default();
        if !is_locale(locale) {
            problems.push(Problem::new(
                files.label(&relative),
                "",
                "is not named <locale>.toml",
                "name locale files like en.toml or pt-BR.toml, and keep nothing else in strings/",
            ));
            continue;
        }
        if let Some(table) = load_locale(files, &relative, problems) {
            strings.insert(locale.to_owned(), table);
        }
    }
    strings
}

fn load_locale(
    files: &PackFiles,
    relative: &str,
    problems: &mut Vec<Problem>,
) -> Option<BTreeMap<String, String>> {
    let label = files.label(relative);
    let parsed = fs::read_to_string(files.path(relative))
        .map_err(|error| error.to_string())
        .and_then(|text| {
            text.parse::<toml::Table>()
                .map_err(|error| error.message().to_owned())
        });
    let table = match parsed {
        Ok(table) => table,
        Err(error) => {
            problems.push(Problem::new(
                label,
                "",
                format!("could not be parsed: {error}"),
                "write one key = \"text\" line per string",
            ));
            return None;
        }
    };

    let mut texts = BTreeMap::new();
    for (key, value) in table {
        let Some(text) = value.as_str() else {
            problems.push(Problem::new(
                label.clone(),
                key,
                format!("is a {}, not a string", value.type_str()),
                "write the text in quotes; tables and arrays are not allowed",
            ));
            continue;
        };
        if let Some(problem) = key_problem(&key, text, &label) {
            problems.push(problem);
            continue;
        }
        texts.insert(key, text.to_owned());
    }
    Some(texts)
}

fn key_problem(key: &str, text: &str, label: &str) -> Option<Problem> {
    let snake_case = key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake_case {
        return Some(Problem::new(
            label,
            key,
            "is not a snake_case key",
            "use lowercase letters, digits and underscores, starting with a letter (Android resource names allow nothing else)",
        ));
    }
    if key == "app_name" || key.starts_with("brand_") {
        return Some(Problem::new(
            label,
            key,
            "is reserved for values generated from brand.toml",
            "rename the key; app_name and brand_* are taken",
        ));
    }
    if text.trim().is_empty() {
        return Some(Problem::new(
            label,
            key,
            "is empty",
            "write the text, or remove the key from every locale",
        ));
    }
    if let Err(message) = placeholders::parse(text) {
        return Some(Problem::new(
            label,
            key,
            message,
            "write placeholders as {name}, and no other braces",
        ));
    }
    None
}

/// Compares every locale with the default one; adds a problem per missing, extra or
/// mismatched key.
pub(super) fn check(
    default_locale: &str,
    strings: &Strings,
    files: &PackFiles,
    problems: &mut Vec<Problem>,
) {
    let Some(reference) = strings.get(default_locale) else {
        let known: Vec<&str> = strings.keys().map(String::as_str).collect();
        problems.push(Problem::new(
            files.label("brand.toml"),
            "strings.default_locale",
            format!("{default_locale:?} has no strings/{default_locale}.toml"),
            format!("add that file or pick one of: {}", known.join(", ")),
        ));
        return;
    };

    let default_file = files.label(&format!("strings/{default_locale}.toml"));
    for key in REQUIRED_KEYS {
        if !reference.contains_key(key) {
            problems.push(Problem::new(
                default_file.clone(),
                key,
                "is missing; the app shells read this key",
                format!("add {key} to strings/{default_locale}.toml and every other locale"),
            ));
        }
    }

    for (locale, texts) in strings
        .iter()
        .filter(|(locale, _)| *locale != default_locale)
    {
        compare_locale(default_locale, reference, locale, texts, files, problems);
    }
}

/// Reports keys of `locale` missing from or extra to the default locale, and placeholder
/// mismatches.
fn compare_locale(
    default_locale: &str,
    reference: &BTreeMap<String, String>,
    locale: &str,
    texts: &BTreeMap<String, String>,
    files: &PackFiles,
    problems: &mut Vec<Problem>,
) {
    let relative = format!("strings/{locale}.toml");
    let label = files.label(&relative);
    for key in reference.keys().filter(|key| !texts.contains_key(*key)) {
        problems.push(Problem::new(
            label.clone(),
            key,
            format!(
                "is missing; every locale needs every key of the default locale {default_locale}"
            ),
            format!("add {key} to {relative}"),
        ));
    }
    for key in texts.keys().filter(|key| !reference.contains_key(*key)) {
        problems.push(Problem::new(
            label.clone(),
            key,
            format!("is not in the default locale {default_locale}"),
            format!("remove it, or add it to strings/{default_locale}.toml and every other locale"),
        ));
    }
    for (key, text) in texts {
        if let Some(expected) = reference.get(key)
            && placeholder_set(text) != placeholder_set(expected)
        {
            problems.push(Problem::new(
                label.clone(),
                key,
                format!(
                    "uses placeholders {:?} but {default_locale} uses {:?}",
                    placeholder_set(text),
                    placeholder_set(expected)
                ),
                "use the same {name} placeholders as the default locale",
            ));
        }
    }
}

fn placeholder_set(text: &str) -> BTreeSet<String> {
    placeholders::parse(text)
        .map(|segments| placeholders::names(&segments).into_iter().collect())
        .unwrap_or_default()
}

/// Checks for a language (`fr`) or language and region (`pt-BR`), the forms both platforms
/// map directly.
fn is_locale(code: &str) -> bool {
    let (language, region) = code.split_once('-').unwrap_or((code, ""));
    let language_ok = language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok =
        region.is_empty() || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()));
    language_ok && region_ok && !code.ends_with('-')
}
