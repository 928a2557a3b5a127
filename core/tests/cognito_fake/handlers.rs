//! The operations of the fake pool.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use num_bigint::{BigInt, BigUint};
use rand::RngCore as _;
use serde_json::{Value, json};
use walkout_core::auth::srp::server::{ServerSession, VerifierRecord};
use walkout_core::auth::srp::{DeviceSecretVerifierConfig, SrpIdentity};

use super::tokens::{issue, jti_of, now_seconds};
use super::{
    CONFIRMATION_CODE, Device, FakeState, POOL_NAME, PendingDeviceSrp, PendingSrp, RefreshRecord,
    TOTP_CODE, User,
};

type Outcome = Result<Value, (&'static str, &'static str)>;

const NOT_AUTHORIZED: (&str, &str) = ("NotAuthorizedException", "Incorrect username or password.");

fn text<'a>(request: &'a Value, name: &str) -> &'a str {
    request[name].as_str().unwrap_or_default()
}

fn random_token() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    STANDARD.encode(bytes)
}

fn identity(sub: &str) -> SrpIdentity<'_> {
    SrpIdentity::User {
        pool_name: POOL_NAME,
        user_id_for_srp: sub,
    }
}

pub fn create_user(state: &mut FakeState, email: &str, password: &str) -> String {
    let sub = uuid::Uuid::new_v4().to_string();
    let salt = state.next_salt.take().unwrap_or_else(|| {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        BigInt::from(BigUint::from_bytes_be(&bytes))
    });
    let record = VerifierRecord::new(identity(&sub), password, salt);
    state.users.insert(
        email.to_owned(),
        User {
            sub: sub.clone(),
            email: email.to_owned(),
            record,
            confirmed: false,
            force_new_password: false,
            mfa: false,
            signed_out_at: None,
        },
    );
    sub
}

pub fn handle(state: &mut FakeState, operation: &str, request: &Value) -> Outcome {
    match operation {
        "SignUp" => sign_up(state, request),
        "ConfirmSignUp" => confirm_sign_up(state, request),
        "InitiateAuth" => initiate_auth(state, request),
        "RespondToAuthChallenge" => respond(state, request),
        "GetTokensFromRefreshToken" => refresh(state, text(request, "RefreshToken"), request),
        "RevokeToken" => revoke(state, request),
        "GlobalSignOut" => global_sign_out(state, request),
        "GetUser" => get_user(state, request),
        "ConfirmDevice" => confirm_device(state, request),
        "ChangePassword" => change_password(state, request),
        _ => Err((
            "UnsupportedOperationException",
            "not implemented by the fake",
        )),
    }
}

fn sign_up(state: &mut FakeState, request: &Value) -> Outcome {
    let email = text(request, "Username");
    if state.users.contains_key(email) {
        return Err((
            "UsernameExistsException",
            "An account with the given email already exists.",
        ));
    }
    let sub = create_user(state, email, text(request, "Password"));
    Ok(json!({"UserConfirmed": false, "UserSub": sub,
        "CodeDeliveryDetails": {"Destination": "j***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}))
}

fn confirm_sign_up(state: &mut FakeState, request: &Value) -> Outcome {
    if text(request, "ConfirmationCode") != CONFIRMATION_CODE {
        return Err((
            "CodeMismatchException",
            "Invalid verification code provided.",
        ));
    }
    let user = state
        .users
        .get_mut(text(request, "Username"))
        .ok_or(("UserNotFoundException", "User does not exist."))?;
    user.confirmed = true;
    Ok(json!({}))
}

fn new_server_session(state: &FakeState, record: VerifierRecord) -> ServerSession {
    loop {
        let session = ServerSession::new(record.clone(), None).expect("server session");
        let hex = session.srp_b_hex();
        let high_bit = hex.len().is_multiple_of(2) && hex.as_bytes()[0] >= b'8';
        if !state.options.srp_b_high_bit || high_bit {
            return session;
        }
    }
}

fn initiate_auth(state: &mut FakeState, request: &Value) -> Outcome {
    let parameters = &request["AuthParameters"];
    match text(request, "AuthFlow") {
        "USER_SRP_AUTH" => {
            let user = state
                .user_by_name(text(parameters, "USERNAME"))
                .ok_or(NOT_AUTHORIZED)?;
            let (sub, record) = (user.sub.clone(), user.record.clone());
            let server = new_server_session(state, record);
            let secret_block = random_token();
            let challenge = json!({
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeParameters": {
                    "SALT": server.salt_hex(), "SRP_B": server.srp_b_hex(),
                    "SECRET_BLOCK": secret_block, "USER_ID_FOR_SRP": sub, "USERNAME": sub,
                },
            });
            let device_key = parameters["DEVICE_KEY"].as_str().map(str::to_owned);
            let srp_a = text(parameters, "SRP_A").to_owned();
            state.srp.insert(
                secret_block,
                PendingSrp {
                    sub,
                    server,
                    srp_a,
                    device_key,
                },
            );
            Ok(challenge)
        }
        "USER_PASSWORD_AUTH" => {
            let user = state
                .user_by_name(text(parameters, "USERNAME"))
                .ok_or(NOT_AUTHORIZED)?;
            let salt = walkout_core::auth::srp::parse_server_hex("SALT", &user.record.salt_hex())
                .expect("salt");
            let typed =
                VerifierRecord::new(identity(&user.sub), text(parameters, "PASSWORD"), salt);
            if typed.verifier() != user.record.verifier() {
                return Err(NOT_AUTHORIZED);
            }
            let sub = user.sub.clone();
            after_password(state, &sub, None)
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let token = text(parameters, "REFRESH_TOKEN").to_owned();
            let rotate = state.options.rotate_refresh_tokens;
            state.options.rotate_refresh_tokens = false;
            let result = refresh(
                state,
                &token,
                &json!({"DeviceKey": parameters["DEVICE_KEY"]}),
            );
            state.options.rotate_refresh_tokens = rotate;
            result
        }
        _ => Err(("InvalidParameterException", "unsupported AuthFlow")),
    }
}

fn respond(state: &mut FakeState, request: &Value) -> Outcome {
    let answers = &request["ChallengeResponses"];
    match text(request, "ChallengeName") {
        "PASSWORD_VERIFIER" => {
            let block = text(answers, "PASSWORD_CLAIM_SECRET_BLOCK");
            let pending = state.srp.remove(block).ok_or(NOT_AUTHORIZED)?;
            if text(answers, "USERNAME") != pending.sub {
                return Err(NOT_AUTHORIZED);
            }
            pending
                .server
                .verify_password_claim(
                    identity(&pending.sub),
                    &pending.srp_a,
                    block,
                    text(answers, "TIMESTAMP"),
                    text(answers, "PASSWORD_CLAIM_SIGNATURE"),
                )
                .map_err(|_| NOT_AUTHORIZED)?;
            let device_key = answers["DEVICE_KEY"].as_str().map(str::to_owned);
            after_password(state, &pending.sub, device_key.or(pending.device_key))
        }
        "DEVICE_SRP_AUTH" => device_srp(state, answers),
        "DEVICE_PASSWORD_VERIFIER" => device_password_verifier(state, answers),
        "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA" => answer_challenge(state, request),
        _ => Err(("InvalidParameterException", "unsupported challenge")),
    }
}

fn after_password(state: &mut FakeState, sub: &str, device_key: Option<String>) -> Outcome {
    let user = state.user_by_name(sub).ok_or(NOT_AUTHORIZED)?;
    if !user.confirmed {
        return Err(("UserNotConfirmedException", "User is not confirmed."));
    }
    if let Some(device_key) = device_key {
        let known = state
            .devices
            .get(&device_key)
            .is_some_and(|device| device.sub == sub && device.record.is_some());
        if known {
            let session = random_token();
            state
                .challenges
                .insert(session.clone(), (sub.to_owned(), device_key));
            return Ok(
                json!({"ChallengeName": "DEVICE_SRP_AUTH", "Session": session,
                "ChallengeParameters": {"USERNAME": sub}}),
            );
        }
    }
    let challenge = if user.force_new_password {
        Some("NEW_PASSWORD_REQUIRED")
    } else if user.mfa {
        Some("SOFTWARE_TOKEN_MFA")
    } else {
        None
    };
    if let Some(challenge) = challenge {
        let session = random_token();
        state
            .challenges
            .insert(session.clone(), (sub.to_owned(), challenge.to_owned()));
        return Ok(json!({"ChallengeName": challenge, "Session": session,
            "ChallengeParameters": {"USERNAME": sub, "requiredAttributes": "[]"}}));
    }
    Ok(tokens_for(state, sub, None, true))
}

fn answer_challenge(state: &mut FakeState, request: &Value) -> Outcome {
    let (sub, challenge) = state
        .challenges
        .remove(text(request, "Session"))
        .ok_or(("NotAuthorizedException", "Invalid session for the user."))?;
    let answers = &request["ChallengeResponses"];
    if challenge == "SOFTWARE_TOKEN_MFA" {
        if text(answers, "SOFTWARE_TOKEN_MFA_CODE") != TOTP_CODE {
            state
                .challenges
                .insert(text(request, "Session").to_owned(), (sub, challenge));
            return Err(("CodeMismatchException", "Invalid code received for user"));
        }
    } else if text(answers, "NEW_PASSWORD").is_empty() {
        return Err((
            "InvalidPasswordException",
            "Password does not conform to policy",
        ));
    }
    Ok(tokens_for(state, &sub, None, true))
}

fn device_srp(state: &mut FakeState, answers: &Value) -> Outcome {
    let device_key = text(answers, "DEVICE_KEY").to_owned();
    let device = state.devices.get(&device_key).ok_or(NOT_AUTHORIZED)?;
    let record = device.record.clone().ok_or(NOT_AUTHORIZED)?;
    let sub = device.sub.clone();
    let server = new_server_session(state, record);
    let secret_block = random_token();
    let challenge = json!({
        "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
        "Session": random_token(),
        "ChallengeParameters": {
            "SALT": server.salt_hex(), "SRP_B": server.srp_b_hex(),
            "SECRET_BLOCK": secret_block, "DEVICE_KEY": device_key, "USERNAME": sub,
        },
    });
    let srp_a = text(answers, "SRP_A").to_owned();
    state.device_srp.insert(
        secret_block.clone(),
        PendingDeviceSrp {
            sub,
            device_key,
            server,
            srp_a,
            secret_block,
        },
    );
    Ok(challenge)
}

fn device_password_verifier(state: &mut FakeState, answers: &Value) -> Outcome {
    let block = text(answers, "PASSWORD_CLAIM_SECRET_BLOCK");
    let pending = state.device_srp.remove(block).ok_or(NOT_AUTHORIZED)?;
    let group_key = state.devices[&pending.device_key].group_key.clone();
    pending
        .server
        .verify_password_claim(
            SrpIdentity::Device {
                device_group_key: &group_key,
                device_key: &pending.device_key,
            },
            &pending.srp_a,
            &pending.secret_block,
            text(answers, "TIMESTAMP"),
            text(answers, "PASSWORD_CLAIM_SIGNATURE"),
        )
        .map_err(|_| NOT_AUTHORIZED)?;
    Ok(tokens_for(
        state,
        &pending.sub,
        Some(pending.device_key),
        false,
    ))
}

/// Issues tokens; a new device gets `NewDeviceMetadata` when device tracking is on.
fn tokens_for(
    state: &mut FakeState,
    sub: &str,
    device_key: Option<String>,
    sign_in: bool,
) -> Value {
    let user = state.user_by_name(sub).expect("user");
    let email = user.email.clone();
    let mut new_device = None;
    let device_key = device_key.or_else(|| {
        if !(sign_in && state.options.track_devices) {
            return None;
        }
        let key = format!("eu-west-2_{}", uuid::Uuid::new_v4());
        let group = format!("-{}", uuid::Uuid::new_v4().simple());
        state.devices.insert(
            key.clone(),
            Device {
                sub: sub.to_owned(),
                group_key: group.clone(),
                record: None,
            },
        );
        new_device = Some(json!({"DeviceKey": key, "DeviceGroupKey": group}));
        Some(key)
    });
    let lifetime = state.options.token_lifetime_seconds;
    let (access, id, jti) = issue(sub, &email, lifetime, device_key.as_deref());
    state
        .access_tokens
        .insert(jti, (sub.to_owned(), now_seconds()));
    let refresh = random_token();
    state.refresh_tokens.insert(
        refresh.clone(),
        RefreshRecord {
            sub: sub.to_owned(),
            revoked: false,
            rotated: false,
            device_key,
        },
    );
    let mut result = json!({"AccessToken": access, "IdToken": id, "RefreshToken": refresh,
        "ExpiresIn": lifetime, "TokenType": "Bearer"});
    if let Some(metadata) = new_device {
        result["NewDeviceMetadata"] = metadata;
    }
    json!({"AuthenticationResult": result, "ChallengeParameters": {}})
}

fn refresh(state: &mut FakeState, token: &str, request: &Value) -> Outcome {
    let record = state
        .refresh_tokens
        .get(token)
        .ok_or(("NotAuthorizedException", "Invalid Refresh Token"))?;
    if record.revoked {
        return Err(("NotAuthorizedException", "Refresh Token has been revoked"));
    }
    if record.rotated {
        return Err((
            "RefreshTokenReuseException",
            "Refresh token has already been used",
        ));
    }
    if record.device_key.is_some() && request["DeviceKey"].as_str() != record.device_key.as_deref()
    {
        return Err(("NotAuthorizedException", "Invalid Refresh Token"));
    }
    let (sub, device_key) = (record.sub.clone(), record.device_key.clone());
    let rotate = state.options.rotate_refresh_tokens;
    let mut response = tokens_for(state, &sub, device_key, false);
    let result = &mut response["AuthenticationResult"];
    if rotate {
        if let Some(record) = state.refresh_tokens.get_mut(token) {
            record.rotated = true;
        }
    } else {
        if let Some(new_token) = result["RefreshToken"].as_str() {
            state.refresh_tokens.remove(new_token);
        }
        result
            .as_object_mut()
            .expect("object")
            .remove("RefreshToken");
    }
    Ok(json!({"AuthenticationResult": result.clone()}))
}

fn revoke(state: &mut FakeState, request: &Value) -> Outcome {
    if let Some(record) = state.refresh_tokens.get_mut(text(request, "Token")) {
        record.revoked = true;
    }
    Ok(json!({}))
}

/// Checks an access token the fake issued; returns the user's sub.
fn authorize(state: &FakeState, request: &Value) -> Result<String, (&'static str, &'static str)> {
    let revoked = ("NotAuthorizedException", "Access Token has been revoked");
    let jti = jti_of(text(request, "AccessToken"))
        .ok_or(("NotAuthorizedException", "Invalid Access Token"))?;
    if state.revoked_access.contains(&jti) {
        return Err(revoked);
    }
    let (sub, issued_at) = state
        .access_tokens
        .get(&jti)
        .ok_or(("NotAuthorizedException", "Invalid Access Token"))?;
    let user = state
        .user_by_name(sub)
        .ok_or(("UserNotFoundException", "User does not exist."))?;
    if user.signed_out_at.is_some_and(|at| *issued_at <= at) {
        return Err(revoked);
    }
    Ok(sub.clone())
}

fn global_sign_out(state: &mut FakeState, request: &Value) -> Outcome {
    let sub = authorize(state, request)?;
    let now = now_seconds();
    for user in state.users.values_mut().filter(|user| user.sub == sub) {
        user.signed_out_at = Some(now);
    }
    for record in state
        .refresh_tokens
        .values_mut()
        .filter(|record| record.sub == sub)
    {
        record.revoked = true;
    }
    Ok(json!({}))
}

fn get_user(state: &mut FakeState, request: &Value) -> Outcome {
    let sub = authorize(state, request)?;
    let user = state.user_by_name(&sub).ok_or(NOT_AUTHORIZED)?;
    Ok(json!({"Username": sub, "UserAttributes": [
        {"Name": "sub", "Value": sub}, {"Name": "email", "Value": user.email}]}))
}

fn confirm_device(state: &mut FakeState, request: &Value) -> Outcome {
    let sub = authorize(state, request)?;
    let config = &request["DeviceSecretVerifierConfig"];
    let config = DeviceSecretVerifierConfig {
        password_verifier: text(config, "PasswordVerifier").to_owned(),
        salt: text(config, "Salt").to_owned(),
    };
    let record = VerifierRecord::from_device_config(&config)
        .map_err(|_| ("InvalidParameterException", "bad verifier"))?;
    let device = state
        .devices
        .get_mut(text(request, "DeviceKey"))
        .filter(|device| device.sub == sub)
        .ok_or(("ResourceNotFoundException", "Device does not exist."))?;
    device.record = Some(record);
    Ok(json!({"UserConfirmationNecessary": false}))
}

fn change_password(state: &mut FakeState, request: &Value) -> Outcome {
    let sub = authorize(state, request)?;
    let user = state.user_by_name(&sub).ok_or(NOT_AUTHORIZED)?;
    let salt =
        walkout_core::auth::srp::parse_server_hex("SALT", &user.record.salt_hex()).expect("salt");
    let previous = VerifierRecord::new(
        identity(&sub),
        text(request, "PreviousPassword"),
        salt.clone(),
    );
    if previous.verifier() != user.record.verifier() {
        return Err(NOT_AUTHORIZED);
    }
    let record = VerifierRecord::new(identity(&sub), text(request, "ProposedPassword"), salt);
    let email = user.email.clone();
    if let Some(user) = state.users.get_mut(&email) {
        user.record = record;
    }
    Ok(json!({}))
}
