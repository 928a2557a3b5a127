//! Android resources: day and night colors and themes, brand values, strings per locale,
//! launcher icons at the five densities, the logo, and the applicationId for Gradle.
//!
//! Themes inherit from the platform's Material themes (API 21) rather than a library theme, so
//! the shell needs no extra dependency to use them; Compose screens read the same colors.

use super::escape::{android_string, properties_value, xml_comment, xml_text};
use super::icons::{ANDROID_DENSITIES, png};
use super::{
    ANDROID_PROPERTIES, ANDROID_RES_ROOT, OutputTree, RenderError, formatted_strings,
    generated_note, parse_color,
};
use crate::pack::Pack;
use crate::schema::{ColorRole, Palette};

pub(super) fn render(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    let note = xml_comment(&generated_note(pack, "brand.toml"));
    let res = ANDROID_RES_ROOT;

    tree.insert(
        format!("{res}/values/colors.xml"),
        colors_xml(&note, &pack.brand.colors.light)?.into_bytes(),
    );
    tree.insert(
        format!("{res}/values-night/colors.xml"),
        colors_xml(&note, &pack.brand.colors.dark)?.into_bytes(),
    );
    tree.insert(
        format!("{res}/values/themes.xml"),
        theme_xml(&note, pack, "android:Theme.Material.Light.NoActionBar").into_bytes(),
    );
    tree.insert(
        format!("{res}/values-night/themes.xml"),
        theme_xml(&note, pack, "android:Theme.Material.NoActionBar").into_bytes(),
    );
    tree.insert(
        format!("{res}/values/brand.xml"),
        brand_xml(&note, pack).into_bytes(),
    );
    render_strings(pack, tree)?;

    for (density, pixels) in ANDROID_DENSITIES {
        let path = format!("{res}/mipmap-{density}/ic_launcher.png");
        let bytes = png(&pack.app_icon, pixels, &path)?;
        tree.insert(path, bytes);
    }
    tree.insert(
        format!("{res}/drawable-nodpi/brand_logo.png"),
        pack.logo_png.clone(),
    );
    tree.insert(
        ANDROID_PROPERTIES.to_owned(),
        gradle_properties(pack).into_bytes(),
    );
    Ok(())
}

fn xml_header(note: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- {note} -->\n<resources>\n")
}

fn colors_xml(note: &str, palette: &Palette) -> Result<String, RenderError> {
    let mut xml = xml_header(note);
    for role in ColorRole::ALL {
        let color = parse_color(palette.get(role))?;
        xml.push_str(&format!(
            "    <color name=\"{}\">{color}</color>\n",
            role.android_name()
        ));
    }
    xml.push_str("</resources>\n");
    Ok(xml)
}

/// The app theme `Theme.Brand`; the same name in both files, so the manifest names one theme.
fn theme_xml(note: &str, pack: &Pack, parent: &str) -> String {
    let items = [
        ("android:colorPrimary", "@color/brand_primary".to_owned()),
        ("android:colorAccent", "@color/brand_primary".to_owned()),
        (
            "android:colorBackground",
            "@color/brand_background".to_owned(),
        ),
        (
            "android:windowBackground",
            "@color/brand_background".to_owned(),
        ),
        ("android:textColorPrimary", "@color/brand_text".to_owned()),
        (
            "android:textColorSecondary",
            "@color/brand_secondary_text".to_owned(),
        ),
        (
            "android:fontFamily",
            xml_text(&pack.brand.typography.android_font_family),
        ),
    ];
    let mut xml = xml_header(note);
    xml.push_str(&format!(
        "    <style name=\"Theme.Brand\" parent=\"{parent}\">\n"
    ));
    for (name, value) in items {
        xml.push_str(&format!("        <item name=\"{name}\">{value}</item>\n"));
    }
    xml.push_str("    </style>\n</resources>\n");
    xml
}

/// Values that do not change with the locale: app name, contacts, links, flags, text sizes.
fn brand_xml(note: &str, pack: &Pack) -> String {
    let brand = &pack.brand;
    let texts = [
        ("app_name", &brand.display_name),
        ("brand_id", &brand.id),
        ("brand_entry_brightness", &brand.entry.brightness),
        ("brand_font_family", &brand.typography.android_font_family),
        ("brand_privacy_url", &brand.legal.privacy_url),
        ("brand_support_email", &brand.support.email),
        ("brand_support_phone", &brand.support.phone),
        ("brand_support_url", &brand.support.url),
        ("brand_terms_url", &brand.legal.terms_url),
    ];
    let mut xml = xml_header(note);
    for (name, value) in texts {
        xml.push_str(&format!(
            "    <string name=\"{name}\" translatable=\"false\">{}</string>\n",
            android_string(value)
        ));
    }
    xml.push_str(&format!(
        "    <bool name=\"brand_offers_enabled\">{}</bool>\n",
        brand.features.offers
    ));
    xml.push_str("    <string-array name=\"brand_federated_providers\" translatable=\"false\">\n");
    for provider in &brand.features.federated_providers {
        xml.push_str(&format!(
            "        <item>{}</item>\n",
            android_string(provider)
        ));
    }
    xml.push_str("    </string-array>\n");
    let sizes = [
        ("title", brand.typography.title_size),
        ("body", brand.typography.body_size),
        ("caption", brand.typography.caption_size),
    ];
    for (name, size) in sizes {
        xml.push_str(&format!(
            "    <dimen name=\"brand_text_{name}\">{size}sp</dimen>\n"
        ));
    }
    xml.push_str("</resources>\n");
    xml
}

/// `values-<qualifier>/strings.xml` per locale, plus `values/strings.xml` with the default
/// locale, which Android falls back to for any locale the pack lacks.
fn render_strings(pack: &Pack, tree: &mut OutputTree) -> Result<(), RenderError> {
    let default_locale = &pack.brand.strings.default_locale;
    for locale in pack.strings.keys() {
        let note = xml_comment(&generated_note(pack, &format!("strings/{locale}.toml")));
        let mut xml = xml_header(&note);
        for (key, value) in formatted_strings(pack, locale, "s")? {
            xml.push_str(&format!(
                "    <string name=\"{key}\">{}</string>\n",
                android_string(&value)
            ));
        }
        xml.push_str("</resources>\n");

        if locale == default_locale {
            tree.insert(
                format!("{ANDROID_RES_ROOT}/values/strings.xml"),
                xml.clone().into_bytes(),
            );
        }
        tree.insert(
            format!(
                "{ANDROID_RES_ROOT}/values-{}/strings.xml",
                android_qualifier(locale)
            ),
            xml.into_bytes(),
        );
    }
    Ok(())
}

/// `pt-BR` → `pt-rBR`, Android's resource qualifier for a language and region.
pub(crate) fn android_qualifier(locale: &str) -> String {
    match locale.split_once('-') {
        Some((language, region)) => format!("{language}-r{region}"),
        None => locale.to_owned(),
    }
}

fn gradle_properties(pack: &Pack) -> String {
    let brand = &pack.brand;
    format!(
        "# {}\nbrand.id={}\nbrand.applicationId={}\nbrand.displayName={}\n",
        generated_note(pack, "brand.toml"),
        properties_value(&brand.id),
        properties_value(&brand.app.android_application_id),
        properties_value(&brand.display_name),
    )
}
