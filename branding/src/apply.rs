//! `apply`: validate a pack, render its resources, write them into the app folders.
//!
//! Validation and rendering finish before the first write, so an invalid pack or a rendering
//! failure leaves every output folder untouched.

use std::path::Path;

use crate::output::{WriteError, WriteReport, write_tree};
use crate::pack::PackError;
use crate::render::{RenderError, render};
use crate::validate::validate_pack;

/// Failure of `apply`: nothing written (invalid pack, rendering) or writing stopped midway.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Pack(#[from] PackError),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("{0}")]
    Write(#[from] WriteError),
}

/// Validates `brands_dir/<id>` and writes its iOS and Android resources under `out_root`
/// (normally the workspace root).
pub fn apply(brands_dir: &Path, id: &str, out_root: &Path) -> Result<WriteReport, ApplyError> {
    let pack = validate_pack(brands_dir, id)?;
    let tree = render(&pack)?;
    Ok(write_tree(out_root, &tree)?)
}
