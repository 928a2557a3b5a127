//! `WalkoutApp` methods for the entry credential and the rotating entry code shown at the gate.
//!
//! Codes are derived on the device and work offline once the device is enrolled.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::entry::{EntryCode, EntryCredentialInfo};

#[uniffi::export]
impl WalkoutApp {
    /// Enrolls this device for entry codes, replacing (and revoking) any earlier credential.
    /// Requires a signed-in shopper.
    pub fn enroll_device(&self) -> FfiResult<EntryCredentialInfo> {
        Ok(self.core.enroll_device()?.into())
    }

    /// Returns a usable entry credential, enrolling first when there is none or when the
    /// current one is due for renewal. Call it before showing the entry screen.
    pub fn ensure_entry_credential(&self) -> FfiResult<EntryCredentialInfo> {
        Ok(self.core.ensure_entry_credential()?.into())
    }

    /// Returns the stored credential's public part, or `null` when the device is not
    /// enrolled. Makes no network call.
    pub fn entry_credential(&self) -> FfiResult<Option<EntryCredentialInfo>> {
        Ok(self.core.entry_credential()?.map(Into::into))
    }

    /// Revokes the device's entry credential; returns whether the backend confirmed it.
    pub fn revoke_entry_credential(&self) -> FfiResult<bool> {
        Ok(self.core.revoke_entry_credential()?)
    }

    /// Derives the entry code of the current instant. Works offline.
    pub fn entry_code(&self) -> FfiResult<EntryCode> {
        Ok(self.core.entry_code()?.into())
    }

    /// Renders the current entry code as a PNG with a 4-module quiet zone;
    /// `pixels_per_module` is 1 to 64.
    pub fn entry_code_png(&self, pixels_per_module: u32) -> FfiResult<Vec<u8>> {
        Ok(self.core.entry_code_png(pixels_per_module)?)
    }

    /// Renders the current entry code as an SVG document with a 4-module quiet zone;
    /// `pixels_per_module` is 1 to 64.
    pub fn entry_code_svg(&self, pixels_per_module: u32) -> FfiResult<String> {
        Ok(self.core.entry_code_svg(pixels_per_module)?)
    }
}
