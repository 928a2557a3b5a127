//! Atomic file drops into a folder watched by a POS.
//!
//! A file is written under a temporary name that starts with `.` and ends in `.tmp`, so no
//! POS pattern such as `*.csv` or `*.xml` matches it. It is then flushed to disk and renamed to
//! its final name in the same folder. A reader therefore sees either no file or the whole file.
//! The final name contains the transaction id: when it already exists, the transaction was
//! exported and nothing is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::PosError;

/// Outcome of a drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dropped {
    Written(PathBuf),
    AlreadyThere(PathBuf),
}

/// Checks that `part` can go into a file name unchanged: ASCII letters, digits, `-`, `_` and
/// `.`, not empty and not starting with `.`.
pub(crate) fn check_name_part(sink: &str, what: &str, part: &str) -> Result<(), PosError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if part.is_empty() || part.starts_with('.') || !part.chars().all(allowed) {
        return Err(PosError::Permanent {
            sink: sink.to_owned(),
            message: format!(
                "{what} {part:?} cannot be used in a file name: use only ASCII letters, digits, \
                 '-', '_' and '.'"
            ),
        });
    }
    Ok(())
}

/// Writes `contents` to `folder/name` atomically, unless that file exists already.
///
/// Two concurrent drops of the same name both rename onto it. The contents are a pure function
/// of the transaction, so the file ends up the same either way.
pub(crate) fn drop_file(
    sink: &str,
    folder: &Path,
    name: &str,
    contents: &[u8],
) -> Result<Dropped, PosError> {
    let final_path = folder.join(name);
    if final_path.exists() {
        return Ok(Dropped::AlreadyThere(final_path));
    }
    let retryable = |action: &str, error: std::io::Error| PosError::Retryable {
        sink: sink.to_owned(),
        message: format!("{action} in {}: {error}", folder.display()),
    };

    std::fs::create_dir_all(folder).map_err(|e| retryable("creating the folder", e))?;
    let temp_path = folder.join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let written = write_and_sync(&temp_path, contents)
        .and_then(|()| std::fs::rename(&temp_path, &final_path));
    if let Err(error) = written {
        // Best effort: a leftover temporary file is harmless, since no POS pattern matches it.
        let _ = std::fs::remove_file(&temp_path);
        return Err(retryable("writing the file", error));
    }
    sync_folder(folder).map_err(|e| retryable("syncing the folder", e))?;
    Ok(Dropped::Written(final_path))
}

fn write_and_sync(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Makes the rename durable: on Unix a rename reaches the disk when its folder is synced.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> std::io::Result<()> {
    Ok(())
}
