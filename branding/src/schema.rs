//! The `brand.toml` schema: one struct per table, field names are the TOML keys.
//!
//! Values that need checking (colors, ids, URLs) stay strings here, so one bad value becomes a
//! validator problem instead of stopping the parse. Unknown keys are not rejected by serde but
//! collected by the loader, which reports every one of them.

use serde::{Deserialize, Serialize};

/// The whole `brand.toml` file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BrandToml {
    /// Brand id; must equal the pack's folder name.
    pub id: String,
    /// Name under the app icon (iOS `CFBundleDisplayName`, Android `app_name`).
    pub display_name: String,
    pub app: AppIds,
    pub colors: Colors,
    pub typography: Typography,
    pub assets: Assets,
    pub entry: Entry,
    pub support: Support,
    pub legal: Legal,
    pub features: Features,
    pub strings: StringsConfig,
}

/// Store identities of the two apps.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AppIds {
    pub ios_bundle_id: String,
    pub android_application_id: String,
}

/// The palettes for light and dark appearance.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Colors {
    pub light: Palette,
    pub dark: Palette,
}

/// One appearance's colors, each `#RRGGBB`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Palette {
    pub primary: String,
    pub on_primary: String,
    pub background: String,
    pub surface: String,
    pub text: String,
    pub secondary_text: String,
    pub error: String,
    pub qr_dark: String,
    pub qr_light: String,
}

/// A themable color; the order is the order of the generated resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorRole {
    Primary,
    OnPrimary,
    Background,
    Surface,
    Text,
    SecondaryText,
    Error,
    QrDark,
    QrLight,
}

impl ColorRole {
    pub const ALL: [ColorRole; 9] = [
        ColorRole::Primary,
        ColorRole::OnPrimary,
        ColorRole::Background,
        ColorRole::Surface,
        ColorRole::Text,
        ColorRole::SecondaryText,
        ColorRole::Error,
        ColorRole::QrDark,
        ColorRole::QrLight,
    ];

    /// The key in `[colors.light]` and `[colors.dark]`, also used for the Android names.
    pub fn key(self) -> &'static str {
        match self {
            ColorRole::Primary => "primary",
            ColorRole::OnPrimary => "on_primary",
            ColorRole::Background => "background",
            ColorRole::Surface => "surface",
            ColorRole::Text => "text",
            ColorRole::SecondaryText => "secondary_text",
            ColorRole::Error => "error",
            ColorRole::QrDark => "qr_dark",
            ColorRole::QrLight => "qr_light",
        }
    }

    /// The iOS asset catalog color name (`BrandOnPrimary`).
    pub fn ios_name(self) -> String {
        let mut name = String::from("Brand");
        for word in self.key().split('_') {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                name.extend(first.to_uppercase());
                name.push_str(chars.as_str());
            }
        }
        name
    }

    /// The Android color resource name (`brand_on_primary`).
    pub fn android_name(self) -> String {
        format!("brand_{}", self.key())
    }
}

impl Palette {
    /// The `#RRGGBB` text of one role.
    pub fn get(&self, role: ColorRole) -> &str {
        match role {
            ColorRole::Primary => &self.primary,
            ColorRole::OnPrimary => &self.on_primary,
            ColorRole::Background => &self.background,
            ColorRole::Surface => &self.surface,
            ColorRole::Text => &self.text,
            ColorRole::SecondaryText => &self.secondary_text,
            ColorRole::Error => &self.error,
            ColorRole::QrDark => &self.qr_dark,
            ColorRole::QrLight => &self.qr_light,
        }
    }
}

/// Font families per platform and text sizes in points (iOS) or sp (Android).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Typography {
    /// A font installed on iOS or bundled by the shell, for example `Avenir Next`.
    pub ios_font_family: String,
    /// An Android system font family, for example `sans-serif-medium`.
    pub android_font_family: String,
    pub title_size: i64,
    pub body_size: i64,
    pub caption_size: i64,
}

/// PNG sources inside the pack, as paths relative to the pack folder.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Assets {
    pub logo: String,
    pub app_icon: String,
}

/// How the entry screen, which shows the gate QR code, behaves.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Entry {
    /// `max` raises screen brightness while the code shows; `system` leaves it alone.
    pub brightness: String,
}

/// Shopper support contacts.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Support {
    pub email: String,
    /// E.164 form, for example `+442079460000`.
    pub phone: String,
    pub url: String,
}

/// Legal documents label at sign-up and in settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Legal {
    pub terms_url: String,
    pub privacy_url: String,
}

/// Feature switches of the shells.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Features {
    /// Shows the targeted offers screen.
    pub offers: bool,
    /// Cognito identity provider names offered on the sign-in screen, in display order.
    pub federated_providers: Vec<String>,
}

/// Localization settings; the strings themselves live in `strings/<locale>.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct StringsConfig {
    /// The locale every other locale is compared against, and the Android fallback.
    pub default_locale: String,
}

/// Every dotted key of the schema (`colors.light.primary`), used to suggest a fix for an
/// unknown key.
pub fn known_keys() -> Vec<String> {
    let mut keys = Vec::new();
    if let Ok(toml::Value::Table(table)) = toml::Value::try_from(BrandToml::default()) {
        collect_keys("", &table, &mut keys);
    }
    keys
}

fn collect_keys(prefix: &str, table: &toml::Table, keys: &mut Vec<String>) {
    for (name, value) in table {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let toml::Value::Table(inner) = value {
            collect_keys(&path, inner, keys);
        }
        keys.push(path);
    }
}
