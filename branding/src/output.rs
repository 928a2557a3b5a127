//! Writing a rendered output tree into the apps' resource folders.
//!
//! Each file is written to a temporary file in its own folder and renamed over the target, so a
//! reader (Xcode, Gradle) never sees a half-written file. A file whose content is unchanged is
//! not rewritten, which keeps build tools from rebuilding for nothing. Each output root keeps a
//! manifest of the files the tool generated there; a file listed in the old manifest and not
//! produced any more (a locale the new pack lacks) is removed. Files the tool did not generate
//! are never touched.
//!
//! NOTE: the tree as a whole is not replaced atomically. If the process dies midway, some files
//! are new and some old (each one whole); running `apply` again completes the tree.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::render::{ANDROID_RES_ROOT, IOS_ROOT, OutputTree};

/// Name of the manifest file kept in each output root. Xcode and aapt2 skip hidden files.
pub const MANIFEST: &str = ".walkout-brand-manifest";

/// Roots whose generated files are tracked by a manifest.
const MANIFEST_ROOTS: [&str; 2] = [IOS_ROOT, ANDROID_RES_ROOT];

/// Counts of what one write changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A file operation that failed, with the path.
#[derive(Debug, thiserror::Error)]
#[error("could not {action} {}: {source}", path.display())]
pub struct WriteError {
    pub action: &'static str,
    pub path: PathBuf,
    pub source: io::Error,
}

/// Writes `tree` under `out_root`, then updates each root's manifest and removes stale files.
pub fn write_tree(out_root: &Path, tree: &OutputTree) -> Result<WriteReport, WriteError> {
    let mut report = WriteReport::default();
    for (relative, content) in tree {
        if write_if_changed(&out_root.join(relative), content)? {
            report.written += 1;
        } else {
            report.unchanged += 1;
        }
    }

    for root in MANIFEST_ROOTS {
        let prefix = format!("{root}/");
        let current: BTreeSet<&str> = tree
            .keys()
            .filter_map(|path| path.strip_prefix(&prefix))
            .collect();
        report.removed += remove_stale(&out_root.join(root), &current)?;

        let mut manifest = String::new();
        for path in &current {
            manifest.push_str(path);
            manifest.push('\n');
        }
        write_if_changed(&out_root.join(root).join(MANIFEST), manifest.as_bytes())?;
    }
    Ok(report)
}

/// Replaces `path` with `content` through a temporary file and a rename; returns whether it
/// wrote anything.
fn write_if_changed(path: &Path, content: &[u8]) -> Result<bool, WriteError> {
    if fs::read(path).is_ok_and(|existing| existing == content) {
        return Ok(false);
    }
    let fail = |action, source| WriteError {
        action,
        path: path.to_path_buf(),
        source,
    };

    let folder = path
        .parent()
        .ok_or_else(|| fail("find the folder of", io::ErrorKind::InvalidInput.into()))?;
    fs::create_dir_all(folder).map_err(|e| fail("create the folder of", e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));

    let written = fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(content)?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| fs::rename(&temporary, path)) {
        // Best effort: the temporary file is hidden and named after this process.
        let _ = fs::remove_file(&temporary);
        return Err(fail("write", error));
    }
    Ok(true)
}

/// Removes the files listed in `root`'s old manifest that `current` no longer contains, and
/// the folders this leaves empty. Returns how many files it removed.
fn remove_stale(root: &Path, current: &BTreeSet<&str>) -> Result<usize, WriteError> {
    let manifest_path = root.join(MANIFEST);
    let old = match fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(source) => {
            return Err(WriteError {
                action: "read",
                path: manifest_path,
                source,
            });
        }
    };

    let mut removed = 0;
    for line in old
        .lines()
        .filter(|line| !line.is_empty() && !current.contains(line))
    {
        // A manifest line that leaves the root is ignored rather than followed.
        if !Path::new(line)
            .components()
            .all(|part| matches!(part, Component::Normal(_)))
        {
            continue;
        }
        let path = root.join(line);
        match fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(WriteError {
                    action: "remove",
                    path,
                    source,
                });
            }
        }
        remove_empty_parents(root, &path);
    }
    Ok(removed)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut folder = file.parent();
    while let Some(current) = folder {
        // `remove_dir` fails on a folder that still has files, which ends the walk.
        if current == root || !current.starts_with(root) || fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}
