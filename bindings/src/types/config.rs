//! [`AppConfig`], the settings an app passes to `WalkoutApp`'s constructor.

use std::path::PathBuf;

use walkout_core::config::{CognitoConfig, OpenIdConfig, PspConfig, SANDBOX_PUBLISHABLE_KEY};
use walkout_core::{BrandId, Config};

use walkout_core::error::{Error, to_public};

use crate::error::{FfiResult, WalkoutFfiError};

/// The configuration of one branded app. Every value is checked when the app object is
/// created, and an invalid one is an `InvalidInput` error naming its key.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AppConfig {
    /// Brand id: 1 to 40 lower-case ASCII letters, digits or '-'. It is part of every file
    /// name and secret key, so two brands on one device never share state.
    pub brand_id: String,
    /// Base URL of the Walkout backend, such as `https://api.example.com`.
    pub backend_url: String,
    /// Folder for the local database; the app's private files folder.
    pub storage_dir: String,
    /// AWS region of the Cognito user pool, such as `eu-west-2`.
    pub cognito_region: String,
    /// Cognito Identity Provider endpoint; `null` means the AWS endpoint of the region.
    #[uniffi(default = None)]
    pub cognito_endpoint_url: Option<String>,
    /// Cognito user pool id, such as `eu-west-2_AbCdEf123`.
    pub cognito_user_pool_id: String,
    /// Cognito app client id (a public client, without a secret).
    pub cognito_client_id: String,
    /// Base URL of the payment service provider's card tokenization API; `null` means the
    /// backend's sandbox.
    #[uniffi(default = None)]
    pub psp_api_base: Option<String>,
    /// Publishable key of the payment service provider; `null` means the sandbox's key.
    #[uniffi(default = None)]
    pub psp_publishable_key: Option<String>,
    /// The OpenID Connect provider for `sign_in_hosted`; `null` means hosted sign-in is off.
    #[uniffi(default = None)]
    pub openid: Option<OpenIdSettings>,
}

/// The OpenID Connect provider of hosted sign-in, such as a Cognito user pool domain.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OpenIdSettings {
    /// Issuer URL; its `/.well-known/openid-configuration` describes the provider.
    pub issuer: String,
    /// Client id registered with the provider (a public client, without a secret).
    pub client_id: String,
    /// Redirect URI registered with the provider, exactly as it is sent, such as
    /// `com.example.shop://signed-in`.
    pub redirect_uri: String,
    /// Requested scopes; `openid` is required.
    pub scopes: Vec<String>,
    /// Cognito's `identity_provider` (such as `Google`), which skips the managed login page;
    /// `null` shows the page.
    #[uniffi(default = None)]
    pub identity_provider: Option<String>,
}

impl AppConfig {
    /// Builds the core's configuration; only the brand id is checked here, the rest by the
    /// core when it starts.
    pub(crate) fn into_core(self) -> FfiResult<Config> {
        let brand = BrandId::new(&self.brand_id)
            .map_err(|error| WalkoutFfiError::from(to_public(&Error::Config(error))))?;
        Ok(Config {
            brand,
            backend_url: self.backend_url,
            storage_dir: PathBuf::from(self.storage_dir),
            cognito: CognitoConfig {
                region: self.cognito_region,
                endpoint_url: self.cognito_endpoint_url,
                user_pool_id: self.cognito_user_pool_id,
                client_id: self.cognito_client_id,
                client_secret: None,
            },
            openid: self.openid.map(|openid| OpenIdConfig {
                issuer: openid.issuer,
                client_id: openid.client_id,
                redirect_uri: openid.redirect_uri,
                scopes: openid.scopes,
                identity_provider: openid.identity_provider,
            }),
            psp: PspConfig {
                api_base: self.psp_api_base,
                publishable_key: self
                    .psp_publishable_key
                    .unwrap_or_else(|| SANDBOX_PUBLISHABLE_KEY.to_owned()),
            },
        })
    }
}
