//! QR rendering of entry codes: the module matrix, PNG, SVG and terminal text.
//!
//! An entry code is always drawn as a version 2 symbol at error-correction level M in a single
//! alphanumeric segment. Gate scanners and the merchant's QR pattern expect that exact shape, so
//! a text that does not fit is an error, never a silent move to a larger version. Every output
//! draws dark modules on a light background with a 4-module quiet zone. Rendering is pure and
//! builds each image straight from the matrix.

use std::fmt::Write as _;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use qrcode::bits::Bits;
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode, Version};

/// QR version of every entry code symbol.
pub const QR_VERSION: i16 = 2;
/// Modules per side of a version 2 symbol, without the quiet zone.
pub const SYMBOL_MODULES: usize = 25;
/// Light margin drawn around the symbol, in modules.
pub const QUIET_ZONE_MODULES: usize = 4;
/// Data capacity of a version 2 symbol at level M, in bits.
pub const DATA_CAPACITY_BITS: usize = 224;
/// Pixels per module when the caller has no better figure (264 px for the whole image).
pub const DEFAULT_PIXELS_PER_MODULE: u32 = 8;
/// Largest accepted pixels per module: 64 gives a 2112 px image, above any phone screen.
pub const MAX_PIXELS_PER_MODULE: u32 = 64;

/// Characters of the QR alphanumeric mode, in the order of their values.
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
/// Bits before the data in a version 2 alphanumeric segment: 4 for the mode, 9 for the count.
const SEGMENT_HEADER_BITS: usize = 4 + 9;
const LIGHT_PIXEL: u8 = 0xFF;
const DARK_PIXEL: u8 = 0x00;

/// Reasons why a text cannot be drawn as an entry code symbol.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The text contains a character outside the QR alphanumeric set.
    #[error(
        "cannot render the entry code: the character at position {position} is outside the QR alphanumeric set (0-9, A-Z, space, $%*+-./:)"
    )]
    UnsupportedCharacter {
        /// Zero-based character position.
        position: usize,
    },
    /// The text needs more bits than a version 2 symbol at level M holds.
    #[error(
        "cannot render the entry code: {characters} characters need {needed_bits} bits, but a version 2 symbol at level M holds {DATA_CAPACITY_BITS}"
    )]
    TooLong {
        /// Number of characters in the text.
        characters: usize,
        /// Bits that the alphanumeric segment needs.
        needed_bits: usize,
    },
    /// The pixels per module are outside `1..=MAX_PIXELS_PER_MODULE`.
    #[error(
        "invalid pixels per module: {value}; expected 1 to {MAX_PIXELS_PER_MODULE} (default {DEFAULT_PIXELS_PER_MODULE})"
    )]
    PixelsPerModule {
        /// The rejected value.
        value: u32,
    },
    /// The QR encoder rejected the data.
    #[error("QR encoder failed: {0}")]
    Encoder(#[from] QrError),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] image::ImageError),
}

/// Module matrix of one symbol, without the quiet zone. `true` is a dark module.
#[derive(Clone, PartialEq, Eq)]
pub struct QrMatrix {
    size: usize,
    /// Row-major modules, `size * size` of them.
    modules: Vec<bool>,
}

impl std::fmt::Debug for QrMatrix {
    // The modules encode the entry code, so they stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrMatrix")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl QrMatrix {
    /// Encodes `text` as a version 2, level M symbol in one alphanumeric segment.
    ///
    /// Fails when a character is outside the alphanumeric set or the text needs more than 224
    /// bits (39 characters or more).
    pub fn encode(text: &str) -> Result<Self, RenderError> {
        if let Some(position) = text.chars().position(|c| !is_alphanumeric(c)) {
            return Err(RenderError::UnsupportedCharacter { position });
        }

        // Every character is ASCII now, so the byte length is the character count.
        let characters = text.len();
        let needed_bits = alphanumeric_segment_bits(characters);
        if needed_bits > DATA_CAPACITY_BITS {
            return Err(RenderError::TooLong {
                characters,
                needed_bits,
            });
        }

        let mut bits = Bits::new(Version::Normal(QR_VERSION));
        bits.push_alphanumeric_data(text.as_bytes())?;
        bits.push_terminator(EcLevel::M)?;
        let symbol = QrCode::with_bits(bits, EcLevel::M)?;

        let size = symbol.width();
        let modules = symbol
            .into_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        Ok(Self { size, modules })
    }

    /// Returns the number of modules per side: 25 for every entry code.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Tells whether the module at column `x`, row `y` is dark. Coordinates outside the symbol
    /// (the quiet zone and beyond) are light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules[y * self.size + x]
    }

    /// Tells whether a module is dark, with coordinates that include the quiet zone.
    fn is_dark_with_margin(&self, x: usize, y: usize) -> bool {
        match (
            x.checked_sub(QUIET_ZONE_MODULES),
            y.checked_sub(QUIET_ZONE_MODULES),
        ) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    /// Returns the number of modules per side with the quiet zone on both sides.
    pub fn size_with_quiet_zone(&self) -> usize {
        self.size + 2 * QUIET_ZONE_MODULES
    }

    /// Renders an 8-bit grayscale PNG with the quiet zone, `pixels_per_module` pixels per module
    /// (1 to 64), black modules on white.
    pub fn to_png(&self, pixels_per_module: u32) -> Result<Vec<u8>, RenderError> {
        let scale = checked_scale(pixels_per_module)?;
        let side = self.size_with_quiet_zone() * scale;
        let mut pixels = vec![LIGHT_PIXEL; side * side];

        for y in 0..self.size {
            let first_row = (QUIET_ZONE_MODULES + y) * scale * side;

            // Draw one pixel row of this module row, then copy it to the rows below.
            for x in (0..self.size).filter(|&x| self.is_dark(x, y)) {
                let start = first_row + (QUIET_ZONE_MODULES + x) * scale;
                pixels[start..start + scale].fill(DARK_PIXEL);
            }
            for row in 1..scale {
                let destination = first_row + row * side;
                pixels.copy_within(first_row..first_row + side, destination);
            }
        }

        // `side` is at most 33 * 64 = 2112, far below u32::MAX.
        let side = u32::try_from(side).unwrap_or(u32::MAX);
        let mut png = Vec::new();
        // Fast deflate and the Up filter suit an image whose rows repeat in bands.
        let encoder = PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Up);
        encoder.write_image(&pixels, side, side, ExtendedColorType::L8)?;
        Ok(png)
    }

    /// Renders an SVG document of the same geometry as [`QrMatrix::to_png`]: a `viewBox` in
    /// modules (quiet zone included), a white background and one black path, with crisp edges.
    /// `pixels_per_module` (1 to 64) sets the `width` and `height` attributes.
    pub fn to_svg(&self, pixels_per_module: u32) -> Result<String, RenderError> {
        let scale = checked_scale(pixels_per_module)?;
        let modules = self.size_with_quiet_zone();
        let pixels = modules * scale;

        let mut svg = String::with_capacity(4_096);
        // Writing to a String cannot fail, so the results are ignored.
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pixels}\" height=\"{pixels}\" \
             viewBox=\"0 0 {modules} {modules}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{modules}\" height=\"{modules}\" fill=\"#ffffff\"/>\
             <path fill=\"#000000\" d=\""
        );
        for y in 0..self.size {
            let mut x = 0;
            while x < self.size {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }

                // One rectangle per horizontal run of dark modules.
                let run_start = x;
                while x < self.size && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - run_start;
                let left = run_start + QUIET_ZONE_MODULES;
                let top = y + QUIET_ZONE_MODULES;
                let _ = write!(svg, "M{left} {top}h{run}v1h-{run}z");
            }
        }
        svg.push_str("\"/></svg>\n");
        Ok(svg)
    }

    /// Renders the symbol and its quiet zone as lines of Unicode half blocks, two module rows
    /// per line, for a terminal.
    ///
    /// A terminal draws glyphs in its text colour, so `background` picks which modules become
    /// glyphs: on a dark background the light modules are drawn, on a light background the dark
    /// ones. Either way the symbol appears dark on light.
    pub fn to_terminal(&self, background: TerminalBackground) -> String {
        let side = self.size_with_quiet_zone();
        let lines = side.div_ceil(2);
        let mut text = String::with_capacity(lines * (side * '█'.len_utf8() + 1));

        for line in 0..lines {
            let top = 2 * line;
            let bottom = top + 1;
            for x in 0..side {
                let top_ink = background.is_ink(self.is_dark_with_margin(x, top));
                // Past the last row there is nothing to draw, not even a light module.
                let bottom_ink =
                    bottom < side && background.is_ink(self.is_dark_with_margin(x, bottom));
                text.push(half_block(top_ink, bottom_ink));
            }
            text.push('\n');
        }
        text
    }
}

/// Background colour of the terminal that shows [`QrMatrix::to_terminal`] output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TerminalBackground {
    /// Light text on a dark background, the default of most terminals.
    #[default]
    Dark,
    /// Dark text on a light background.
    Light,
}

impl TerminalBackground {
    /// Tells whether a module is drawn as a glyph on this background.
    fn is_ink(self, dark_module: bool) -> bool {
        match self {
            Self::Dark => !dark_module,
            Self::Light => dark_module,
        }
    }
}

/// Picks the half-block character for an upper and a lower cell.
fn half_block(top: bool, bottom: bool) -> char {
    match (top, bottom) {
        (false, false) => ' ',
        (true, false) => '▀',
        (false, true) => '▄',
        (true, true) => '█',
    }
}

fn is_alphanumeric(c: char) -> bool {
    u8::try_from(c).is_ok_and(|byte| ALPHANUMERIC.contains(&byte))
}

/// Counts the bits of one alphanumeric segment: 11 per pair of characters, 6 for a last single.
fn alphanumeric_segment_bits(characters: usize) -> usize {
    let pairs = characters / 2;
    let single = characters % 2;
    pairs
        .saturating_mul(11)
        .saturating_add(single * 6)
        .saturating_add(SEGMENT_HEADER_BITS)
}

fn checked_scale(pixels_per_module: u32) -> Result<usize, RenderError> {
    if !(1..=MAX_PIXELS_PER_MODULE).contains(&pixels_per_module) {
        return Err(RenderError::PixelsPerModule {
            value: pixels_per_module,
        });
    }
    usize::try_from(pixels_per_module).map_err(|_| RenderError::PixelsPerModule {
        value: pixels_per_module,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_bits_match_capacity_table() {
        // A version 2 symbol at level M has room for 38 alphanumeric characters but not 39.
        assert_eq!(alphanumeric_segment_bits(38), 222);
        assert_eq!(alphanumeric_segment_bits(39), 228);
    }

    #[test]
    fn out_of_range_modules_are_light() {
        let matrix = QrMatrix::encode("W1").unwrap();
        assert!(!matrix.is_dark(usize::MAX, 0));
        assert!(!matrix.is_dark(0, SYMBOL_MODULES));
    }

    #[test]
    fn finder_corner_is_dark() {
        let matrix = QrMatrix::encode("W1").unwrap();
        assert!(matrix.is_dark(0, 0));
    }
}
