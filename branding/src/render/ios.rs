//! iOS resources: asset catalogs (colors, app icon, logo), `Localizable.strings` per locale,
//! an Info.plist fragment and `Brand.json` with the settings that are not resources.
//!
//! Color sets carry a universal (light) and a `luminosity: dark` appearance, so SwiftUI's
//! `Color("BrandPrimary")` follows the system appearance with no code in the shell.

use serde_json::{Value, json};

use super::escape::{ios_strings, xml_comment, xml_text};
use super::icons::{IOS_ICONS, png};
use super::{
    IOS_ROOT, OutputTree, RenderError, formatted_strings, generated_note, json_bytes, parse_color,
};
use crate::pack::Pack;
use crate::schema::{ColorRole, Palette};

const AUTHOR: &str = "walkout-brand";

pub(super) fn render(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    render_colors(pack, tree)?;
    render_images(pack, tree)?;
    render_strings(pack, tree)?;
    tree.insert(
        format!("{IOS_ROOT}/BrandInfo.plist"),
        info_plist(pack).into_bytes(),
    );
    let path = format!("{IOS_ROOT}/Brand.json");
    let settings = json_bytes(&path, brand_settings(pack))?;
    tree.insert(path, settings);
    Ok(())
}

fn catalog_info() -> Value {
    json!({ "info": { "author": AUTHOR, "version": 1 } })
}

fn render_colors(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    let catalog = format!("{IOS_ROOT}/Colors.xcassets");
    tree.insert(
        format!("{catalog}/Contents.json"),
        json_bytes(&catalog, catalog_info())?,
    );

    for role in ColorRole::ALL {
        let path = format!("{catalog}/{}.colorset/Contents.json", role.ios_name());
        let value = color_set(&pack.brand.colors.light, &pack.brand.colors.dark, role)?;
        let bytes = json_bytes(&path, value)?;
        tree.insert(path, bytes);
    }
    Ok(())
}

/// Builds the `Contents.json` of one color set: the light color first, then the dark appearance.
fn color_set(light: &Palette, dark: &Palette, role: ColorRole) -> Result<Value, RenderError> {
    let light_entry = json!({ "color": color_json(light.get(role))?, "idiom": "universal" });
    let dark_entry = json!({
        "appearances": [{ "appearance": "luminosity", "value": "dark" }],
        "color": color_json(dark.get(role))?,
        "idiom": "universal",
    });
    Ok(json!({
        "colors": [light_entry, dark_entry],
        "info": { "author": AUTHOR, "version": 1 },
    }))
}

/// Converts a pack color to the JSON Xcode writes for 8-bit sRGB components: hex strings and a decimal alpha.
fn color_json(hex: &str) -> Result<Value, RenderError> {
    let color = parse_color(hex)?;
    Ok(json!({
        "color-space": "srgb",
        "components": {
            "alpha": "1.000",
            "blue": format!("0x{:02X}", color.b),
            "green": format!("0x{:02X}", color.g),
            "red": format!("0x{:02X}", color.r),
        },
    }))
}

fn render_images(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    let catalog = format!("{IOS_ROOT}/Images.xcassets");
    tree.insert(
        format!("{catalog}/Contents.json"),
        json_bytes(&catalog, catalog_info())?,
    );

    let icon_set = format!("{catalog}/AppIcon.appiconset");
    let mut images = Vec::new();
    for icon in &IOS_ICONS {
        let file = format!("AppIcon-{}.png", icon.pixels);
        let path = format!("{icon_set}/{file}");
        if let std::collections::btree_map::Entry::Vacant(slot) = tree.entry(path) {
            // Two slots share a pixel size (40, 58, 80, 120); the file is rendered once.
            let bytes = png(&pack.app_icon, icon.pixels, slot.key())?;
            slot.insert(bytes);
        }
        images.push(json!({ "filename": file, "idiom": icon.idiom, "scale": icon.scale, "size": icon.size }));
    }
    let contents = json!({ "images": images, "info": { "author": AUTHOR, "version": 1 } });
    tree.insert(
        format!("{icon_set}/Contents.json"),
        json_bytes(&icon_set, contents)?,
    );

    let logo_set = format!("{catalog}/BrandLogo.imageset");
    let contents = json!({
        "images": [{ "filename": "BrandLogo.png", "idiom": "universal" }],
        "info": { "author": AUTHOR, "version": 1 },
    });
    tree.insert(
        format!("{logo_set}/Contents.json"),
        json_bytes(&logo_set, contents)?,
    );
    tree.insert(format!("{logo_set}/BrandLogo.png"), pack.logo_png.clone());
    Ok(())
}

fn render_strings(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    for locale in pack.strings.keys() {
        let note = generated_note(pack, &format!("strings/{locale}.toml"));
        let mut text = format!("/* {} */\n\n", note.replace("*/", "* /"));
        for (key, value) in formatted_strings(pack, locale, "@")? {
            text.push_str(&format!(
                "\"{}\" = \"{}\";\n",
                ios_strings(&key),
                ios_strings(&value)
            ));
        }
        tree.insert(
            format!("{IOS_ROOT}/{locale}.lproj/Localizable.strings"),
            text.into_bytes(),
        );
    }
    Ok(())
}

/// Keys to merge into the app's Info.plist. `CFBundleDevelopmentRegion` is the default locale
/// and `CFBundleLocalizations` lists every locale of the pack.
fn info_plist(pack: &Pack) -> String {
    let brand = &pack.brand;
    let mut plist = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    ));
    plist.push_str(&format!(
        "<!-- {} -->\n",
        xml_comment(&generated_note(pack, "brand.toml"))
    ));
    plist.push_str("<plist version=\"1.0\">\n<dict>\n");
    let entries = [
        ("CFBundleDevelopmentRegion", &brand.strings.default_locale),
        ("CFBundleDisplayName", &brand.display_name),
        ("CFBundleIdentifier", &brand.app.ios_bundle_id),
    ];
    for (key, value) in entries {
        plist.push_str(&format!(
            "\t<key>{key}</key>\n\t<string>{}</string>\n",
            xml_text(value)
        ));
    }
    plist.push_str("\t<key>CFBundleLocalizations</key>\n\t<array>\n");
    for locale in pack.strings.keys() {
        plist.push_str(&format!("\t\t<string>{}</string>\n", xml_text(locale)));
    }
    plist.push_str("\t</array>\n</dict>\n</plist>\n");
    plist
}

/// Settings the SwiftUI shell reads at start: typography, entry screen, contacts, links and
/// feature flags.
fn brand_settings(pack: &Pack) -> Value {
    let brand = &pack.brand;
    json!({
        "default_locale": brand.strings.default_locale,
        "display_name": brand.display_name,
        "entry": { "brightness": brand.entry.brightness },
        "features": {
            "federated_providers": brand.features.federated_providers,
            "offers": brand.features.offers,
        },
        "id": brand.id,
        "legal": { "privacy_url": brand.legal.privacy_url, "terms_url": brand.legal.terms_url },
        "locales": pack.strings.keys().collect::<Vec<_>>(),
        "support": { "email": brand.support.email, "phone": brand.support.phone, "url": brand.support.url },
        "typography": {
            "body_size": brand.typography.body_size,
            "caption_size": brand.typography.caption_size,
            "font_family": brand.typography.ios_font_family,
            "title_size": brand.typography.title_size,
        },
    })
}
