//! WCAG 2.1 contrast math against known pairs.

use walkout_branding::color::{
    AA_TEXT, BLACK, Rgb, WHITE, contrast_ratio, format_ratio, suggest_foreground,
};

fn rgb(hex: &str) -> Rgb {
    Rgb::parse_hex(hex).unwrap_or_else(|| panic!("test color {hex} does not parse"))
}

#[test]
fn known_pairs_have_known_ratios() {
    let cases = [
        ("#000000", "#FFFFFF", 21.0),
        ("#777777", "#FFFFFF", 4.478),
        ("#767676", "#FFFFFF", 4.542),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#0000FF", "#FFFFFF", 8.592),
        ("#FF0000", "#FFFFFF", 3.998),
    ];
    for (foreground, background, expected) in cases {
        let ratio = contrast_ratio(rgb(foreground), rgb(background));
        assert!(
            (ratio - expected).abs() < 0.001,
            "{foreground} on {background}: {ratio}"
        );
    }
}

#[test]
fn contrast_is_symmetric() {
    assert_eq!(
        contrast_ratio(rgb("#123456"), rgb("#FEDCBA")),
        contrast_ratio(rgb("#FEDCBA"), rgb("#123456"))
    );
}

#[test]
fn luminance_of_extremes() {
    assert_eq!(BLACK.relative_luminance(), 0.0);
    assert!((WHITE.relative_luminance() - 1.0).abs() < 1e-12);
}

#[test]
fn ratio_is_rounded_down() {
    assert_eq!(format_ratio(4.4999), "4.49:1");
    assert_eq!(format_ratio(21.0), "21.00:1");
}

#[test]
fn hex_parsing_is_strict() {
    let cases = [
        (
            "#0b3d91",
            Some(Rgb {
                r: 0x0B,
                g: 0x3D,
                b: 0x91,
            }),
        ),
        ("#FFF", None),
        ("0B3D91", None),
        ("#0B3D91FF", None),
        ("#GG0000", None),
        ("#+1+2+3", None),
    ];
    for (text, expected) in cases {
        assert_eq!(Rgb::parse_hex(text), expected, "{text}");
    }
}

#[test]
fn suggestion_reaches_aa() {
    let background = rgb("#222222");
    let suggestion = suggest_foreground(rgb("#777777"), background, AA_TEXT);
    let Some((color, _)) = suggestion else {
        panic!("no suggestion for #777777 on #222222");
    };
    assert!(contrast_ratio(color, background) >= AA_TEXT);
}

#[test]
fn suggestion_goes_lighter_on_dark() {
    let suggestion = suggest_foreground(rgb("#777777"), rgb("#222222"), AA_TEXT);
    assert_eq!(
        suggestion.map(|(_, direction)| direction.word()),
        Some("lighter")
    );
}

#[test]
fn suggestion_goes_darker_on_light() {
    let suggestion = suggest_foreground(rgb("#999999"), WHITE, AA_TEXT);
    assert_eq!(
        suggestion.map(|(_, direction)| direction.word()),
        Some("darker")
    );
}
