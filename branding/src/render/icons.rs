//! App icon sizes of both platforms, resized from the pack's 1024×1024 source.
//!
//! Resizing uses Lanczos3, which is deterministic, so the PNG bytes repeat exactly between runs.

use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

use super::RenderError;

/// One entry of an iOS `AppIcon.appiconset`: idiom, size in points, scale, and pixels.
pub(super) struct IosIcon {
    pub idiom: &'static str,
    pub size: &'static str,
    pub scale: &'static str,
    pub pixels: u32,
}

const fn ios(idiom: &'static str, size: &'static str, scale: &'static str, pixels: u32) -> IosIcon {
    IosIcon {
        idiom,
        size,
        scale,
        pixels,
    }
}

/// The classic iPhone and iPad icon slots plus the App Store ("ios-marketing") icon.
pub(super) const IOS_ICONS: [IosIcon; 18] = [
    ios("iphone", "20x20", "2x", 40),
    ios("iphone", "20x20", "3x", 60),
    ios("iphone", "29x29", "2x", 58),
    ios("iphone", "29x29", "3x", 87),
    ios("iphone", "40x40", "2x", 80),
    ios("iphone", "40x40", "3x", 120),
    ios("iphone", "60x60", "2x", 120),
    ios("iphone", "60x60", "3x", 180),
    ios("ipad", "20x20", "1x", 20),
    ios("ipad", "20x20", "2x", 40),
    ios("ipad", "29x29", "1x", 29),
    ios("ipad", "29x29", "2x", 58),
    ios("ipad", "40x40", "1x", 40),
    ios("ipad", "40x40", "2x", 80),
    ios("ipad", "76x76", "1x", 76),
    ios("ipad", "76x76", "2x", 152),
    ios("ipad", "83.5x83.5", "2x", 167),
    ios("ios-marketing", "1024x1024", "1x", 1024),
];

/// Android launcher icon densities and their size in pixels (48 dp at each density).
pub(super) const ANDROID_DENSITIES: [(&str, u32); 5] = [
    ("mdpi", 48),
    ("hdpi", 72),
    ("xhdpi", 96),
    ("xxhdpi", 144),
    ("xxxhdpi", 192),
];

/// Resizes `icon` to `pixels`×`pixels` and encodes it as an opaque RGB PNG (the App Store
/// rejects icons with an alpha channel).
pub(super) fn png(icon: &RgbaImage, pixels: u32, path: &str) -> Result<Vec<u8>, RenderError> {
    let resized = if icon.width() == pixels && icon.height() == pixels {
        icon.clone()
    } else {
        imageops::resize(icon, pixels, pixels, FilterType::Lanczos3)
    };
    let rgb = image::DynamicImage::ImageRgba8(resized).to_rgb8();

    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(rgb.as_raw(), pixels, pixels, ExtendedColorType::Rgb8)
        .map_err(|source| RenderError::Png {
            path: path.to_owned(),
            source,
        })?;
    Ok(bytes)
}
