//! QR rendering of entry codes, read back with the `rqrr` decoder and checked pixel by pixel.

use walkout_core::entry::render::{QrMatrix, RenderError, TerminalBackground};
use walkout_core::entry::{EntryCredential, derive_code};

/// Side of the image in modules: 25 for the symbol plus 4 on each side.
const SIDE_MODULES: usize = 33;

fn sample_codes() -> Vec<String> {
    let credential = EntryCredential::new(*b"device01", [0x5A; 32], 30, i64::MAX);
    let mut codes: Vec<String> = [0, 1_700_000_000_000, 1_700_000_030_000, 99_999_999_999_000]
        .into_iter()
        .map(|millis| derive_code(&credential, 0, millis).unwrap().text)
        .collect();
    codes.push("W1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned());
    codes.push("W17777777777777777777777777777777777777"[..38].to_owned());
    codes
}

/// Decodes a PNG with rqrr and returns the metadata and text of its only symbol.
fn decode_png(png: &[u8]) -> (rqrr::MetaData, String) {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "symbols found");
    grids[0].decode().unwrap()
}

#[test]
fn png_decodes_to_code_text() {
    for text in sample_codes() {
        for pixels_per_module in [2, 4, 8, 16] {
            let png = QrMatrix::encode(&text)
                .unwrap()
                .to_png(pixels_per_module)
                .unwrap();
            let (_, decoded) = decode_png(&png);
            assert_eq!(decoded, text, "at {pixels_per_module} px per module");
        }
    }
}

#[test]
fn symbol_is_version_2_level_m() {
    let text = &sample_codes()[1];
    let matrix = QrMatrix::encode(text).unwrap();
    assert_eq!(matrix.size(), 25);

    let (meta, _) = decode_png(&matrix.to_png(8).unwrap());
    assert_eq!(meta.version.0, 2);
    // rqrr returns the raw 2-bit format field, where M is 0 (L 1, H 2, Q 3).
    assert_eq!(meta.ecc_level, 0);
}

#[test]
fn full_alphanumeric_set_decodes() {
    let text = "0123456789ABCDEFGHIJKLMNOPQRS $%*+-./:";
    assert_eq!(text.len(), 38);
    let png = QrMatrix::encode(text).unwrap().to_png(8).unwrap();
    assert_eq!(decode_png(&png).1, text);
}

#[test]
fn png_pixels_match_matrix_and_quiet_zone() {
    let matrix = QrMatrix::encode(&sample_codes()[1]).unwrap();
    for scale in [1_usize, 3, 8] {
        let png = matrix.to_png(scale as u32).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(
            image.width() as usize,
            SIDE_MODULES * scale,
            "width at {scale}"
        );
        assert_eq!(
            image.height() as usize,
            SIDE_MODULES * scale,
            "height at {scale}"
        );

        for (x, y, pixel) in image.enumerate_pixels() {
            let module_x = x as usize / scale;
            let module_y = y as usize / scale;
            let in_quiet_zone = !(4..29).contains(&module_x) || !(4..29).contains(&module_y);
            let dark = !in_quiet_zone && matrix.is_dark(module_x - 4, module_y - 4);
            let expected = if dark { 0 } else { 255 };
            assert_eq!(
                pixel.0[0], expected,
                "pixel ({x}, {y}) at {scale} px per module"
            );
        }
    }
}

#[test]
fn pixels_per_module_limits() {
    let matrix = QrMatrix::encode(&sample_codes()[0]).unwrap();
    for value in [0, 65, u32::MAX] {
        let result = matrix.to_png(value);
        assert!(
            matches!(result, Err(RenderError::PixelsPerModule { value: v }) if v == value),
            "png at {value}"
        );
        let result = matrix.to_svg(value);
        assert!(
            matches!(result, Err(RenderError::PixelsPerModule { .. })),
            "svg at {value}"
        );
    }
    assert!(matrix.to_png(1).is_ok());
    assert!(matrix.to_png(64).is_ok());
}

#[test]
fn text_longer_than_version_2_is_rejected() {
    let text = "W1".to_owned() + &"A".repeat(37);
    let result = QrMatrix::encode(&text);
    assert!(
        matches!(
            result,
            Err(RenderError::TooLong {
                characters: 39,
                needed_bits: 228
            })
        ),
        "{result:?}"
    );
}

#[test]
fn unsupported_characters_are_rejected() {
    for (text, position) in [("W1a", 2), ("W1_", 2), ("Wé1", 1), ("W1\n", 2)] {
        let result = QrMatrix::encode(text);
        assert!(
            matches!(result, Err(RenderError::UnsupportedCharacter { position: p }) if p == position),
            "{text:?} gave {result:?}"
        );
    }
}

/// Reads the SVG path back into a 33 by 33 module grid.
fn svg_modules(svg: &str) -> Vec<Vec<bool>> {
    let path_start = svg.find(" d=\"").unwrap() + 4;
    let path_end = path_start + svg[path_start..].find('"').unwrap();
    let mut grid = vec![vec![false; SIDE_MODULES]; SIDE_MODULES];
    for rectangle in svg[path_start..path_end].split_terminator('z') {
        // Each rectangle reads "M{x} {y}h{run}v1h-{run}".
        let rest = rectangle.strip_prefix('M').unwrap();
        let (x, rest) = rest.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (run, rest) = rest.split_once('v').unwrap();
        assert_eq!(rest, format!("1h-{run}"), "rectangle {rectangle}");
        let (x, y, run): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
        for cell in &mut grid[y][x..x + run] {
            *cell = true;
        }
    }
    grid
}

fn expected_modules(matrix: &QrMatrix) -> Vec<Vec<bool>> {
    (0..SIDE_MODULES)
        .map(|y| {
            (0..SIDE_MODULES)
                .map(|x| x >= 4 && y >= 4 && matrix.is_dark(x - 4, y - 4))
                .collect()
        })
        .collect()
}

#[test]
fn svg_has_expected_geometry() {
    let matrix = QrMatrix::encode(&sample_codes()[2]).unwrap();
    let svg = matrix.to_svg(8).unwrap();
    assert!(svg.contains("viewBox=\"0 0 33 33\""), "{svg}");
    assert!(svg.contains("width=\"264\" height=\"264\""), "{svg}");
    assert!(svg.contains("shape-rendering=\"crispEdges\""), "{svg}");
    assert_eq!(svg.matches("<path").count(), 1);
    assert_eq!(svg_modules(&svg), expected_modules(&matrix));
}

/// Reads terminal half blocks back into a 33 by 33 grid of glyph cells.
fn terminal_cells(text: &str) -> Vec<Vec<bool>> {
    let mut grid = Vec::new();
    for line in text.lines() {
        let (top, bottom): (Vec<bool>, Vec<bool>) = line
            .chars()
            .map(|c| match c {
                ' ' => (false, false),
                '▀' => (true, false),
                '▄' => (false, true),
                '█' => (true, true),
                other => panic!("unexpected character {other:?}"),
            })
            .unzip();
        grid.push(top);
        grid.push(bottom);
    }
    grid
}

#[test]
fn terminal_rendering_matches_matrix() {
    let matrix = QrMatrix::encode(&sample_codes()[3]).unwrap();
    let expected = expected_modules(&matrix);
    for background in [TerminalBackground::Dark, TerminalBackground::Light] {
        let text = matrix.to_terminal(background);
        assert_eq!(text.lines().count(), 17, "lines on {background:?}");
        assert!(
            text.lines()
                .all(|line| line.chars().count() == SIDE_MODULES)
        );

        let mut cells = terminal_cells(&text);
        let padding_row = cells.pop().unwrap();
        assert!(
            padding_row.iter().all(|&ink| !ink),
            "half line below the quiet zone"
        );

        let dark: Vec<Vec<bool>> = cells
            .into_iter()
            .map(|row| match background {
                TerminalBackground::Dark => row.into_iter().map(|ink| !ink).collect(),
                TerminalBackground::Light => row,
            })
            .collect();
        assert_eq!(dark, expected, "modules on {background:?}");
    }
}
