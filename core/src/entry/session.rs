//! The device's entry credential on [`Walkout`]: enrollment, renewal, revocation, and the
//! rotating code derived from it.
//!
//! Enrollment (`POST /app/v1/entry-credentials`) returns the credential id, the secret in
//! Base64, the rotation period, the expiry, the time from which to renew, and the server time.
//! The secret goes to the secret store and the rest to the local store (see
//! [`credential_store`](super::credential_store)); the server time measures the clock offset.
//! From then on a code is a pure function of the stored credential, the measured offset and the
//! instant, so codes keep working offline until the credential expires. An app that stays
//! offline past the expiry gets an error containing "connect to renew your entry code".
//!
//! Neither the secret nor a code is ever logged; logs name the credential id only.

use std::future::Future;

use base64::Engine as _;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::code::{
    CREDENTIAL_ID_LEN, DeriveError, EntryCode, EntryCredential, SECRET_LEN, derive_code,
};
use super::credential_store::{self, EntryCredentialInfo};
use super::render::{QrMatrix, TerminalBackground};
use super::session_error::EntryError;
use crate::clock::{Clock, ClockOffset, OffsetSource};
use crate::error::WalkoutError;
use crate::http::{HttpRequest, Method};
use crate::walkout::Walkout;

const ENTRY_CREDENTIALS_PATH: &str = "/app/v1/entry-credentials";
/// Renewal lead time used when the backend does not send `renew_after`: 7 days.
const DEFAULT_RENEW_WINDOW_SECS: i64 = 7 * 24 * 60 * 60;

#[derive(Deserialize)]
struct EnrollmentResponse {
    credential_id: String,
    secret: String,
    period_secs: u32,
    expires_at: String,
    #[serde(default)]
    renew_after: Option<String>,
    #[serde(default)]
    server_time: Option<String>,
}

impl Drop for EnrollmentResponse {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl Walkout {
    /// Enrolls this device for entry codes and stores the new credential, replacing (and
    /// revoking on the backend) any earlier one.
    ///
    /// The request carries an Idempotency-Key that is kept until the response is stored, so
    /// a retry after a lost response or a crash gets the same credential rather than a second one.
    pub fn enroll_device(&self) -> Result<EntryCredentialInfo, WalkoutError> {
        self.entry_call(self.enroll())
    }

    /// Returns a usable entry credential, enrolling when there is none or when the current one
    /// is within its renewal window or expired.
    ///
    /// A renewal that fails while the current credential is still valid is logged and the
    /// current one is returned, so a shopper offline in the renewal window can still enter. An
    /// expired credential that cannot be renewed because the backend is unreachable is an
    /// error containing "connect to renew your entry code".
    pub fn ensure_entry_credential(&self) -> Result<EntryCredentialInfo, WalkoutError> {
        self.entry_call(async {
            let current = credential_store::load(self.store(), self.secrets().as_ref(), &self.config().brand)?;
            let Some((info, _)) = current else {
                return self.enroll().await;
            };
            let now = self.server_clock().now_unix_seconds();
            if now < info.renew_after_unix {
                return Ok(info);
            }

            let expired = now >= info.expires_at_unix;
            match self.enroll().await {
                Ok(renewed) => Ok(renewed),
                Err(error) if !expired => {
                    tracing::warn!(credential_id = %info.credential_id, error = %error, "entry credential renewal failed; the current one stays in use");
                    Ok(info)
                }
                Err(error) if error.is_offline() => Err(EntryError::Expired {
                    expires_at_unix: info.expires_at_unix,
                }),
                Err(error) => Err(error),
            }
        })
    }

    /// Returns the stored credential's public part, without the network or the secret store.
    pub fn entry_credential(&self) -> Result<Option<EntryCredentialInfo>, WalkoutError> {
        credential_store::load_info(self.store())
            .map_err(|error| EntryError::from(error).to_public())
    }

    /// Revokes the device's entry credential, as sign-out does: on the backend when it can be
    /// reached, and always on the device. Returns whether the backend confirmed the revocation.
    pub fn revoke_entry_credential(&self) -> Result<bool, WalkoutError> {
        self.entry_call(async {
            let info = credential_store::load_info(self.store())?;
            let revoked = match &info {
                Some(info) => self.revoke_on_backend(&info.credential_id).await,
                None => false,
            };
            credential_store::delete(self.store(), self.secrets().as_ref(), &self.config().brand)?;
            Ok(revoked)
        })
    }

    /// Derives the entry code for the device-clock instant `device_unix_millis`, corrected by
    /// the measured clock offset. Works offline.
    pub fn entry_code_at(&self, device_unix_millis: i64) -> Result<EntryCode, WalkoutError> {
        self.code_at(device_unix_millis)
            .map_err(|error| error.to_public())
    }

    /// Derives the entry code for the current instant of the device clock.
    pub fn entry_code(&self) -> Result<EntryCode, WalkoutError> {
        self.entry_code_at(self.server_clock().device().now_unix_millis())
    }

    /// Returns the current code's QR module matrix (version 2, level M, no quiet zone).
    pub fn entry_code_matrix(&self) -> Result<QrMatrix, WalkoutError> {
        self.current_matrix().map_err(|error| error.to_public())
    }

    /// Renders the current code as a PNG with a 4-module quiet zone; `pixels_per_module` is 1
    /// to 64.
    pub fn entry_code_png(&self, pixels_per_module: u32) -> Result<Vec<u8>, WalkoutError> {
        self.current_matrix()
            .and_then(|matrix| Ok(matrix.to_png(pixels_per_module)?))
            .map_err(|error| error.to_public())
    }

    /// Renders the current code as an SVG document with a 4-module quiet zone.
    pub fn entry_code_svg(&self, pixels_per_module: u32) -> Result<String, WalkoutError> {
        self.current_matrix()
            .and_then(|matrix| Ok(matrix.to_svg(pixels_per_module)?))
            .map_err(|error| error.to_public())
    }

    /// Renders the current code as Unicode half blocks for a terminal with `background`.
    pub fn entry_code_terminal(
        &self,
        background: TerminalBackground,
    ) -> Result<String, WalkoutError> {
        self.current_matrix()
            .map(|matrix| matrix.to_terminal(background))
            .map_err(|error| error.to_public())
    }

    fn code_at(&self, device_unix_millis: i64) -> Result<EntryCode, EntryError> {
        let stored =
            credential_store::load(self.store(), self.secrets().as_ref(), &self.config().brand)?;
        let Some((_, credential)) = stored else {
            return Err(EntryError::NotEnrolled);
        };
        // The offset is added in milliseconds here, so derive_code gets server time and an
        // offset of zero; its own offset argument has whole-second resolution.
        let offset_millis = self.server_clock().offset().offset_millis();
        let server_millis = device_unix_millis.saturating_add(offset_millis);
        derive_code(&credential, 0, server_millis).map_err(|error| match error {
            DeriveError::CredentialExpired { expires_at_unix } => {
                EntryError::Expired { expires_at_unix }
            }
            DeriveError::Step(step) => EntryError::Step(step),
        })
    }

    fn current_matrix(&self) -> Result<QrMatrix, EntryError> {
        let code = self.code_at(self.server_clock().device().now_unix_millis())?;
        Ok(QrMatrix::encode(&code.text)?)
    }

    async fn enroll(&self) -> Result<EntryCredentialInfo, EntryError> {
        let key = credential_store::pending_enrollment_key(self.store())?;
        let request = HttpRequest::post(ENTRY_CREDENTIALS_PATH)
            .idempotency_key(key)
            .authenticated();
        let device = self.server_clock().device();
        let sent_at = device.now_unix_millis();
        let mut response = match self.http().send(&request).await {
            Ok(response) => response,
            Err(error) => {
                // A definite rejection will not succeed on replay; anything else may have
                // enrolled on the backend, so the key is kept for the next attempt.
                if error
                    .status()
                    .is_some_and(|status| (400..500).contains(&status))
                {
                    credential_store::clear_pending_enrollment(self.store())?;
                }
                return Err(error.into());
            }
        };
        let received_at = device.now_unix_millis();
        let parsed = serde_json::from_slice::<EnrollmentResponse>(&response.body);
        response.body.zeroize();
        let enrollment = parsed.map_err(|error| EntryError::BadResponse(error.to_string()))?;

        let (info, credential) = credential_from(&enrollment)?;
        if let Some(server_time) = &enrollment.server_time {
            self.record_server_time(server_time, sent_at, received_at);
        }
        let previous = credential_store::load_info(self.store())?;
        credential_store::save(
            self.store(),
            self.secrets().as_ref(),
            &self.config().brand,
            &info,
            &credential,
        )?;
        credential_store::clear_pending_enrollment(self.store())?;
        tracing::info!(credential_id = %info.credential_id, expires_at = info.expires_at_unix, "entry credential enrolled");

        if let Some(previous) = previous.filter(|p| p.credential_id != info.credential_id) {
            self.revoke_on_backend(&previous.credential_id).await;
        }
        Ok(info)
    }

    /// Measures the clock offset from the enrollment's `server_time`, which has the whole-second
    /// resolution of an HTTP `Date` header and is measured the same way: the middle of that
    /// second against the middle of the round trip.
    fn record_server_time(&self, server_time: &str, sent_at: i64, received_at: i64) {
        let Some(server_seconds) = parse_rfc3339(server_time) else {
            tracing::warn!(
                "the enrollment's server_time is not RFC 3339; the offset is not updated"
            );
            return;
        };
        let server_millis = server_seconds.saturating_mul(1000).saturating_add(500);
        let device_millis = sent_at / 2 + received_at / 2;
        self.server_clock().offset().record(ClockOffset {
            offset_millis: server_millis.saturating_sub(device_millis),
            measured_at_millis: received_at,
            source: OffsetSource::HttpDate,
        });
    }

    /// Revokes `credential_id` on the backend; returns whether the backend confirmed it.
    /// Failures are logged, never returned: the caller goes on either way.
    async fn revoke_on_backend(&self, credential_id: &str) -> bool {
        let path = format!("{ENTRY_CREDENTIALS_PATH}/{credential_id}");
        let request = HttpRequest::new(Method::DELETE, path).authenticated();
        match self.http().send(&request).await {
            Ok(_) => {
                tracing::info!(credential_id, "entry credential revoked on the backend");
                true
            }
            Err(error) if error.status() == Some(404) => true,
            Err(error) => {
                tracing::warn!(credential_id, error = %error, "cannot revoke the entry credential on the backend");
                false
            }
        }
    }

    fn entry_call<T>(
        &self,
        future: impl Future<Output = Result<T, EntryError>>,
    ) -> Result<T, WalkoutError> {
        self.run(async { Ok(future.await) })?
            .map_err(|error| error.to_public())
    }
}

/// Checks and converts an enrollment response.
fn credential_from(
    response: &EnrollmentResponse,
) -> Result<(EntryCredentialInfo, EntryCredential), EntryError> {
    let bad = |what: &str| EntryError::BadResponse(what.to_owned());
    let id_bytes =
        hex::decode(&response.credential_id).map_err(|_| bad("credential_id is not hex"))?;
    let credential_id: [u8; CREDENTIAL_ID_LEN] = id_bytes
        .try_into()
        .map_err(|_| bad("credential_id is not 8 bytes"))?;
    let secret = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(&response.secret)
            .map_err(|_| bad("secret is not Base64"))?,
    );
    if secret.len() != SECRET_LEN {
        return Err(bad("secret is not 32 bytes"));
    }
    if response.period_secs == 0 {
        return Err(bad("period_secs is 0"));
    }
    let expires_at_unix =
        parse_rfc3339(&response.expires_at).ok_or_else(|| bad("expires_at is not RFC 3339"))?;
    let renew_after_unix = match &response.renew_after {
        Some(text) => parse_rfc3339(text).ok_or_else(|| bad("renew_after is not RFC 3339"))?,
        None => expires_at_unix.saturating_sub(DEFAULT_RENEW_WINDOW_SECS),
    };

    let mut credential = EntryCredential {
        credential_id,
        secret: Zeroizing::new([0u8; SECRET_LEN]),
        period_secs: response.period_secs,
        expires_at_unix,
    };
    credential.secret.copy_from_slice(&secret);
    let info = EntryCredentialInfo {
        credential_id: hex::encode(credential_id),
        period_secs: response.period_secs,
        expires_at_unix,
        renew_after_unix,
    };
    Ok((info, credential))
}

/// Parses RFC 3339 text to whole Unix seconds.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let format = time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text, &format)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}
