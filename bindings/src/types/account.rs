//! The shopper's profile, registered devices and the outcome of closing the account.

use walkout_core::account as core;

/// The shopper's marketing choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct MarketingPreferences {
    /// Marketing email is allowed.
    pub email: bool,
    /// Marketing push messages are allowed.
    pub push: bool,
}

/// The shopper's profile as the backend stores it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Profile {
    /// The shopper's display name.
    pub display_name: Option<String>,
    /// The email address the profile stores.
    pub email: Option<String>,
    /// BCP 47 language tag, such as `en-GB`.
    pub locale: Option<String>,
    /// The shopper's marketing choices.
    pub marketing: MarketingPreferences,
}

impl From<core::Profile> for Profile {
    fn from(profile: core::Profile) -> Self {
        Self {
            display_name: profile.display_name,
            email: profile.email,
            locale: profile.locale,
            marketing: MarketingPreferences {
                email: profile.marketing.email,
                push: profile.marketing.push,
            },
        }
    }
}

/// A change to one profile field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FieldUpdate {
    /// Leave the field as it is.
    Keep,
    /// Remove the field's value.
    Clear,
    /// Replace the field's value.
    Set {
        /// The new value.
        value: String,
    },
}

impl From<FieldUpdate> for core::FieldUpdate {
    fn from(update: FieldUpdate) -> Self {
        match update {
            FieldUpdate::Keep => Self::Keep,
            FieldUpdate::Clear => Self::Clear,
            FieldUpdate::Set { value } => Self::Set { value },
        }
    }
}

/// A profile update. Only the fields it changes are sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProfileUpdate {
    /// The change to the display name.
    pub display_name: FieldUpdate,
    /// The change to the profile's email address.
    pub email: FieldUpdate,
    /// The change to the language tag.
    pub locale: FieldUpdate,
    /// The new marketing email choice; `null` keeps it.
    #[uniffi(default = None)]
    pub marketing_email: Option<bool>,
    /// The new marketing push choice; `null` keeps it.
    #[uniffi(default = None)]
    pub marketing_push: Option<bool>,
}

impl From<ProfileUpdate> for core::ProfileUpdate {
    fn from(update: ProfileUpdate) -> Self {
        Self {
            display_name: update.display_name.into(),
            email: update.email.into(),
            locale: update.locale.into(),
            marketing_email: update.marketing_email,
            marketing_push: update.marketing_push,
        }
    }
}

/// A device registered for this shopper.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Device {
    /// The app's id for the device.
    pub device_id: String,
    /// `ios`, `android` or `other`.
    pub platform: String,
    /// The app version that registered the device.
    pub app_version: String,
    /// A push token is set; the token itself is never returned.
    pub push_token_set: bool,
}

impl From<core::Device> for Device {
    fn from(device: core::Device) -> Self {
        Self {
            device_id: device.device_id,
            platform: device.platform,
            app_version: device.app_version,
            push_token_set: device.push_token_set,
        }
    }
}

/// The outcome of closing the account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountDeletion {
    /// Instant the backend deleted the account, RFC 3339 in UTC.
    pub deleted_at: String,
}

impl From<core::AccountDeletion> for AccountDeletion {
    fn from(deletion: core::AccountDeletion) -> Self {
        Self {
            deleted_at: deletion.deleted_at,
        }
    }
}
