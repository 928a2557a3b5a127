//! Guard for the build profiles: every profile must unwind on panic, so a panic inside the core
//! reaches Swift and Kotlin as an exception instead of aborting the app.

use anyhow::{Context, bail};

/// Fails if any profile of the workspace manifest sets `panic = "abort"`.
pub fn check_unwind(manifest_text: &str) -> anyhow::Result<()> {
    let manifest: toml::Table = manifest_text
        .parse()
        .context("Cargo.toml is not valid TOML")?;
    let Some(profiles) = manifest.get("profile").and_then(|p| p.as_table()) else {
        return Ok(());
    };
    let mut offenders = Vec::new();
    for (name, profile) in profiles {
        collect_aborts(name, profile, &mut offenders);
    }
    if !offenders.is_empty() {
        bail!(
            "these profiles set panic = \"abort\": {}. Every profile must keep panic = \"unwind\" so a panic reaches the apps as an exception",
            offenders.join(", ")
        );
    }
    Ok(())
}

fn collect_aborts(path: &str, value: &toml::Value, offenders: &mut Vec<String>) {
    let Some(table) = value.as_table() else {
        return;
    };
    if table.get("panic").and_then(|p| p.as_str()) == Some("abort") {
        offenders.push(path.to_owned());
    }
    // Per-package overrides: [profile.<name>.package.<pkg>] and build-override.
    for (key, nested) in table {
        if nested.is_table() {
            collect_aborts(&format!("{path}.{key}"), nested, offenders);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwind_profiles_pass() {
        let manifest = "[profile.release]\npanic = \"unwind\"\n[profile.release-mobile]\ninherits = \"release\"\n";
        assert!(check_unwind(manifest).is_ok());
    }

    #[test]
    fn abort_profile_is_named() {
        let manifest = "[profile.release-mobile]\npanic = \"abort\"\n";
        let error = check_unwind(manifest).unwrap_err().to_string();
        assert!(error.contains("release-mobile"), "{error}");
    }

    #[test]
    fn abort_in_package_override_is_found() {
        let manifest = "[profile.dev.package.foo]\npanic = \"abort\"\n";
        let error = check_unwind(manifest).unwrap_err().to_string();
        assert!(error.contains("dev.package.foo"), "{error}");
    }

    #[test]
    fn workspace_manifest_unwinds() {
        let text = std::fs::read_to_string(crate::workspace_root().join("Cargo.toml")).unwrap();
        check_unwind(&text).unwrap();
    }
}
