//! The remembered device: the keys Cognito assigned to this device and the random device
//! password whose verifier `ConfirmDevice` registered.
//!
//! All three live in the secret store under one key, next to the session, because the device
//! password is as good as a second factor. The record names the shopper it belongs to, so a
//! different shopper signing in on the same phone does not send someone else's `DEVICE_KEY`.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::cognito::types::NewDeviceMetadata;
use super::cognito::{CognitoClient, DeviceConfirmation};
use super::secrets::{read_secret, write_secret};
use super::srp::DeviceSecret;
use crate::error::Error;
use crate::secrets::SecretStore;

/// Secret store key of the remembered device.
pub const DEVICE_KEY: &str = "cognito.device";

/// A device that Cognito remembers for one shopper.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct RememberedDevice {
    /// The normalised identifier the shopper signs in with.
    pub identifier: String,
    pub device_key: String,
    pub device_group_key: String,
    /// Base64 of 40 random bytes; it never leaves the device.
    pub device_password: String,
}

impl std::fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

/// Reads the remembered device of `identifier`. A device of another shopper, a missing record
/// or a store that cannot be read now all give `None`: sign-in then proceeds without it.
pub fn load_for(secrets: &dyn SecretStore, identifier: &str) -> Option<RememberedDevice> {
    let bytes = match read_secret(secrets, DEVICE_KEY) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return None,
        Err(error) => {
            tracing::warn!(error = %error, "cannot read the remembered device; signing in without it");
            return None;
        }
    };
    let device: RememberedDevice = serde_json::from_slice(&bytes).ok()?;
    (device.identifier == identifier).then_some(device)
}

/// Registers a device that Cognito reported as new, then stores it.
///
/// Failures are returned for logging only: the shopper is signed in either way, and the next
/// sign-in simply runs without device SRP.
pub async fn confirm_new_device(
    cognito: &CognitoClient,
    secrets: &dyn SecretStore,
    access_token: &str,
    identifier: &str,
    metadata: &NewDeviceMetadata,
    device_name: Option<&str>,
) -> Result<RememberedDevice, Error> {
    let secret = DeviceSecret::generate(&metadata.device_group_key, &metadata.device_key);
    let confirmation = DeviceConfirmation {
        device_key: &metadata.device_key,
        password_verifier: &secret.config.password_verifier,
        salt: &secret.config.salt,
        device_name,
    };
    let response = cognito
        .confirm_device(access_token, &confirmation)
        .await
        .map_err(super::cognito::CognitoError::into_error)?;
    if response.user_confirmation_necessary {
        // The app's options already record the shopper's consent to remember this device.
        cognito
            .remember_device(access_token, &metadata.device_key)
            .await
            .map_err(super::cognito::CognitoError::into_error)?;
    }

    let device = RememberedDevice {
        identifier: identifier.to_owned(),
        device_key: metadata.device_key.clone(),
        device_group_key: metadata.device_group_key.clone(),
        device_password: secret.device_password.to_string(),
    };
    let bytes = zeroize::Zeroizing::new(
        serde_json::to_vec(&device).map_err(|error| Error::Internal(error.to_string()))?,
    );
    write_secret(secrets, DEVICE_KEY, &bytes)?;
    tracing::info!(device_key = %device.device_key, "device remembered");
    Ok(device)
}

/// Forgets the remembered device locally (after the account is deleted).
pub fn forget(secrets: &dyn SecretStore) -> Result<(), Error> {
    secrets.delete(DEVICE_KEY).map_err(Error::from)
}
