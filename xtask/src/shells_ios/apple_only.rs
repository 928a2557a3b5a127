//! A syntax check of the Swift code that only Apple's SDKs compile: the SwiftUI screens, the
//! `ASWebAuthenticationSession` wrapper and the app target's entry point. On Linux their
//! `#if canImport(...)` bodies are skipped by `swift build`, so without this check a typo there
//! would surface only in Xcode. `swiftc -parse` reads every `#if` branch but resolves no names
//! or types, so it proves the syntax and nothing more.

use std::path::Path;

use anyhow::Context;

/// The folders, relative to `ios/`, whose Swift files are parsed.
pub const FOLDERS: &[&str] = &[
    "Sources/WalkoutKit/Screens",
    "Sources/WalkoutKit/Platform",
    "App",
];

/// Returns the `.swift` files of [`FOLDERS`] under `ios_dir`, as paths relative to it, sorted.
pub fn swift_files(ios_dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        let dir = ios_dir.join(folder);
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type()?.is_file() && name.ends_with(".swift") {
                files.push(format!("{folder}/{name}"));
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swift_files_lists_only_swift_sources() -> anyhow::Result<()> {
        let scratch =
            std::env::temp_dir().join(format!("walkout-apple-only-{}", std::process::id()));
        for folder in FOLDERS {
            std::fs::create_dir_all(scratch.join(folder))?;
        }
        std::fs::write(scratch.join("App/Main.swift"), "")?;
        std::fs::write(scratch.join("App/Info.plist"), "")?;
        std::fs::write(scratch.join("Sources/WalkoutKit/Screens/B.swift"), "")?;
        std::fs::write(scratch.join("Sources/WalkoutKit/Screens/A.swift"), "")?;
        std::fs::create_dir_all(scratch.join("Sources/WalkoutKit/Screens/Nested.swift"))?;

        let files = swift_files(&scratch)?;

        assert_eq!(
            files,
            [
                "App/Main.swift",
                "Sources/WalkoutKit/Screens/A.swift",
                "Sources/WalkoutKit/Screens/B.swift",
            ]
        );
        std::fs::remove_dir_all(&scratch)?;
        Ok(())
    }

    #[test]
    fn swift_files_reports_missing_folder() {
        let missing = std::env::temp_dir().join("walkout-apple-only-missing-folder");
        let error = swift_files(&missing).expect_err("the folders do not exist");
        assert!(error.to_string().contains("cannot read"), "{error}");
    }
}
