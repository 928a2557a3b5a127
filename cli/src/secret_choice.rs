//! Choosing where the CLI keeps secrets.
//!
//! The platform keyring is preferred. Where it cannot be reached (headless Linux without a
//! D-Bus session, CI), `auto` falls back to owner-only files under `<storage>/secrets/` and prints
//! a warning on stderr, because those files are readable by anything running as the same user.

use std::sync::Arc;

use walkout_core::config::Config;
use walkout_core::secrets::{FileSecretStore, KeyringSecretStore, SecretStore};

use crate::args::SecretStoreChoice;
use crate::failure::Failure;

/// The chosen store and a description of it for `status`.
pub struct ChosenStore {
    pub store: Arc<dyn SecretStore>,
    /// `keyring` or `file`.
    pub kind: &'static str,
    /// Keychain service or folder holding this brand's secrets.
    pub location: String,
}

pub fn choose(choice: SecretStoreChoice, config: &Config) -> Result<ChosenStore, Failure> {
    match choice {
        SecretStoreChoice::Keyring => keyring(config),
        SecretStoreChoice::File => file(config),
        SecretStoreChoice::Auto => match KeyringSecretStore::check_available() {
            Ok(()) => keyring(config),
            Err(error) => {
                let chosen = file(config)?;
                eprintln!(
                    "warning: {error}; keeping secrets in owner-only files under {}, which is weaker than a platform keyring",
                    chosen.location
                );
                Ok(chosen)
            }
        },
    }
}

fn keyring(config: &Config) -> Result<ChosenStore, Failure> {
    KeyringSecretStore::check_available().map_err(|error| {
        Failure::runtime(
            "secret-store-unavailable",
            format!("{error}; pass --secret-store file to use files instead"),
        )
    })?;
    let store = KeyringSecretStore::new(&config.brand);
    Ok(ChosenStore {
        kind: "keyring",
        location: store.service().to_owned(),
        store: Arc::new(store),
    })
}

fn file(config: &Config) -> Result<ChosenStore, Failure> {
    let root = config.storage_dir.join("secrets");
    let store = FileSecretStore::open(&root, &config.brand)
        .map_err(|error| Failure::runtime("storage", error.to_string()))?;
    Ok(ChosenStore {
        kind: "file",
        location: store.folder().display().to_string(),
        store: Arc::new(store),
    })
}
