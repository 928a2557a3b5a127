//! A secret store of owner-only files, for headless Linux and CI where no platform store runs.
//!
//! Layout: `<root>/walkout-<brand>/<key>`, folders 0700 and files 0600 on Unix. Each write goes
//! to a temporary file in the same folder, is flushed with fsync, renamed over the old file, and
//! the folder is synced, so a crash leaves either the old or the new value, never a torn one.
//!
//! This is weaker than a platform store: the bytes sit unencrypted on disk, readable by any
//! process of the same user and by root, and they end up in backups of the folder. Use it only
//! where no Keychain, Keystore or Secret Service exists.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

use zeroize::Zeroizing;

use super::{SecretLookup, SecretStore, SecretStoreError, check_key};
use crate::config::BrandId;

/// Distinguishes temporary files of concurrent writes within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Secrets of one brand as owner-only files in one folder.
#[derive(Debug, Clone)]
pub struct FileSecretStore {
    folder: PathBuf,
}

impl FileSecretStore {
    /// Opens (creating if needed) the folder `<root>/walkout-<brand>` with owner-only access.
    ///
    /// An existing brand folder that others can read is narrowed to 0700.
    pub fn open(root: &Path, brand: &BrandId) -> Result<Self, SecretStoreError> {
        create_private_dir(root)?;
        let folder = root.join(format!("walkout-{brand}"));
        create_private_dir(&folder)?;
        restrict_dir(&folder)?;
        Ok(Self { folder })
    }

    /// Returns the folder holding this brand's secrets.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, SecretStoreError> {
        check_key(key)?;
        Ok(self.folder.join(key))
    }

    fn write_atomically(&self, path: &Path, value: &[u8]) -> std::io::Result<()> {
        let serial = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("secret");
        let temp = self
            .folder
            .join(format!(".{file_name}.{}.{serial}.tmp", std::process::id()));

        let result = write_new_private_file(&temp, value).and_then(|()| fs::rename(&temp, path));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result?;
        sync_dir(&self.folder)
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<SecretLookup, SecretStoreError> {
        let path = self.path_of(key)?;
        match fs::read(&path) {
            Ok(bytes) => Ok(SecretLookup::Found(Zeroizing::new(bytes))),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(SecretLookup::Absent),
            Err(error) if error.kind() == ErrorKind::PermissionDenied => {
                Ok(SecretLookup::Unavailable {
                    reason: format!("cannot read {}: {error}", path.display()),
                })
            }
            Err(error) => Err(io_failure("read", &path, &error)),
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        let path = self.path_of(key)?;
        self.write_atomically(&path, value)
            .map_err(|error| io_failure("write", &path, &error))
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        let path = self.path_of(key)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(&self.folder).map_err(|error| io_failure("sync", &self.folder, &error))
            }
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_failure("delete", &path, &error)),
        }
    }
}

fn write_new_private_file(path: &Path, value: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(value)?;
    file.sync_all()
}

fn create_private_dir(path: &Path) -> Result<(), SecretStoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder
        .create(path)
        .map_err(|error| io_failure("create folder", path, &error))
}

fn restrict_dir(path: &Path) -> Result<(), SecretStoreError> {
    #[cfg(unix)]
    {
        let metadata = fs::metadata(path).map_err(|error| io_failure("inspect", path, &error))?;
        if metadata.permissions().mode() & 0o077 != 0 {
            tracing::warn!(folder = %path.display(), "secret folder was readable by others; restricting it to 0700");
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))
                .map_err(|error| io_failure("restrict", path, &error))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    // Directories can be opened and synced on Unix; elsewhere the rename is all we can do.
    #[cfg(unix)]
    File::open(path)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn io_failure(action: &str, path: &Path, error: &std::io::Error) -> SecretStoreError {
    let reason = format!("cannot {action} {}: {error}", path.display());
    if error.kind() == ErrorKind::PermissionDenied {
        SecretStoreError::Unavailable { reason }
    } else {
        SecretStoreError::Failed { reason }
    }
}
