//! Sets up a user pool and an app client in moto through the Cognito Identity Provider JSON
//! API, as an operator would in AWS.

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// A user pool and app client ready for shoppers.
#[derive(Debug, Clone)]
pub struct UserPool {
    pub endpoint: String,
    pub region: String,
    pub pool_id: String,
    pub client_id: String,
}

impl UserPool {
    /// The `iss` of the pool's tokens: moto uses the AWS form even in server mode.
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region, self.pool_id
        )
    }

    /// Where moto serves the pool's keys.
    pub fn jwks_url(&self) -> String {
        format!("{}/{}/.well-known/jwks.json", self.endpoint, self.pool_id)
    }
}

fn call(endpoint: &str, operation: &str, body: &Value) -> anyhow::Result<Value> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .post(endpoint)
        .header(
            "X-Amz-Target",
            &format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .send(body.to_string())
        .with_context(|| format!("{operation} request to {endpoint} failed"))?;
    let status = response.status();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        bail!("{operation} failed with HTTP {status}: {text}");
    }
    serde_json::from_str(&text)
        .with_context(|| format!("{operation} returned a body that is not JSON"))
}

/// Creates a pool named `name` that signs users in by email, and a public app client.
pub fn create_user_pool(endpoint: &str, name: &str) -> anyhow::Result<UserPool> {
    let pool = call(
        endpoint,
        "CreateUserPool",
        &json!({
            "PoolName": name,
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
        }),
    )?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .context("CreateUserPool returned no UserPool.Id")?
        .to_owned();
    let client = call(
        endpoint,
        "CreateUserPoolClient",
        &json!({
            "UserPoolId": pool_id,
            "ClientName": format!("{name}-app"),
            "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .context("CreateUserPoolClient returned no UserPoolClient.ClientId")?
        .to_owned();
    let region = pool_id.split('_').next().unwrap_or("us-east-1").to_owned();
    Ok(UserPool {
        endpoint: endpoint.to_owned(),
        region,
        pool_id,
        client_id,
    })
}
