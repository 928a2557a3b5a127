//! Makes the generated Kotlin and Python report `WalkoutFfiError` with the sentence of its Rust
//! `Display` implementation.
//!
//! uniffi 0.32.2 builds an error variant's message from its fields: `e.message` in Kotlin and
//! `str(e)` in Python read `reason=HTTP 500` rather than the sentence an app may show. Kotlin's
//! `toString()` already calls the exported `Display`, and so does Swift's `description`. These
//! edits route Kotlin's `message` through `toString()` and give Python's error a `__str__` over
//! the same exported function. Each edit checks that the generated text has the expected shape
//! and fails otherwise, so a uniffi upgrade cannot skip it silently.

use anyhow::{Context, bail};

/// The Kotlin class of the public error.
const KOTLIN_ERROR_CLASS: &str = "sealed class WalkoutFfiException";
/// The end of that class's variants in the generated Kotlin.
const KOTLIN_CLASS_END: &str = "companion object ErrorHandler";
/// The property that each variant overrides with a field list.
const KOTLIN_MESSAGE_OVERRIDE: &str = "override val message";

/// Generated Python names that the `__str__` below calls.
const PYTHON_NAMES: [&str; 5] = [
    "class WalkoutFfiError(",
    "def _uniffi_rust_call(",
    "class _UniffiFfiConverterString",
    "class _UniffiFfiConverterTypeWalkoutFfiError(",
    "uniffi_walkout_ffi_fn_method_walkoutffierror_uniffi_trait_display",
];

/// Appended to the generated Python module.
const PYTHON_STR: &str = r#"

# Added by `cargo xtask bindings`: the generator builds an error's text from its fields, so
# str() would read "reason='HTTP 500'". This returns the sentence of the Rust `Display`
# implementation instead, as Kotlin's toString() and Swift's description do.
def _walkout_ffi_error_str(self):
    return _UniffiFfiConverterString.lift(
        _uniffi_rust_call(
            _UniffiLib.uniffi_walkout_ffi_fn_method_walkoutffierror_uniffi_trait_display,
            _UniffiFfiConverterTypeWalkoutFfiError.lower(self),
        )
    )


WalkoutFfiError.__str__ = _walkout_ffi_error_str
"#;

/// Returns the generated Kotlin with every `WalkoutFfiException` variant's `message` returning
/// `toString()`.
pub fn patch_kotlin(source: &str) -> anyhow::Result<String> {
    let start = source
        .find(KOTLIN_ERROR_CLASS)
        .context("the generated Kotlin has no WalkoutFfiException class")?;
    let length = source[start..]
        .find(KOTLIN_CLASS_END)
        .context("the generated WalkoutFfiException class has no ErrorHandler")?;
    let end = start + length;

    let mut class = String::with_capacity(length);
    let mut replaced = 0;
    let mut after_override = false;
    for line in source[start..end].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if after_override && trimmed.starts_with("get() = \"") {
            let indent = &line[..line.len() - trimmed.len()];
            class.push_str(indent);
            class.push_str("get() = toString()\n");
            replaced += 1;
        } else {
            class.push_str(line);
        }
        after_override = trimmed.trim_end() == KOTLIN_MESSAGE_OVERRIDE;
    }
    if replaced == 0 {
        bail!("the generated WalkoutFfiException variants have no `message` override to replace");
    }
    if !class.contains("override fun toString()") {
        bail!("the generated WalkoutFfiException has no toString() over the Rust Display");
    }
    Ok(format!("{}{class}{}", &source[..start], &source[end..]))
}

/// Returns the generated Python with a `__str__` on `WalkoutFfiError` that returns the Rust
/// `Display` sentence.
pub fn patch_python(source: &str) -> anyhow::Result<String> {
    for name in PYTHON_NAMES {
        if !source.contains(name) {
            bail!("the generated Python lacks `{name}`, which the error's __str__ calls");
        }
    }
    Ok(format!("{source}{PYTHON_STR}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOTLIN: &str = "\
class Other(val reason: String) : kotlin.Exception() {
    override val message
        get() = \"reason=${ `reason` }\"
}
sealed class WalkoutFfiException: kotlin.Exception() {
    class Network(
        val `reason`: kotlin.String
        ) : WalkoutFfiException() {
        override val message
            get() = \"reason=${ `reason` }\"
    }
    class Storage(
        ) : WalkoutFfiException() {
        override val message
            get() = \"\"
    }
    override fun toString(): String {
        return display()
    }
    companion object ErrorHandler : UniffiRustCallStatusErrorHandler<WalkoutFfiException> {
    }
}
";

    #[test]
    fn kotlin_variants_use_to_string() {
        let patched = patch_kotlin(KOTLIN).unwrap();
        assert_eq!(patched.matches("get() = toString()").count(), 2);
    }

    #[test]
    fn kotlin_other_classes_are_kept() {
        let patched = patch_kotlin(KOTLIN).unwrap();
        assert!(patched.starts_with(
            "class Other(val reason: String) : kotlin.Exception() {\n    override val message\n        get() = \"reason="
        ));
    }

    #[test]
    fn kotlin_indentation_is_kept() {
        let patched = patch_kotlin(KOTLIN).unwrap();
        assert!(patched.contains("        override val message\n            get() = toString()\n"));
    }

    #[test]
    fn kotlin_without_error_class_fails() {
        assert!(patch_kotlin("class Other\n").is_err());
    }

    #[test]
    fn kotlin_without_to_string_fails() {
        let without = KOTLIN.replace("override fun toString()", "fun other()");
        assert!(patch_kotlin(&without).is_err());
    }

    #[test]
    fn python_without_display_fails() {
        let source = PYTHON_NAMES[..4].join("\n");
        assert!(patch_python(&source).is_err());
    }

    #[test]
    fn python_gets_str() {
        let source = PYTHON_NAMES.join("\n");
        let patched = patch_python(&source).unwrap();
        assert!(patched.ends_with("WalkoutFfiError.__str__ = _walkout_ffi_error_str\n"));
    }
}
