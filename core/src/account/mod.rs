//! The account methods of [`Walkout`]: read and update the shopper's profile, register and
//! remove this device and its push token, and delete the account.
//!
//! The backend checks every field again; the checks here only catch what the app can fix
//! before sending. A push token is sent to the backend and nowhere else: it is never logged
//! and never stored locally.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::{Error, WalkoutError};
use crate::http::{HttpRequest, Method};
use crate::walkout::Walkout;

const PROFILE_PATH: &str = "/app/v1/profile";
const DEVICES_PATH: &str = "/app/v1/devices";
const ACCOUNT_PATH: &str = "/app/v1/account";
/// Maximum device id length the backend accepts, in bytes.
const MAX_DEVICE_ID_LEN: usize = 128;

/// The shopper's marketing choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketingPreferences {
    pub email: bool,
    pub push: bool,
}

/// The shopper's profile as the backend stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// BCP 47 language tag, such as `en-GB`.
    pub locale: Option<String>,
    pub marketing: MarketingPreferences,
}

/// A change to one profile field: keep it, clear it, or set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FieldUpdate {
    #[default]
    Keep,
    Clear,
    Set {
        value: String,
    },
}

/// A profile update; fields left at `Keep` (or `None`) are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub display_name: FieldUpdate,
    pub email: FieldUpdate,
    pub locale: FieldUpdate,
    pub marketing_email: Option<bool>,
    pub marketing_push: Option<bool>,
}

/// A device registered for this shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub device_id: String,
    /// `ios`, `android` or `other`.
    pub platform: String,
    pub app_version: String,
    pub push_token_set: bool,
}

#[derive(Deserialize)]
struct DeviceList {
    devices: Vec<Device>,
}

/// The backend's response to an account deletion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountDeletion {
    /// RFC 3339 instant of the deletion.
    pub deleted_at: String,
}

impl ProfileUpdate {
    /// Builds the JSON merge patch of this update.
    fn to_patch(&self) -> Value {
        let mut patch = Map::new();
        for (name, field) in [
            ("display_name", &self.display_name),
            ("email", &self.email),
            ("locale", &self.locale),
        ] {
            match field {
                FieldUpdate::Keep => {}
                FieldUpdate::Clear => {
                    patch.insert(name.to_owned(), Value::Null);
                }
                FieldUpdate::Set { value } => {
                    patch.insert(name.to_owned(), Value::String(value.clone()));
                }
            }
        }
        let mut marketing = Map::new();
        if let Some(email) = self.marketing_email {
            marketing.insert("email".to_owned(), Value::Bool(email));
        }
        if let Some(push) = self.marketing_push {
            marketing.insert("push".to_owned(), Value::Bool(push));
        }
        if !marketing.is_empty() {
            patch.insert("marketing".to_owned(), Value::Object(marketing));
        }
        Value::Object(patch)
    }
}

impl Walkout {
    /// Reads the shopper's profile from the backend.
    pub fn profile(&self) -> Result<Profile, WalkoutError> {
        self.run(async {
            let request = HttpRequest::get(PROFILE_PATH).authenticated();
            Ok(self.http().send(&request).await?.json::<Profile>()?)
        })
    }

    /// Updates the profile fields that `update` changes, and returns the stored profile.
    pub fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile, WalkoutError> {
        self.run(async {
            let request = HttpRequest::new(Method::PATCH, PROFILE_PATH)
                .json(update.to_patch())
                .authenticated();
            Ok(self.http().send(&request).await?.json::<Profile>()?)
        })
    }

    /// Lists the shopper's registered devices.
    pub fn devices(&self) -> Result<Vec<Device>, WalkoutError> {
        self.run(async {
            let request = HttpRequest::get(DEVICES_PATH).authenticated();
            Ok(self
                .http()
                .send(&request)
                .await?
                .json::<DeviceList>()?
                .devices)
        })
    }

    /// Registers a device (or updates one with the same id) with an optional push token.
    pub fn register_device(
        &self,
        device_id: &str,
        platform: &str,
        app_version: &str,
        push_token: Option<String>,
    ) -> Result<Device, WalkoutError> {
        self.run(async {
            check_device_id(device_id)?;
            let request = HttpRequest::post(DEVICES_PATH)
                .json(json!({
                    "device_id": device_id,
                    "platform": platform,
                    "app_version": app_version,
                    "push_token": push_token,
                }))
                .idempotency_key(Uuid::now_v7().to_string())
                .authenticated();
            Ok(self.http().send(&request).await?.json::<Device>()?)
        })
    }

    /// Removes a device. A device the backend no longer has counts as removed.
    pub fn remove_device(&self, device_id: &str) -> Result<(), WalkoutError> {
        self.run(async {
            check_device_id(device_id)?;
            let request = HttpRequest::new(Method::DELETE, format!("{DEVICES_PATH}/{device_id}"))
                .authenticated();
            match self.http().send(&request).await {
                Ok(_) => Ok(()),
                Err(error) if error.status() == Some(404) => Ok(()),
                Err(error) => Err(error.into()),
            }
        })
    }

    /// Sets the push token of a registered device.
    pub fn set_push_token(
        &self,
        device_id: &str,
        push_token: &str,
    ) -> Result<Device, WalkoutError> {
        self.run(async {
            check_device_id(device_id)?;
            let request = HttpRequest::new(
                Method::PUT,
                format!("{DEVICES_PATH}/{device_id}/push-token"),
            )
            .json(json!({ "push_token": push_token }))
            .authenticated();
            Ok(self.http().send(&request).await?.json::<Device>()?)
        })
    }

    /// Clears the push token of a registered device, so no push message reaches it.
    pub fn clear_push_token(&self, device_id: &str) -> Result<(), WalkoutError> {
        self.run(async {
            check_device_id(device_id)?;
            let request = HttpRequest::new(
                Method::DELETE,
                format!("{DEVICES_PATH}/{device_id}/push-token"),
            )
            .authenticated();
            self.http().send(&request).await?;
            Ok(())
        })
    }

    /// Deletes the shopper's account: first on the backend (personal data erased, receipts
    /// turned into tombstones, purchases kept under a pseudonym), then in the Cognito user pool
    /// with the local session and data, through [`Walkout::delete_account`].
    ///
    /// The backend step comes first because it needs a valid access token. A repeat after a
    /// lost response gets the backend's first response again.
    pub fn close_account(&self) -> Result<AccountDeletion, WalkoutError> {
        let deletion = self.run(async {
            let request = HttpRequest::new(Method::DELETE, ACCOUNT_PATH).authenticated();
            Ok(self
                .http()
                .send(&request)
                .await?
                .json::<AccountDeletion>()?)
        })?;
        tracing::info!("account deleted on the backend; deleting the user pool account");
        self.delete_account()?;
        Ok(deletion)
    }
}

fn check_device_id(device_id: &str) -> Result<(), Error> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-');
    if device_id.is_empty()
        || device_id.len() > MAX_DEVICE_ID_LEN
        || !device_id.bytes().all(allowed)
    {
        return Err(Error::InvalidInput {
            field: "device_id".to_owned(),
            reason: format!(
                "expected 1 to {MAX_DEVICE_ID_LEN} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_sends_only_changed_fields() {
        let update = ProfileUpdate {
            display_name: FieldUpdate::Set {
                value: "Ada".to_owned(),
            },
            email: FieldUpdate::Clear,
            marketing_push: Some(true),
            ..ProfileUpdate::default()
        };
        assert_eq!(
            update.to_patch(),
            json!({"display_name": "Ada", "email": null, "marketing": {"push": true}})
        );
        assert_eq!(ProfileUpdate::default().to_patch(), json!({}));
    }

    #[test]
    fn device_id_is_checked() {
        let cases = [
            ("phone-1", true),
            ("", false),
            ("a/b", false),
            ("has space", false),
        ];
        for (id, valid) in cases {
            assert_eq!(check_device_id(id).is_ok(), valid, "device id {id:?}");
        }
    }
}
