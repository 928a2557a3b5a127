//! Escaping for each generated file format, so any pack text lands in the file verbatim.

/// Escapes text for an XML element or attribute value (plist, resource names).
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes text safe inside an XML comment, where `--` is not allowed.
pub fn xml_comment(text: &str) -> String {
    let mut out = xml_text(text);
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

/// Escapes text for the body of an Android `<string>` resource.
///
/// On top of XML escaping, aapt2 treats `'` and `"` as quoting, `\` as an escape, a leading `@`
/// or `?` as a resource reference, and collapses runs of whitespace; each is escaped so the
/// shopper sees the pack's text unchanged.
pub fn android_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous_space = true;
    let mut chars = text.chars().peekable();

    if let Some(first @ ('@' | '?')) = chars.peek().copied() {
        out.push('\\');
        out.push(first);
        chars.next();
        previous_space = false;
    }
    while let Some(c) = chars.next() {
        let is_space = c == ' ';
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ' ' if previous_space || chars.peek().is_none() => out.push_str("\\u0020"),
            _ => out.push(c),
        }
        previous_space = is_space;
    }
    out
}

/// Escapes text for a quoted value in an iOS `.strings` file.
pub fn ios_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a value for a Java `.properties` file, which Gradle reads as ISO 8859-1: every
/// character outside printable ASCII becomes `\uXXXX` (UTF-16 code units).
pub fn properties_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            ' ' if index == 0 => out.push_str("\\ "),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_string_cases() {
        let cases = [
            ("You're in", "You\\'re in"),
            ("Say \"hi\"", "Say \\\"hi\\\""),
            ("Fish & chips <new>", "Fish &amp; chips &lt;new&gt;"),
            ("@home", "\\@home"),
            ("?why", "\\?why"),
            ("a\\b", "a\\\\b"),
            ("line\nnext", "line\\nnext"),
            (" padded  text ", "\\u0020padded \\u0020text\\u0020"),
            ("Aujourd’hui", "Aujourd’hui"),
        ];
        for (input, expected) in cases {
            assert_eq!(android_string(input), expected, "{input:?}");
        }
    }

    #[test]
    fn ios_strings_cases() {
        assert_eq!(ios_strings("Say \"hi\"\\\n"), "Say \\\"hi\\\"\\\\\\n");
    }

    #[test]
    fn properties_value_cases() {
        assert_eq!(
            properties_value("Marché d'Or: #1"),
            "March\\u00E9 d'Or\\: \\#1"
        );
    }
}
