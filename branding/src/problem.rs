//! One finding of the validator: the file, the key, what is wrong and how to fix it.
//!
//! Problems are plain data so the command line, the tests and any future editor integration
//! can print or match them. They never contain secrets, because brand packs hold none.

use std::fmt;

/// A rule that a brand pack breaks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path of the offending file, relative to the folder above the brands folder
    /// (for example `brands/acme/brand.toml`).
    pub file: String,
    /// Dotted TOML key (`colors.dark.text`) or string key (`entry_title`); empty when the
    /// problem concerns the whole file.
    pub key: String,
    /// What is wrong, with the offending value.
    pub message: String,
    /// What to change.
    pub fix: String,
}

impl Problem {
    /// Creates a problem from its four parts.
    pub fn new(
        file: impl Into<String>,
        key: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            key: key.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {} — {}", self.file, self.message, self.fix)
        } else {
            write!(
                f,
                "{}: {} {} — {}",
                self.file, self.key, self.message, self.fix
            )
        }
    }
}
