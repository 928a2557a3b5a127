//! Failures of wallet operations and their public form.
//!
//! Card form errors become `InvalidInput` naming the field (`number`, `exp_month`, `exp_year`,
//! `cvc`); PSP declines become `Denied` with the slug `card-declined`. No message carries card
//! data, and the PSP's free-text messages are never passed on.

use super::card::CardError;
use super::tokenize::PspError;
use crate::error::{Error, WalkoutError, to_public};

/// Public slug of a card that the PSP declined at tokenization.
pub const CARD_DECLINED_SLUG: &str = "card-declined";

/// A rich internal wallet error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WalletError {
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    Psp(#[from] PspError),
    #[error(transparent)]
    Core(#[from] Error),
}

impl From<crate::store::StoreError> for WalletError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Core(Error::Store(error))
    }
}

impl From<crate::http::HttpError> for WalletError {
    fn from(error: crate::http::HttpError) -> Self {
        Self::Core(Error::Http(error))
    }
}

impl WalletError {
    /// Maps the error to the public one and logs it once.
    pub(crate) fn to_public(&self) -> WalkoutError {
        let public = match self {
            Self::Core(error) => return to_public(error),
            Self::Card(error) => WalkoutError::InvalidInput {
                field: error.field.as_str().to_owned(),
                reason: error.problem.to_string(),
            },
            Self::Psp(error) => psp_to_public(error),
        };
        match &public {
            WalkoutError::Network { .. } => {
                tracing::warn!(error = %self, "wallet operation failed")
            }
            _ => tracing::info!(error = %self, "wallet operation did not complete"),
        }
        public
    }
}

fn psp_to_public(error: &PspError) -> WalkoutError {
    match error {
        PspError::InvalidField { field, code } => WalkoutError::InvalidInput {
            field: (*field).to_owned(),
            reason: format!("the card issuer's processor rejected it ({code})"),
        },
        PspError::Declined { .. } => WalkoutError::Denied {
            reason_slug: CARD_DECLINED_SLUG.to_owned(),
        },
        PspError::KeyRejected { .. } => WalkoutError::InvalidInput {
            field: "psp.publishable_key".to_owned(),
            reason: "the payment service provider rejected the key".to_owned(),
        },
        PspError::Unavailable { .. } => WalkoutError::Offline {
            retry_after_seconds: None,
        },
        PspError::Unexpected { .. } => WalkoutError::Network {
            reason: "unexpected response from the payment service provider".to_owned(),
        },
    }
}
