//! Checks of the pack's PNG sources: present, inside the pack, decodable and large enough.
//!
//! The app icon must be square, at least 1024×1024 (the App Store's marketing size, from which
//! every smaller icon is resized) and fully opaque, because the App Store rejects app icons with
//! transparency.

use std::fs;
use std::path::{Component, Path};

use image::{ImageFormat, RgbaImage};

use crate::pack::PackFiles;
use crate::problem::Problem;
use crate::schema::Assets;

pub(crate) const MIN_ICON: u32 = 1024;
const MIN_LOGO_WIDTH: u32 = 256;
const MIN_LOGO_HEIGHT: u32 = 64;

/// Loads the logo (original PNG bytes) and the decoded app icon; reports each broken rule.
pub(super) fn load(
    assets: &Assets,
    files: &PackFiles,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<u8>, RgbaImage)> {
    let logo = read_png("assets.logo", &assets.logo, files, problems);
    if let Some((_, image)) = &logo
        && (image.width() < MIN_LOGO_WIDTH || image.height() < MIN_LOGO_HEIGHT)
    {
        problems.push(Problem::new(
            files.label(&assets.logo),
            "assets.logo",
            format!(
                "is {}×{} pixels, smaller than {MIN_LOGO_WIDTH}×{MIN_LOGO_HEIGHT}",
                image.width(),
                image.height()
            ),
            format!(
                "export the logo at least {MIN_LOGO_WIDTH} pixels wide and {MIN_LOGO_HEIGHT} high"
            ),
        ));
    }

    let icon = read_png("assets.app_icon", &assets.app_icon, files, problems);
    if let Some((_, image)) = &icon {
        check_icon(image, files.label(&assets.app_icon), problems);
    }

    let (logo_png, _) = logo?;
    let (_, app_icon) = icon?;
    Some((logo_png, app_icon))
}

fn check_icon(image: &RgbaImage, label: String, problems: &mut Vec<Problem>) {
    let (width, height) = image.dimensions();
    if width != height {
        problems.push(Problem::new(
            label.clone(),
            "assets.app_icon",
            format!("is {width}×{height} pixels, not square"),
            "crop the icon source to a square",
        ));
    }
    if width.min(height) < MIN_ICON {
        problems.push(Problem::new(
            label.clone(),
            "assets.app_icon",
            format!("is {width}×{height} pixels, smaller than {MIN_ICON}×{MIN_ICON}"),
            format!("export the icon source at {MIN_ICON}×{MIN_ICON} pixels or larger"),
        ));
    }
    if image.pixels().any(|pixel| pixel.0[3] != u8::MAX) {
        problems.push(Problem::new(
            label,
            "assets.app_icon",
            "has transparent pixels; the App Store rejects app icons with transparency",
            "flatten the icon onto an opaque background",
        ));
    }
}

/// Reads a PNG named by `key`; returns its bytes and RGBA pixels.
fn read_png(
    key: &str,
    relative: &str,
    files: &PackFiles,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<u8>, RgbaImage)> {
    let inside_pack = !relative.is_empty()
        && Path::new(relative)
            .components()
            .all(|part| matches!(part, Component::Normal(_)));
    if !inside_pack || !relative.ends_with(".png") {
        problems.push(Problem::new(
            files.label("brand.toml"),
            key,
            format!("{relative:?} is not a .png path inside the pack"),
            "give a relative path such as \"logo.png\", without .. or a leading /",
        ));
        return None;
    }

    let label = files.label(relative);
    let bytes = match fs::read(files.path(relative)) {
        Ok(bytes) => bytes,
        Err(error) => {
            problems.push(Problem::new(
                label,
                key,
                format!("could not be read: {error}"),
                "add the PNG file to the pack or fix the path in brand.toml",
            ));
            return None;
        }
    };
    match image::load_from_memory_with_format(&bytes, ImageFormat::Png) {
        Ok(image) => Some((bytes, image.to_rgba8())),
        Err(error) => {
            problems.push(Problem::new(
                label,
                key,
                format!("is not a readable PNG: {error}"),
                "export the image again as PNG",
            ));
            None
        }
    }
}
