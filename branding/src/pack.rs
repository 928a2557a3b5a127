//! A brand pack that passed validation, and the ways loading one can fail.
//!
//! A [`Pack`] can only be built by [`crate::validate_pack`], so code that writes resources from
//! a pack never sees an invalid one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::problem::Problem;
use crate::schema::BrandToml;

/// Locale code (`en`, `pt-BR`) to string key to text.
pub type Strings = BTreeMap<String, BTreeMap<String, String>>;

/// A valid brand pack, loaded into memory.
#[derive(Debug, Clone)]
pub struct Pack {
    pub(crate) files: PackFiles,
    pub(crate) brand: BrandToml,
    pub(crate) strings: Strings,
    pub(crate) logo_png: Vec<u8>,
    pub(crate) app_icon: RgbaImage,
}

impl Pack {
    /// The brand id, equal to the pack's folder name.
    pub fn id(&self) -> &str {
        &self.brand.id
    }

    /// The parsed `brand.toml`.
    pub fn brand(&self) -> &BrandToml {
        &self.brand
    }

    /// All strings by locale, then key.
    pub fn strings(&self) -> &Strings {
        &self.strings
    }

    /// The pack's folder on disk.
    pub fn dir(&self) -> &Path {
        &self.files.dir
    }
}

/// Paths of one pack: where files are on disk and how problems name them.
#[derive(Debug, Clone)]
pub(crate) struct PackFiles {
    pub(crate) dir: PathBuf,
    /// `brands/<id>`: the brands folder's own name, then the id.
    pub(crate) prefix: String,
}

impl PackFiles {
    pub(crate) fn new(brands_dir: &Path, id: &str) -> Self {
        let folder = brands_dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "brands".to_owned());
        PackFiles {
            dir: brands_dir.join(id),
            prefix: format!("{folder}/{id}"),
        }
    }

    /// The file on disk, from a path relative to the pack folder.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// The file as problems name it.
    pub(crate) fn label(&self, relative: &str) -> String {
        format!("{}/{}", self.prefix, relative)
    }
}

/// Reason [`crate::validate_pack`] returned no pack.
#[derive(Debug)]
pub enum PackError {
    /// The id cannot name a pack folder (empty, or holds a path separator or `..`).
    BadId { id: String },
    /// No folder of that name in the brands folder.
    NotFound {
        id: String,
        brands_dir: PathBuf,
        available: Vec<String>,
    },
    /// The pack exists and breaks the listed rules.
    Invalid { problems: Vec<Problem> },
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::BadId { id } => write!(
                f,
                "invalid brand id {id:?}: use the name of a folder in the brands folder, such as `walkout`"
            ),
            PackError::NotFound {
                id,
                brands_dir,
                available,
            } => write!(
                f,
                "brand pack {id:?} not found in {}; available: {}",
                brands_dir.display(),
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
            PackError::Invalid { problems } => {
                write!(f, "brand pack is invalid ({} problems)", problems.len())
            }
        }
    }
}

impl std::error::Error for PackError {}
