//! `apply` into scratch output folders: determinism, refusal of invalid packs, and the shape
//! of the generated files.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};
use support::brands_dir;
use walkout_branding::{ApplyError, apply};

/// SHA-256 over every file's relative path and content, in path order.
fn tree_hash(root: &Path) -> String {
    let mut files = BTreeMap::new();
    collect(root, root, &mut files);
    let mut hasher = Sha256::new();
    for (path, content) in files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((content.len() as u64).to_be_bytes());
        hasher.update(content);
    }
    format!("{:x}", hasher.finalize())
}

fn collect(root: &Path, folder: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(content) = fs::read(&path) {
            let relative = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().into_owned());
            files.insert(relative.unwrap_or_default(), content);
        }
    }
}

fn scratch_out() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn applied(id: &str) -> tempfile::TempDir {
    let out = scratch_out();
    if let Err(error) = apply(&brands_dir(), id, out.path()) {
        panic!("apply {id}: {error}");
    }
    out
}

fn read(out: &Path, relative: &str) -> String {
    fs::read_to_string(out.join(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

#[test]
fn apply_twice_is_identical() {
    let out = applied("walkout");
    let first = tree_hash(out.path());
    let report = apply(&brands_dir(), "walkout", out.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tree_hash(out.path()), first);
    assert_eq!(report.written, 0);
}

#[test]
fn separate_runs_are_identical() {
    assert_eq!(
        tree_hash(applied("freshmart").path()),
        tree_hash(applied("freshmart").path())
    );
}

#[test]
fn switching_brands_removes_stale_files() {
    let out = applied("walkout");
    let walkout_hash = tree_hash(out.path());
    apply(&brands_dir(), "freshmart", out.path()).unwrap_or_else(|e| panic!("{e}"));

    assert!(!out.path().join("ios/Resources/de.lproj").exists());
    assert!(
        !out.path()
            .join("android/app/src/main/res/values-de")
            .exists()
    );
    assert_eq!(
        tree_hash(out.path()),
        tree_hash(applied("freshmart").path())
    );

    apply(&brands_dir(), "walkout", out.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tree_hash(out.path()), walkout_hash);
}

#[test]
fn files_not_generated_are_kept() {
    let out = scratch_out();
    let own = out.path().join("android/app/src/main/res/values/own.xml");
    fs::create_dir_all(own.parent().unwrap_or(out.path())).unwrap_or_else(|e| panic!("{e}"));
    fs::write(&own, "<resources/>\n").unwrap_or_else(|e| panic!("{e}"));
    apply(&brands_dir(), "walkout", out.path()).unwrap_or_else(|e| panic!("{e}"));
    apply(&brands_dir(), "freshmart", out.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read(out.path(), "android/app/src/main/res/values/own.xml"),
        "<resources/>\n"
    );
}

#[test]
fn broken_pack_writes_nothing() {
    let out = scratch_out();
    let result = apply(&brands_dir(), "broken", out.path());
    assert!(
        matches!(result, Err(ApplyError::Pack(_))),
        "{:?}",
        result.err()
    );
    assert_eq!(
        fs::read_dir(out.path()).map(|entries| entries.count()).ok(),
        Some(0)
    );
}

#[test]
fn cli_refuses_broken_pack() {
    let out = scratch_out();
    let status = Command::new(env!("CARGO_BIN_EXE_walkout-brand"))
        .arg("--brands")
        .arg(brands_dir())
        .args(["apply", "broken", "--out"])
        .arg(out.path())
        .output()
        .unwrap_or_else(|e| panic!("run walkout-brand: {e}"))
        .status;
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        fs::read_dir(out.path()).map(|entries| entries.count()).ok(),
        Some(0)
    );
}

#[test]
fn ios_color_set_shape() {
    let out = applied("walkout");
    let text = read(
        out.path(),
        "ios/Resources/Colors.xcassets/BrandPrimary.colorset/Contents.json",
    );
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));

    let colors = json["colors"].as_array().map(Vec::len);
    assert_eq!(colors, Some(2));
    assert_eq!(json["colors"][0]["idiom"], "universal");
    assert!(json["colors"][0].get("appearances").is_none());
    assert_eq!(json["colors"][0]["color"]["color-space"], "srgb");
    assert_eq!(json["colors"][0]["color"]["components"]["red"], "0x0B");
    assert_eq!(json["colors"][0]["color"]["components"]["green"], "0x3D");
    assert_eq!(json["colors"][0]["color"]["components"]["blue"], "0x91");
    assert_eq!(json["colors"][0]["color"]["components"]["alpha"], "1.000");
    assert_eq!(
        json["colors"][1]["appearances"][0]["appearance"],
        "luminosity"
    );
    assert_eq!(json["colors"][1]["appearances"][0]["value"], "dark");
    assert_eq!(json["colors"][1]["color"]["components"]["red"], "0x8A");
    assert_eq!(json["info"]["version"], 1);
}

#[test]
fn every_color_role_has_a_color_set() {
    let out = applied("walkout");
    let names = [
        "Primary",
        "OnPrimary",
        "Background",
        "Surface",
        "Text",
        "SecondaryText",
        "Error",
        "QrDark",
        "QrLight",
    ];
    for name in names {
        let path = format!("ios/Resources/Colors.xcassets/Brand{name}.colorset/Contents.json");
        assert!(out.path().join(&path).is_file(), "{path}");
    }
}

#[test]
fn android_strings_are_escaped() {
    let out = applied("walkout");
    let english = read(out.path(), "android/app/src/main/res/values-en/strings.xml");
    assert!(
        english.contains(
            "<string name=\"error_offline\">You\\'re offline. Your entry code still works.</string>"
        ),
        "{english}"
    );
    assert!(
        english.contains("<string name=\"support_title\">Help &amp; support</string>"),
        "{english}"
    );
    assert!(
        english.contains("<string name=\"entry_refresh\">Code refreshes in %1$s s</string>"),
        "{english}"
    );
}

#[test]
fn android_default_strings_match_default_locale() {
    let out = applied("walkout");
    let fallback = read(out.path(), "android/app/src/main/res/values/strings.xml");
    assert_eq!(
        fallback,
        read(out.path(), "android/app/src/main/res/values-en/strings.xml")
    );
}

#[test]
fn android_region_qualifier() {
    let out = applied("freshmart");
    assert!(
        out.path()
            .join("android/app/src/main/res/values-pt-rBR/strings.xml")
            .is_file()
    );
    assert!(
        out.path()
            .join("ios/Resources/pt-BR.lproj/Localizable.strings")
            .is_file()
    );
}

#[test]
fn ios_strings_use_object_specifiers() {
    let out = applied("walkout");
    let french = read(out.path(), "ios/Resources/fr.lproj/Localizable.strings");
    assert!(
        french.contains("\"receipt_total\" = \"Total : %1$@\";"),
        "{french}"
    );
}

#[test]
fn icons_have_platform_sizes() {
    let out = applied("walkout");
    let cases = [
        ("android/app/src/main/res/mipmap-mdpi/ic_launcher.png", 48),
        ("android/app/src/main/res/mipmap-hdpi/ic_launcher.png", 72),
        ("android/app/src/main/res/mipmap-xhdpi/ic_launcher.png", 96),
        (
            "android/app/src/main/res/mipmap-xxhdpi/ic_launcher.png",
            144,
        ),
        (
            "android/app/src/main/res/mipmap-xxxhdpi/ic_launcher.png",
            192,
        ),
        (
            "ios/Resources/Images.xcassets/AppIcon.appiconset/AppIcon-120.png",
            120,
        ),
        (
            "ios/Resources/Images.xcassets/AppIcon.appiconset/AppIcon-167.png",
            167,
        ),
        (
            "ios/Resources/Images.xcassets/AppIcon.appiconset/AppIcon-1024.png",
            1024,
        ),
    ];
    for (path, pixels) in cases {
        let image = image::open(out.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!((image.width(), image.height()), (pixels, pixels), "{path}");
        assert!(!image.color().has_alpha(), "{path} has an alpha channel");
    }
}

#[test]
fn app_icon_set_lists_existing_files() {
    let out = applied("walkout");
    let folder = out
        .path()
        .join("ios/Resources/Images.xcassets/AppIcon.appiconset");
    let text = read(&folder, "Contents.json");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let images = json["images"].as_array().cloned().unwrap_or_default();
    assert_eq!(images.len(), 18);
    for image in images {
        let file = image["filename"].as_str().unwrap_or_default();
        assert!(folder.join(file).is_file(), "{file}");
    }
}

#[test]
fn info_plist_and_properties_carry_ids() {
    let out = applied("freshmart");
    let plist = read(out.path(), "ios/Resources/BrandInfo.plist");
    assert!(
        plist.contains("<key>CFBundleIdentifier</key>\n\t<string>com.freshmart.go</string>"),
        "{plist}"
    );
    assert!(
        plist.contains("<key>CFBundleDisplayName</key>\n\t<string>FreshMart Go</string>"),
        "{plist}"
    );
    let properties = read(out.path(), "android/app/brand.gradle.properties");
    assert!(
        properties.contains("\nbrand.applicationId=com.freshmart.go\n"),
        "{properties}"
    );
}

#[test]
fn night_colors_use_dark_palette() {
    let out = applied("freshmart");
    let night = read(
        out.path(),
        "android/app/src/main/res/values-night/colors.xml",
    );
    assert!(
        night.contains("<color name=\"brand_background\">#121410</color>"),
        "{night}"
    );
    let day = read(out.path(), "android/app/src/main/res/values/colors.xml");
    assert!(
        day.contains("<color name=\"brand_background\">#FFFDF7</color>"),
        "{day}"
    );
}
