//! Draws the logo and app icon PNGs of the example brand packs.
//!
//! The committed PNGs come from this program, so anyone can regenerate them:
//! `cargo run -p walkout-branding --example draw_brand_art` (from the workspace root).
//! The `broken` pack's icon is drawn at 512×512 on purpose, below the 1024×1024 minimum.

use std::path::Path;

use image::{Rgba, RgbaImage};

type Shape = dyn Fn(f64, f64) -> bool;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let brands = Path::new(env!("CARGO_MANIFEST_DIR")).join("brands");

    let walkout_icon = walkout_mark(1024, [0x0B, 0x3D, 0x91], [0xFF, 0xFF, 0xFF]);
    walkout_icon.save(brands.join("walkout/app-icon.png"))?;
    logo(&walkout_icon, [0x0B, 0x3D, 0x91], 3).save(brands.join("walkout/logo.png"))?;

    let fresh_icon = freshmart_mark(1024);
    fresh_icon.save(brands.join("freshmart/app-icon.png"))?;
    logo(&fresh_icon, [0x1B, 0x5E, 0x20], 2).save(brands.join("freshmart/logo.png"))?;

    let broken_icon = walkout_mark(512, [0x77, 0x77, 0x77], [0x88, 0x88, 0x88]);
    broken_icon.save(brands.join("broken/app-icon.png"))?;
    logo(
        &walkout_mark(1024, [0x77, 0x77, 0x77], [0x88, 0x88, 0x88]),
        [0x77, 0x77, 0x77],
        1,
    )
    .save(brands.join("broken/logo.png"))?;
    Ok(())
}

/// Fills every pixel whose center, in 0..1 coordinates, lies inside `shape`.
fn fill(image: &mut RgbaImage, color: [u8; 3], shape: &Shape) {
    let (width, height) = image.dimensions();
    for y in 0..height {
        for x in 0..width {
            let u = (f64::from(x) + 0.5) / f64::from(width);
            let v = (f64::from(y) + 0.5) / f64::from(height);
            if shape(u, v) {
                image.put_pixel(x, y, Rgba([color[0], color[1], color[2], 255]));
            }
        }
    }
}

fn disc(cx: f64, cy: f64, r: f64) -> impl Fn(f64, f64) -> bool {
    move |u, v| (u - cx).powi(2) + (v - cy).powi(2) <= r * r
}

/// Draws an open doorway with an arrow walking out of it.
fn walkout_mark(size: u32, background: [u8; 3], foreground: [u8; 3]) -> RgbaImage {
    let mut image = RgbaImage::from_pixel(
        size,
        size,
        Rgba([background[0], background[1], background[2], 255]),
    );
    let door = |u: f64, v: f64| {
        (0.22..0.50).contains(&u)
            && (0.20..0.80).contains(&v)
            && !((0.28..0.44).contains(&u) && (0.26..0.80).contains(&v))
    };
    fill(&mut image, foreground, &door);
    let shaft = |u: f64, v: f64| (0.40..0.68).contains(&u) && (0.47..0.55).contains(&v);
    fill(&mut image, foreground, &shaft);
    let head = |u: f64, v: f64| (0.64..=0.80).contains(&u) && (v - 0.51).abs() <= (0.80 - u) * 0.9;
    fill(&mut image, foreground, &head);
    image
}

/// Draws an orange on a green field, with a leaf.
fn freshmart_mark(size: u32) -> RgbaImage {
    let mut image = RgbaImage::from_pixel(size, size, Rgba([0x1B, 0x5E, 0x20, 255]));
    fill(&mut image, [0xFF, 0xF8, 0xE1], &disc(0.5, 0.5, 0.40));
    fill(&mut image, [0xF5, 0x7C, 0x00], &disc(0.5, 0.56, 0.26));
    let leaf = |u: f64, v: f64| disc(0.56, 0.30, 0.10)(u, v) && disc(0.50, 0.36, 0.10)(u, v);
    fill(&mut image, [0x2E, 0x7D, 0x32], &leaf);
    image
}

/// Draws a 512×128 logo: the icon mark on the left and `bars` word-like bars beside it.
fn logo(mark: &RgbaImage, color: [u8; 3], bars: u32) -> RgbaImage {
    let mut image = RgbaImage::from_pixel(512, 128, Rgba([0, 0, 0, 0]));
    let small = image::imageops::resize(mark, 112, 112, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut image, &small, 8, 8);
    for bar in 0..bars {
        let top = 0.2 + f64::from(bar) * 0.25;
        let length = 0.95 - f64::from(bar) * 0.12;
        let shape =
            move |u: f64, v: f64| (0.30..length).contains(&u) && (top..top + 0.15).contains(&v);
        fill(&mut image, color, &shape);
    }
    image
}
