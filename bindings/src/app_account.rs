//! `WalkoutApp` methods for the shopper's profile, this device's registration and push token,
//! and closing the account. A push token goes to the backend only.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::account::{AccountDeletion, Device, Profile, ProfileUpdate};

#[uniffi::export]
impl WalkoutApp {
    /// Reads the shopper's profile from the backend.
    pub fn profile(&self) -> FfiResult<Profile> {
        Ok(self.core.profile()?.into())
    }

    /// Changes the profile fields that `update` changes; returns the stored profile.
    pub fn update_profile(&self, update: ProfileUpdate) -> FfiResult<Profile> {
        Ok(self.core.update_profile(&update.into())?.into())
    }

    /// Lists the shopper's registered devices.
    pub fn devices(&self) -> FfiResult<Vec<Device>> {
        Ok(self.core.devices()?.into_iter().map(Device::from).collect())
    }

    /// Registers this device, or updates the one with the same `device_id`, with an optional
    /// push token. `device_id` is 1 to 128 ASCII letters, digits, '.', '_', ':' or '-'.
    pub fn register_device(
        &self,
        device_id: String,
        platform: String,
        app_version: String,
        push_token: Option<String>,
    ) -> FfiResult<Device> {
        let device = self
            .core
            .register_device(&device_id, &platform, &app_version, push_token)?;
        Ok(device.into())
    }

    /// Removes a device; a device the backend no longer has counts as removed.
    pub fn remove_device(&self, device_id: String) -> FfiResult<()> {
        Ok(self.core.remove_device(&device_id)?)
    }

    /// Sets the push token of a registered device.
    pub fn set_push_token(&self, device_id: String, push_token: String) -> FfiResult<Device> {
        Ok(self.core.set_push_token(&device_id, &push_token)?.into())
    }

    /// Clears the push token of a registered device, so no push message reaches it.
    pub fn clear_push_token(&self, device_id: String) -> FfiResult<()> {
        Ok(self.core.clear_push_token(&device_id)?)
    }

    /// Closes the account: the backend erases the shopper's personal data first, then the
    /// Cognito account, the session and the local data are deleted as `delete_account` does.
    // NOTE: the binding tests do not run this, because moto lacks Cognito's RevokeToken.
    pub fn close_account(&self) -> FfiResult<AccountDeletion> {
        Ok(self.core.close_account()?.into())
    }
}
