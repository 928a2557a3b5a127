//! `{name}` placeholders in pack strings, and their translation to platform format specifiers.
//!
//! Packs write `Code refreshes in {seconds} s`; the shells need positional specifiers
//! (`%1$s` on Android, `%1$@` on iOS) so translators can reorder arguments. Positions come from
//! the order of first use in the default locale, so every locale passes arguments alike.

/// A piece of a pack string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder(String),
}

/// Splits `text` into literals and placeholders.
///
/// A placeholder is `{` + a snake_case name + `}`. Any other brace is an error, because a stray
/// brace is almost always a typo in a placeholder.
pub fn parse(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut rest = text;

    while let Some(index) = rest.find(['{', '}']) {
        literal.push_str(&rest[..index]);
        if rest[index..].starts_with('}') {
            return Err(format!(
                "has a '}}' without a matching '{{' at byte {}",
                text.len() - rest.len() + index
            ));
        }
        let after = &rest[index + 1..];
        let Some(end) = after.find('}') else {
            return Err("has a '{' that is never closed".to_owned());
        };
        let name = &after[..end];
        if !is_name(name) {
            return Err(format!(
                "has placeholder {{{name}}}; names are lowercase letters, digits and underscores"
            ));
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(std::mem::take(&mut literal)));
        }
        segments.push(Segment::Placeholder(name.to_owned()));
        rest = &after[end + 1..];
    }

    literal.push_str(rest);
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

/// Placeholder names in order of first use, without repeats.
pub fn names(segments: &[Segment]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for segment in segments {
        if let Segment::Placeholder(name) = segment
            && !names.contains(name)
        {
            names.push(name.clone());
        }
    }
    names
}

/// Rewrites `segments` with positional specifiers `%<n>$<conversion>`, `n` being the 1-based
/// index of the name in `order`.
///
/// A literal `%` becomes `%%` when the string has placeholders, because the shells then pass it
/// through a format function. Returns `None` if a placeholder is missing from `order`.
pub fn to_format(segments: &[Segment], order: &[String], conversion: &str) -> Option<String> {
    let formatted = segments
        .iter()
        .any(|s| matches!(s, Segment::Placeholder(_)));
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Literal(text) if formatted => out.push_str(&text.replace('%', "%%")),
            Segment::Literal(text) => out.push_str(text),
            Segment::Placeholder(name) => {
                let position = order.iter().position(|known| known == name)? + 1;
                out.push_str(&format!("%{position}${conversion}"));
            }
        }
    }
    Some(out)
}

fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_positional() {
        let order = vec!["store".to_owned(), "count".to_owned()];
        let segments = parse("{count} items at {store}, 100% fresh").unwrap_or_default();
        assert_eq!(
            to_format(&segments, &order, "s").as_deref(),
            Some("%2$s items at %1$s, 100%% fresh")
        );
    }

    #[test]
    fn plain_percent_is_kept() {
        let segments = parse("100% fresh").unwrap_or_default();
        assert_eq!(
            to_format(&segments, &[], "@").as_deref(),
            Some("100% fresh")
        );
    }

    #[test]
    fn stray_braces_are_rejected() {
        for text in ["{open", "close}", "{Bad Name}", "{}"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
