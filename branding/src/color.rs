//! sRGB colors and the WCAG 2.1 contrast math used to check brand palettes.
//!
//! Source: W3C, "Web Content Accessibility Guidelines (WCAG) 2.1", definitions of
//! "relative luminance" and "contrast ratio" (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
//! Floating point is fine here: these are perceptual ratios, never money.

use std::fmt;

/// Minimum contrast for normal-size text, WCAG 2.1 success criterion 1.4.3 (level AA).
pub const AA_TEXT: f64 = 4.5;

/// Minimum contrast this project asks between the entry QR code's dark and light modules.
///
/// WCAG has no rule for codes read by cameras. Gate scanners decode low-contrast codes poorly
/// under store lighting and on dimmed screens, so the pack must meet the stricter AAA text
/// ratio (7:1) as a margin.
pub const QR_MIN: f64 = 7.0;

/// An opaque 8-bit-per-channel sRGB color.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Rgb {
    /// Parses `#RRGGBB` (either letter case). Other forms, including `#RGB` and alpha, are rejected.
    pub fn parse_hex(text: &str) -> Option<Rgb> {
        let digits = text.strip_prefix('#')?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
        Some(Rgb {
            r: channel(0)?,
            g: channel(2)?,
            b: channel(4)?,
        })
    }

    /// Relative luminance from 0 (black) to 1 (white), as WCAG 2.1 defines it.
    ///
    /// WCAG 2.1 linearizes with the threshold 0.03928; the sRGB standard says 0.04045. No 8-bit
    /// channel value falls between the two, so both give the same result here.
    pub fn relative_luminance(self) -> f64 {
        0.2126 * linearize(self.r) + 0.7152 * linearize(self.g) + 0.0722 * linearize(self.b)
    }

    /// Blends `self` toward `other`; `t` = 0 keeps `self`, 1 gives `other`.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let blend = |a: u8, b: u8| {
            let value = f64::from(a) + (f64::from(b) - f64::from(a)) * t.clamp(0.0, 1.0);
            value.round().clamp(0.0, 255.0) as u8
        };
        Rgb {
            r: blend(self.r, other.r),
            g: blend(self.g, other.g),
            b: blend(self.b, other.b),
        }
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02X}{:02X}{:02X}", self.r, self.g, self.b)
    }
}

fn linearize(channel: u8) -> f64 {
    let s = f64::from(channel) / 255.0;
    if s <= 0.03928 {
        s / 12.92
    } else {
        ((s + 0.055) / 1.055).powf(2.4)
    }
}

pub const WHITE: Rgb = Rgb {
    r: 255,
    g: 255,
    b: 255,
};
pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };

/// Contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 being the lighter color; from 1 to 21.
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (lighter, darker) = if la >= lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

/// Formats a ratio as `4.47:1`, rounded down, so a failing ratio never prints as the threshold.
pub fn format_ratio(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

/// Which way a foreground color has to move to gain contrast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Lighter,
    Darker,
}

impl Direction {
    /// The adjective for messages ("lighter", "darker").
    pub fn word(self) -> &'static str {
        match self {
            Direction::Lighter => "lighter",
            Direction::Darker => "darker",
        }
    }
}

/// Finds the color closest to `foreground`, blending toward white or black, whose contrast on
/// `background` reaches `min_ratio`.
///
/// Tries the direction with more headroom first. Returns `None` when neither white nor black
/// reaches `min_ratio` on this background; then the background itself has to change.
pub fn suggest_foreground(
    foreground: Rgb,
    background: Rgb,
    min_ratio: f64,
) -> Option<(Rgb, Direction)> {
    let mut directions = [(WHITE, Direction::Lighter), (BLACK, Direction::Darker)];
    if contrast_ratio(BLACK, background) > contrast_ratio(WHITE, background) {
        directions.swap(0, 1);
    }

    directions.into_iter().find_map(|(target, direction)| {
        blend_until(foreground, target, background, min_ratio).map(|color| (color, direction))
    })
}

/// Blends `foreground` toward `target` in 1% steps and returns the first color whose contrast
/// on `background` reaches `min_ratio`, or `None` if even `target` does not.
pub fn blend_until(foreground: Rgb, target: Rgb, background: Rgb, min_ratio: f64) -> Option<Rgb> {
    (1..=100)
        .map(|step| foreground.mix(target, f64::from(step) / 100.0))
        .find(|candidate| contrast_ratio(*candidate, background) >= min_ratio)
}
