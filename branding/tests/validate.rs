//! The validator on the committed packs and on copies broken one rule at a time.

mod support;

use std::process::Command;

use support::{brands_dir, copy_pack, edit, problems};
use walkout_branding::{PackError, validate_pack};

#[test]
fn example_brands_are_valid() {
    for id in ["walkout", "freshmart"] {
        let result = validate_pack(&brands_dir(), id);
        assert!(result.is_ok(), "{id}: {:?}", result.err());
    }
}

#[test]
fn broken_reports_every_problem() {
    let found: Vec<(String, String)> = problems(&brands_dir(), "broken")
        .into_iter()
        .map(|problem| (problem.file, problem.key))
        .collect();
    let expected = [
        ("brands/broken/brand.toml", "colors.light.accent"),
        ("brands/broken/brand.toml", "colors.light.qr_dark"),
        ("brands/broken/brand.toml", "colors.dark.text"),
        ("brands/broken/brand.toml", "colors.dark.text"),
        ("brands/broken/app-icon.png", "assets.app_icon"),
        ("brands/broken/strings/fr.toml", "entry_hint"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(file, key)| (file.to_string(), key.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn contrast_problem_names_value_and_fix() {
    let problems = problems(&brands_dir(), "broken");
    let Some(problem) = problems.iter().find(|p| p.key == "colors.dark.text") else {
        panic!("no colors.dark.text problem in {problems:?}");
    };
    assert_eq!(
        problem.to_string(),
        "brands/broken/brand.toml: colors.dark.text #777777 on #222222 (background) has \
         contrast 3.55:1; AA needs 4.5:1 — use a lighter text color, such as #898989"
    );
}

#[test]
fn every_problem_has_a_fix() {
    for problem in problems(&brands_dir(), "broken") {
        assert!(!problem.fix.is_empty(), "{problem}");
    }
}

#[test]
fn unknown_key_suggests_the_known_one() {
    let scratch = copy_pack("walkout");
    edit(
        &scratch.pack("walkout"),
        "brand.toml",
        "[entry]\n",
        "[entry]\nbrightnes = \"max\"\n",
    );
    let problems = problems(&scratch.brands, "walkout");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "entry.brightnes");
    assert_eq!(
        problems[0].fix,
        "rename it to `entry.brightness` or remove it"
    );
}

#[test]
fn missing_field_is_reported() {
    let scratch = copy_pack("walkout");
    edit(
        &scratch.pack("walkout"),
        "brand.toml",
        "offers = true\n",
        "",
    );
    let problems = problems(&scratch.brands, "walkout");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("missing field `offers`"),
        "{}",
        problems[0]
    );
}

#[test]
fn field_formats_are_checked() {
    let scratch = copy_pack("walkout");
    let pack = scratch.pack("walkout");
    let edits = [
        ("email = \"help@walkout.example\"", "email = \"help\""),
        ("phone = \"+442079460000\"", "phone = \"020 7946 0000\""),
        ("terms_url = \"https://", "terms_url = \"http://"),
        ("brightness = \"max\"", "brightness = \"full\""),
        (
            "android_font_family = \"sans-serif\"",
            "android_font_family = \"Roboto Slab\"",
        ),
        ("caption_size = 12", "caption_size = 8"),
        ("primary = \"#0B3D91\"", "primary = \"blue\""),
        (
            "android_application_id = \"com.walkout.shopper\"",
            "android_application_id = \"walkout\"",
        ),
    ];
    for (old, new) in edits {
        edit(&pack, "brand.toml", old, new);
    }
    let keys: Vec<String> = problems(&scratch.brands, "walkout")
        .into_iter()
        .map(|p| p.key)
        .collect();
    let expected = [
        "app.android_application_id",
        "typography.caption_size",
        "entry.brightness",
        "support.email",
        "support.phone",
        "legal.terms_url",
        "colors.light.primary",
    ];
    for key in expected {
        assert!(
            keys.iter().any(|k| k == key),
            "{key} not reported in {keys:?}"
        );
    }
    assert!(
        keys.iter().any(|k| k == "typography.android_font_family"),
        "{keys:?}"
    );
}

#[test]
fn extra_locale_key_is_reported() {
    let scratch = copy_pack("walkout");
    let pack = scratch.pack("walkout");
    edit(
        &pack,
        "strings/de.toml",
        "offers_title",
        "bonus_title = \"Bonus\"\noffers_title",
    );
    let problems = problems(&scratch.brands, "walkout");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].file.as_str(), problems[0].key.as_str()),
        ("brands/walkout/strings/de.toml", "bonus_title")
    );
}

#[test]
fn placeholder_mismatch_is_reported() {
    let scratch = copy_pack("walkout");
    edit(
        &scratch.pack("walkout"),
        "strings/fr.toml",
        "{seconds}",
        "{secondes}",
    );
    let problems = problems(&scratch.brands, "walkout");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "entry_refresh");
}

#[test]
fn transparent_icon_is_rejected() {
    let scratch = copy_pack("walkout");
    let icon = scratch.pack("walkout").join("app-icon.png");
    let image = image::RgbaImage::from_pixel(1024, 1024, image::Rgba([10, 20, 30, 128]));
    image
        .save(&icon)
        .unwrap_or_else(|e| panic!("save icon: {e}"));
    let problems = problems(&scratch.brands, "walkout");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("transparent"),
        "{}",
        problems[0]
    );
}

#[test]
fn unknown_brand_is_not_found() {
    let result = validate_pack(&brands_dir(), "nosuchbrand");
    assert!(
        matches!(result, Err(PackError::NotFound { .. })),
        "{:?}",
        result.err()
    );
}

#[test]
fn path_like_id_is_rejected() {
    let result = validate_pack(&brands_dir(), "../brands");
    assert!(
        matches!(result, Err(PackError::BadId { .. })),
        "{:?}",
        result.err()
    );
}

fn run_tool(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_walkout-brand"))
        .arg("--brands")
        .arg(brands_dir())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run walkout-brand: {e}"))
}

#[test]
fn cli_exit_codes() {
    let cases: [(&[&str], i32); 5] = [
        (&["validate", "walkout"], 0),
        (&["validate", "freshmart"], 0),
        (&["validate", "broken"], 1),
        (&["validate", "nosuchbrand"], 2),
        (&["validate"], 2),
    ];
    for (args, expected) in cases {
        assert_eq!(run_tool(args).status.code(), Some(expected), "{args:?}");
    }
}

#[test]
fn cli_prints_problems() {
    let output = run_tool(&["validate", "broken"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("brands/broken/strings/fr.toml: entry_hint is missing"),
        "{stderr}"
    );
}
