//! Color format and contrast rules for both appearances.
//!
//! Text rules follow WCAG 2.1 level AA for normal text (4.5:1). The entry QR code rule is this
//! project's own: dark modules darker than light ones, at least 7:1, in both appearances,
//! because gate scanners are not required to read inverted codes.

use crate::color::{
    AA_TEXT, BLACK, QR_MIN, Rgb, blend_until, contrast_ratio, format_ratio, suggest_foreground,
};
use crate::pack::PackFiles;
use crate::problem::Problem;
use crate::schema::{ColorRole, Colors, Palette};

/// Foreground and background roles that must reach [`AA_TEXT`].
const TEXT_PAIRS: [(ColorRole, ColorRole); 7] = [
    (ColorRole::Text, ColorRole::Background),
    (ColorRole::Text, ColorRole::Surface),
    (ColorRole::SecondaryText, ColorRole::Background),
    (ColorRole::SecondaryText, ColorRole::Surface),
    (ColorRole::Error, ColorRole::Background),
    (ColorRole::Error, ColorRole::Surface),
    (ColorRole::OnPrimary, ColorRole::Primary),
];

/// Adds a problem for each malformed color and each pair below its minimum contrast.
pub(super) fn check(colors: &Colors, files: &PackFiles, problems: &mut Vec<Problem>) {
    let label = files.label("brand.toml");
    for (mode, palette) in [("light", &colors.light), ("dark", &colors.dark)] {
        let Some(parsed) = parse_palette(mode, palette, &label, problems) else {
            continue;
        };
        let color = |role: ColorRole| parsed[role as usize];

        for (foreground, background) in TEXT_PAIRS {
            if let Some(problem) = text_pair_problem(
                mode,
                foreground,
                color(foreground),
                background,
                color(background),
                &label,
            ) {
                problems.push(problem);
            }
        }
        if let Some(problem) = qr_problem(
            mode,
            color(ColorRole::QrDark),
            color(ColorRole::QrLight),
            &label,
        ) {
            problems.push(problem);
        }
    }
}

/// Parses every role of one palette; reports each malformed value and returns `None` if any.
fn parse_palette(
    mode: &str,
    palette: &Palette,
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Rgb>> {
    let mut parsed = Vec::with_capacity(ColorRole::ALL.len());
    for role in ColorRole::ALL {
        let text = palette.get(role);
        match Rgb::parse_hex(text) {
            Some(color) => parsed.push(color),
            None => problems.push(Problem::new(
                label,
                format!("colors.{mode}.{}", role.key()),
                format!("{text:?} is not a color"),
                "write it as #RRGGBB, for example #1A73E8",
            )),
        }
    }
    (parsed.len() == ColorRole::ALL.len()).then_some(parsed)
}

fn text_pair_problem(
    mode: &str,
    fg_role: ColorRole,
    fg: Rgb,
    bg_role: ColorRole,
    bg: Rgb,
    label: &str,
) -> Option<Problem> {
    let ratio = contrast_ratio(fg, bg);
    if ratio >= AA_TEXT {
        return None;
    }

    let name = fg_role.key().replace('_', " ");
    let fix = match suggest_foreground(fg, bg, AA_TEXT) {
        Some((suggestion, direction)) => format!(
            "use a {} {name} color, such as {suggestion}",
            direction.word()
        ),
        None => format!(
            "no {name} color reaches 4.5:1 on {bg}; change colors.{mode}.{}",
            bg_role.key()
        ),
    };
    Some(Problem::new(
        label,
        format!("colors.{mode}.{}", fg_role.key()),
        format!(
            "{fg} on {bg} ({}) has contrast {}; AA needs 4.5:1",
            bg_role.key(),
            format_ratio(ratio)
        ),
        fix,
    ))
}

fn qr_problem(mode: &str, dark: Rgb, light: Rgb, label: &str) -> Option<Problem> {
    let key = format!("colors.{mode}.qr_dark");
    if dark.relative_luminance() >= light.relative_luminance() {
        return Some(Problem::new(
            label,
            key,
            format!(
                "{dark} is not darker than qr_light {light}; the entry code would show inverted, which gate scanners may not read"
            ),
            "swap qr_dark and qr_light so the modules are dark on a light background",
        ));
    }

    let ratio = contrast_ratio(dark, light);
    if ratio >= QR_MIN {
        return None;
    }
    let fix = match blend_until(dark, BLACK, light, QR_MIN) {
        Some(suggestion) => {
            format!("use a darker qr_dark, such as {suggestion}, or a lighter qr_light")
        }
        None => "use a lighter qr_light".to_owned(),
    };
    Some(Problem::new(
        label,
        key,
        format!(
            "{dark} on qr_light {light} has contrast {}; the entry code needs 7:1",
            format_ratio(ratio)
        ),
        fix,
    ))
}
