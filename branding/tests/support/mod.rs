//! Helpers shared by the integration tests: the repository's brands folder and scratch copies
//! of a pack that a test can break.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use walkout_branding::{PackError, Problem, validate_pack};

/// The committed brand packs.
pub fn brands_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("brands")
}

/// A scratch folder with `brands/<id>`, removed on drop.
pub struct Scratch {
    pub root: TempDir,
    pub brands: PathBuf,
}

impl Scratch {
    /// The copied pack's folder.
    pub fn pack(&self, id: &str) -> PathBuf {
        self.brands.join(id)
    }
}

/// A scratch brands folder holding a copy of the pack `id` under the same id.
pub fn copy_pack(id: &str) -> Scratch {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let brands = root.path().join("brands");
    copy_dir(&brands_dir().join(id), &brands.join(id));
    Scratch { root, brands }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("copy: {e}"));
        }
    }
}

/// Replaces `old` with `new` in a file of the pack; panics if `old` is absent.
pub fn edit(pack_dir: &Path, file: &str, old: &str, new: &str) {
    let path = pack_dir.join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {file}: {e}"));
    assert!(text.contains(old), "{file} does not contain {old:?}");
    fs::write(&path, text.replacen(old, new, 1)).unwrap_or_else(|e| panic!("write {file}: {e}"));
}

/// The problems of an invalid pack; panics if the pack is valid or missing.
pub fn problems(brands: &Path, id: &str) -> Vec<Problem> {
    match validate_pack(brands, id) {
        Err(PackError::Invalid { problems }) => problems,
        Err(other) => panic!("{id}: expected problems, got {other}"),
        Ok(_) => panic!("{id}: expected problems, the pack is valid"),
    }
}
