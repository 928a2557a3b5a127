//! The sign-in state machine: from `InitiateAuth` through every challenge to stored tokens.
//!
//! [`start`] runs `InitiateAuth` and answers the proof challenges at once; [`respond`] answers a
//! challenge that needed the shopper. Both end in [`Progress::SignedIn`] or in
//! [`Progress::Waiting`] with the next [`SignInStep`]. Proofs are never retried: a transient
//! failure during SRP restarts the whole exchange once, with a fresh private value.
//!
//! Quirks handled here: real Cognito sends no `Session` with `PASSWORD_VERIFIER`, so an absent
//! session is valid; moto sends a dashed UUID as `SECRET_BLOCK` (decoded leniently by the SRP
//! module and echoed unchanged) and wants the challenge's `USERNAME` back, not
//! `USER_ID_FOR_SRP`.

use std::collections::BTreeMap;

use super::cognito::types::{AuthResponse, AuthenticationResult};
use super::cognito::{AuthFlow, CognitoError};
use super::device::{self, RememberedDevice};
use super::options::PasswordAuthFlow;
use super::session::SessionManager;
use super::srp::{
    DevicePasswordVerifierChallenge, DeviceSrpClient, PasswordVerifierChallenge, SrpClient,
    SrpError, format_timestamp,
};
use super::steps::{PendingChallenge, SignInResponse, SignInStep, json_string_list};
use super::tokens::{CurrentUser, SessionTokens};
use crate::clock::Clock;
use crate::error::Error;

/// Maximum number of challenges handled in one call; a longer chain is not Cognito's.
const MAX_CHALLENGES: usize = 8;

/// The state of sign-in after a call.
#[derive(Debug)]
pub enum Progress {
    SignedIn(CurrentUser),
    Waiting(PendingChallenge, SignInStep),
}

/// A failure during sign-in, kept apart by origin so the right ones are retried.
#[derive(Debug)]
pub enum FlowError {
    Cognito(CognitoError),
    Core(Error),
}

impl From<CognitoError> for FlowError {
    fn from(error: CognitoError) -> Self {
        Self::Cognito(error)
    }
}

impl From<Error> for FlowError {
    fn from(error: Error) -> Self {
        Self::Core(error)
    }
}

impl From<SrpError> for FlowError {
    fn from(error: SrpError) -> Self {
        Self::Cognito(CognitoError::UnexpectedResponse {
            operation: "RespondToAuthChallenge",
            reason: error.to_string(),
        })
    }
}

impl FlowError {
    fn is_transient(&self) -> bool {
        matches!(self, Self::Cognito(error) if error.is_retryable())
    }

    /// Checks whether the shopper may respond to the same challenge again (a mistyped code or a
    /// new password that fails the policy).
    pub fn allows_another_answer(&self) -> bool {
        match self {
            Self::Cognito(error) => [
                "CodeMismatchException",
                "InvalidPasswordException",
                "InvalidParameterException",
            ]
            .iter()
            .any(|code| error.is(code)),
            Self::Core(Error::InvalidInput { .. }) => true,
            Self::Core(_) => false,
        }
    }

    pub fn into_error(self) -> Error {
        match self {
            Self::Cognito(error) => error.into_error(),
            Self::Core(error) => error,
        }
    }
}

fn unexpected(reason: &str) -> FlowError {
    FlowError::Cognito(CognitoError::UnexpectedResponse {
        operation: "sign-in",
        reason: reason.to_owned(),
    })
}

/// The state one sign-in carries between challenges.
struct Context<'a> {
    identifier: String,
    /// `USERNAME` for answers; updated from each challenge.
    username: String,
    password: Option<&'a str>,
    srp: Option<SrpClient>,
    device: Option<RememberedDevice>,
    device_srp: Option<DeviceSrpClient>,
}

/// Starts sign-in for the normalised `identifier` with `password` exactly as typed.
pub async fn start(
    session: &SessionManager,
    identifier: &str,
    password: &str,
) -> Result<Progress, FlowError> {
    let options = session.options();
    let device = if options.remember_device {
        device::load_for(session.secrets().as_ref(), identifier)
    } else {
        None
    };
    let mut attempt = 1;
    loop {
        match start_once(session, identifier, password, device.clone()).await {
            Err(error) if error.is_transient() && attempt < 2 => {
                tracing::info!(error = ?error, "sign-in failed; restarting with a new SRP_A");
                attempt += 1;
            }
            Err(FlowError::Cognito(error)) if error.is("InvalidPasswordException") => {
                // cognito-local reports a wrong password this way, where Cognito returns NotAuthorized.
                return Err(FlowError::Cognito(CognitoError::Service {
                    operation: "InitiateAuth",
                    code: "NotAuthorizedException".to_owned(),
                    message: None,
                    status: 400,
                }));
            }
            other => return other,
        }
    }
}

async fn start_once(
    session: &SessionManager,
    identifier: &str,
    password: &str,
    device: Option<RememberedDevice>,
) -> Result<Progress, FlowError> {
    let cognito = session.cognito();
    let mut context = Context {
        identifier: identifier.to_owned(),
        username: identifier.to_owned(),
        password: Some(password),
        srp: None,
        device,
        device_srp: None,
    };
    let mut parameters = BTreeMap::from([("USERNAME", identifier.to_owned())]);
    if let Some(device) = &context.device {
        parameters.insert("DEVICE_KEY", device.device_key.clone());
    }
    let flow = match session.options().password_flow {
        PasswordAuthFlow::Srp => {
            let mut srp = SrpClient::new(cognito.user_pool_id(), None)?;
            if let Some(secret) = cognito.client_secret() {
                srp = srp.with_client_secret(cognito.client_id(), secret);
            }
            parameters.insert("SRP_A", srp.srp_a_hex());
            context.srp = Some(srp);
            AuthFlow::UserSrp
        }
        PasswordAuthFlow::UserPassword => {
            parameters.insert("PASSWORD", password.to_owned());
            AuthFlow::UserPassword
        }
    };
    let response = cognito.initiate_auth(flow, parameters, identifier).await?;
    advance(session, &mut context, response).await
}

/// Answers `pending` with the shopper's `response`.
pub async fn respond(
    session: &SessionManager,
    pending: &PendingChallenge,
    response: &SignInResponse,
) -> Result<Progress, FlowError> {
    let cognito = session.cognito();
    let mut context = Context {
        identifier: pending.identifier.clone(),
        username: pending.username.clone(),
        password: None,
        srp: None,
        device: pending.device.clone(),
        device_srp: None,
    };
    let mut challenge_session = pending.session.clone();
    let mut answers = BTreeMap::from([("USERNAME".to_owned(), pending.username.clone())]);
    if let Some(hash) = cognito.secret_hash(&pending.username) {
        answers.insert("SECRET_HASH".to_owned(), hash);
    }
    if let Some(device) = &pending.device {
        answers.insert("DEVICE_KEY".to_owned(), device.device_key.clone());
    }

    let name = pending.challenge_name.as_str();
    match (name, response) {
        (
            "NEW_PASSWORD_REQUIRED",
            SignInResponse::NewPassword {
                password,
                attributes,
            },
        ) => {
            super::options::require_non_empty("password", password)?;
            answers.insert("NEW_PASSWORD".to_owned(), password.clone());
            for (attribute, value) in attributes {
                answers.insert(format!("userAttributes.{attribute}"), value.clone());
            }
        }
        ("SMS_MFA", SignInResponse::MfaCode { code }) => {
            answers.insert("SMS_MFA_CODE".to_owned(), code.trim().to_owned());
        }
        ("SOFTWARE_TOKEN_MFA", SignInResponse::MfaCode { code }) => {
            answers.insert("SOFTWARE_TOKEN_MFA_CODE".to_owned(), code.trim().to_owned());
        }
        ("EMAIL_OTP", SignInResponse::MfaCode { code }) => {
            answers.insert("EMAIL_OTP_CODE".to_owned(), code.trim().to_owned());
        }
        ("SELECT_MFA_TYPE", SignInResponse::MfaType { mfa_type }) => {
            answers.insert("ANSWER".to_owned(), mfa_type.clone());
        }
        (
            "MFA_SETUP",
            SignInResponse::MfaSetupCode {
                code,
                friendly_device_name,
            },
        ) => {
            let setup_session = challenge_session
                .as_deref()
                .ok_or_else(|| unexpected("MFA_SETUP without a session"))?;
            let verified = cognito
                .verify_software_token(setup_session, code.trim(), friendly_device_name.as_deref())
                .await?;
            if verified.status.as_deref() != Some("SUCCESS") {
                return Err(FlowError::Cognito(CognitoError::Service {
                    operation: "VerifySoftwareToken",
                    code: "CodeMismatchException".to_owned(),
                    message: None,
                    status: 400,
                }));
            }
            challenge_session = verified.session.or(challenge_session);
        }
        _ => {
            return Err(FlowError::Core(Error::InvalidInput {
                field: "response".to_owned(),
                reason: format!("expected an answer to the {name} challenge"),
            }));
        }
    }

    let reply = cognito
        .respond_to_auth_challenge(name, challenge_session.as_deref(), answers)
        .await?;
    advance(session, &mut context, reply).await
}

/// Follows the challenge chain until tokens arrive or the shopper must act.
async fn advance(
    session: &SessionManager,
    context: &mut Context<'_>,
    mut response: AuthResponse,
) -> Result<Progress, FlowError> {
    for _ in 0..MAX_CHALLENGES {
        if let Some(result) = response.authentication_result.take() {
            return finish(session, context, &result).await;
        }
        let name = response
            .challenge_name
            .clone()
            .ok_or_else(|| unexpected("neither ChallengeName nor AuthenticationResult"))?;
        if let Some(username) = response.challenge_parameters.get("USERNAME") {
            context.username = username.clone();
        }
        response = match name.as_str() {
            "PASSWORD_VERIFIER" => answer_password_verifier(session, context, &response).await?,
            "DEVICE_SRP_AUTH" => answer_device_srp(session, context, &response).await?,
            "DEVICE_PASSWORD_VERIFIER" => {
                answer_device_password_verifier(session, context, &response).await?
            }
            _ => return wait_for_shopper(session, context, name, response).await,
        };
    }
    Err(unexpected("too many challenges in one sign-in"))
}

fn timestamp(session: &SessionManager) -> String {
    format_timestamp(session.clock().now_unix_seconds())
}

async fn answer_password_verifier(
    session: &SessionManager,
    context: &mut Context<'_>,
    response: &AuthResponse,
) -> Result<AuthResponse, FlowError> {
    let challenge =
        PasswordVerifierChallenge::from_challenge_parameters(&response.challenge_parameters)?;
    let srp = context
        .srp
        .take()
        .ok_or_else(|| unexpected("PASSWORD_VERIFIER without an SRP exchange"))?;
    let password = context
        .password
        .ok_or_else(|| unexpected("PASSWORD_VERIFIER after the password step"))?;
    let mut answer = srp.password_verifier_response(&challenge, password, &timestamp(session))?;
    answer.device_key = context
        .device
        .as_ref()
        .map(|device| device.device_key.clone());
    context.username = answer.username.clone();

    let answers = to_owned_keys(answer.challenge_responses());
    let reply = session
        .cognito()
        .respond_to_auth_challenge("PASSWORD_VERIFIER", response.session.as_deref(), answers)
        .await?;
    Ok(reply)
}

async fn answer_device_srp(
    session: &SessionManager,
    context: &mut Context<'_>,
    response: &AuthResponse,
) -> Result<AuthResponse, FlowError> {
    let cognito = session.cognito();
    let device = context
        .device
        .as_ref()
        .ok_or_else(|| unexpected("DEVICE_SRP_AUTH without a remembered device"))?;
    let mut client = DeviceSrpClient::new(&device.device_group_key, &device.device_key, None)?;
    if let Some(secret) = cognito.client_secret() {
        client = client.with_client_secret(cognito.client_id(), secret);
    }
    let mut answers = BTreeMap::from([
        ("USERNAME".to_owned(), context.username.clone()),
        ("DEVICE_KEY".to_owned(), device.device_key.clone()),
        ("SRP_A".to_owned(), client.srp_a_hex()),
    ]);
    if let Some(hash) = cognito.secret_hash(&context.username) {
        answers.insert("SECRET_HASH".to_owned(), hash);
    }
    context.device_srp = Some(client);
    let reply = cognito
        .respond_to_auth_challenge("DEVICE_SRP_AUTH", response.session.as_deref(), answers)
        .await?;
    Ok(reply)
}

async fn answer_device_password_verifier(
    session: &SessionManager,
    context: &mut Context<'_>,
    response: &AuthResponse,
) -> Result<AuthResponse, FlowError> {
    let challenge =
        DevicePasswordVerifierChallenge::from_challenge_parameters(&response.challenge_parameters)?;
    let client = context
        .device_srp
        .take()
        .ok_or_else(|| unexpected("DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH"))?;
    let device = context
        .device
        .as_ref()
        .ok_or_else(|| unexpected("DEVICE_PASSWORD_VERIFIER without a remembered device"))?;
    let answer = client.device_password_verifier_response(
        &challenge,
        &device.device_password,
        &timestamp(session),
    )?;
    let answers = to_owned_keys(answer.challenge_responses());
    let reply = session
        .cognito()
        .respond_to_auth_challenge(
            "DEVICE_PASSWORD_VERIFIER",
            response.session.as_deref(),
            answers,
        )
        .await?;
    Ok(reply)
}

fn to_owned_keys(map: BTreeMap<&'static str, String>) -> BTreeMap<String, String> {
    map.into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

/// Turns a challenge that needs the shopper into a step.
async fn wait_for_shopper(
    session: &SessionManager,
    context: &Context<'_>,
    name: String,
    response: AuthResponse,
) -> Result<Progress, FlowError> {
    let parameters = &response.challenge_parameters;
    let destination = || parameters.get("CODE_DELIVERY_DESTINATION").cloned();
    let mut challenge_session = response.session.clone();
    let step = match name.as_str() {
        "NEW_PASSWORD_REQUIRED" => SignInStep::NewPasswordRequired {
            required_attributes: json_string_list(parameters.get("requiredAttributes"))
                .into_iter()
                .map(|name| name.trim_start_matches("userAttributes.").to_owned())
                .collect(),
        },
        "SMS_MFA" => SignInStep::SmsMfaCode {
            destination: destination(),
        },
        "EMAIL_OTP" => SignInStep::EmailMfaCode {
            destination: destination(),
        },
        "SOFTWARE_TOKEN_MFA" => SignInStep::SoftwareTokenMfaCode,
        "SELECT_MFA_TYPE" => SignInStep::SelectMfaType {
            options: json_string_list(parameters.get("MFAS_CAN_CHOOSE")),
        },
        "MFA_SETUP" => {
            let can_setup = json_string_list(parameters.get("MFAS_CAN_SETUP"));
            if !can_setup.is_empty() && !can_setup.iter().any(|m| m == "SOFTWARE_TOKEN_MFA") {
                return Err(unexpected(
                    "MFA_SETUP offers no authenticator app enrolment",
                ));
            }
            let setup_session = challenge_session
                .as_deref()
                .ok_or_else(|| unexpected("MFA_SETUP without a session"))?;
            let associated = session
                .cognito()
                .associate_software_token(setup_session)
                .await?;
            challenge_session = associated.session.or(challenge_session);
            SignInStep::MfaSetup {
                secret_code: associated
                    .secret_code
                    .ok_or_else(|| unexpected("AssociateSoftwareToken returned no SecretCode"))?,
            }
        }
        other => {
            return Err(unexpected(&format!("unsupported challenge {other}")));
        }
    };
    let pending = PendingChallenge {
        identifier: context.identifier.clone(),
        username: context.username.clone(),
        challenge_name: name,
        session: challenge_session,
        device: context.device.clone(),
    };
    Ok(Progress::Waiting(pending, step))
}

/// Stores the tokens of a finished sign-in and registers a new device when asked to.
async fn finish(
    session: &SessionManager,
    context: &Context<'_>,
    result: &AuthenticationResult,
) -> Result<Progress, FlowError> {
    let new_device = result.new_device_metadata.as_ref();
    // Once Cognito tracks the device, every refresh must carry its key.
    let device_key = context
        .device
        .as_ref()
        .map(|device| device.device_key.clone())
        .or_else(|| new_device.map(|metadata| metadata.device_key.clone()));
    let tokens = SessionTokens::from_result(result, None, &context.username, device_key)
        .map_err(|reason| unexpected(&format!("unusable sign-in result: {reason}")))?;
    let user = tokens
        .current_user()
        .ok_or_else(|| unexpected("the IdToken has no sub"))?;
    let tokens = session.install(tokens);

    let options = session.options();
    if let (Some(metadata), true) = (new_device, options.remember_device) {
        let confirmed = device::confirm_new_device(
            session.cognito(),
            session.secrets().as_ref(),
            &tokens.access_token,
            &context.identifier,
            metadata,
            options.device_name.as_deref(),
        )
        .await;
        if let Err(error) = confirmed {
            tracing::warn!(error = %error, "cannot remember this device; signed in without it");
        }
    }
    session
        .observers()
        .notify(&super::events::SessionEvent::SignedIn {
            sub: user.sub.clone(),
        });
    Ok(Progress::SignedIn(user))
}
