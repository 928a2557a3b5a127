//! The shopper account commands: `sign-up`, `confirm`, `sign-in`, `sign-out` and `whoami`.
//!
//! Passwords come from a hidden prompt, or with `--password-stdin` from the first line of
//! standard input (without its line ending, nothing else trimmed), so scripts and tests can
//! pass them without putting them on the command line. Sign-in answers each challenge by
//! prompting for the code or new password on the terminal, or reading the next stdin line.
//! No password or code is ever printed.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::auth::{AuthOptions, PasswordAuthFlow, SignInResponse, SignInStep};
use walkout_core::config::Config;

use crate::args::{Args, SignInArgs};
use crate::failure::Failure;
use crate::secret_choice;

/// Most challenges a sign-in may pass through before the CLI gives up.
const MAX_STEPS: usize = 6;

fn open(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

/// Reads one secret: a hidden prompt on a terminal, else the next line of stdin.
fn read_secret(prompt: &str, from_stdin: bool) -> Result<String, Failure> {
    if !from_stdin && std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|error| Failure::runtime("input", format!("cannot read {prompt}: {error}")));
    }
    read_line(prompt)
}

/// Reads one visible answer: a prompt on a terminal, else the next line of stdin.
fn read_line(prompt: &str) -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| Failure::runtime("input", format!("cannot read stdin: {error}")))?;
    if read == 0 {
        return Err(Failure::config(format!(
            "standard input ended before {}",
            prompt.trim_end_matches([':', ' '])
        )));
    }
    let without_newline = line.strip_suffix('\n').unwrap_or(&line);
    Ok(without_newline
        .strip_suffix('\r')
        .unwrap_or(without_newline)
        .to_owned())
}

/// `walkout sign-up EMAIL`.
pub fn sign_up(
    args: &Args,
    config: Config,
    email: &str,
    password_stdin: bool,
) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    let password = read_secret("Password: ", password_stdin)?;
    let outcome = core.sign_up(email, &password)?;
    let destination = outcome
        .code_delivery
        .as_ref()
        .and_then(|delivery| delivery.destination.clone());
    let text = match (&outcome.user_confirmed, &destination) {
        (true, _) => "Account created and confirmed; sign in with `walkout sign-in`.\n".to_owned(),
        (false, Some(destination)) => format!(
            "Account created. A confirmation code was sent to {destination}; run `walkout confirm EMAIL CODE`.\n"
        ),
        (false, None) => {
            "Account created; confirm it with `walkout confirm EMAIL CODE`.\n".to_owned()
        }
    };
    let value = serde_json::to_value(&outcome)
        .map_err(|error| Failure::runtime("internal", error.to_string()))?;
    Ok((value, text))
}

/// `walkout confirm EMAIL CODE`.
pub fn confirm(
    args: &Args,
    config: Config,
    email: &str,
    code: &str,
) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    core.confirm_sign_up(email, code)?;
    Ok((
        json!({"confirmed": true}),
        "Account confirmed; sign in with `walkout sign-in`.\n".to_owned(),
    ))
}

/// `walkout sign-in EMAIL`: starts sign-in and responds to each step from the terminal or stdin.
pub fn sign_in(
    args: &Args,
    config: Config,
    sign_in: &SignInArgs,
) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    if sign_in.user_password_auth {
        core.set_auth_options(AuthOptions {
            password_flow: PasswordAuthFlow::UserPassword,
            ..core.auth_options()
        });
    }
    let password = read_secret("Password: ", sign_in.password_stdin)?;
    let mut step = core.sign_in_start(&sign_in.email, &password)?;
    for _ in 0..MAX_STEPS {
        let response = match &step {
            SignInStep::SignedIn { user } => {
                let value = json!({"signed_in": true, "user": user});
                let text = format!(
                    "Signed in as {} (sub {}).\n",
                    user.email.as_deref().unwrap_or(&user.username),
                    user.sub
                );
                return Ok((value, text));
            }
            other => answer(other, sign_in.password_stdin)?,
        };
        step = core.sign_in_respond(response)?;
    }
    Err(Failure::runtime(
        "sign-in",
        "sign-in asked for more steps than the CLI answers; try again",
    ))
}

fn answer(step: &SignInStep, from_stdin: bool) -> Result<SignInResponse, Failure> {
    Ok(match step {
        SignInStep::NewPasswordRequired {
            required_attributes,
        } => {
            let password = read_secret("New password: ", from_stdin)?;
            let mut attributes = std::collections::BTreeMap::new();
            for name in required_attributes {
                attributes.insert(name.clone(), read_line(&format!("{name}: "))?);
            }
            SignInResponse::NewPassword {
                password,
                attributes,
            }
        }
        SignInStep::SmsMfaCode { destination } | SignInStep::EmailMfaCode { destination } => {
            if let Some(destination) = destination {
                eprintln!("A code was sent to {destination}.");
            }
            SignInResponse::MfaCode {
                code: read_line("Code: ")?,
            }
        }
        SignInStep::SoftwareTokenMfaCode => SignInResponse::MfaCode {
            code: read_line("Authenticator code: ")?,
        },
        SignInStep::SelectMfaType { options } => {
            eprintln!("Second factors offered: {}", options.join(", "));
            SignInResponse::MfaType {
                mfa_type: read_line("Second factor: ")?,
            }
        }
        SignInStep::MfaSetup { secret_code } => {
            eprintln!("Add this key to an authenticator app: {secret_code}");
            SignInResponse::MfaSetupCode {
                code: read_line("Authenticator code: ")?,
                friendly_device_name: None,
            }
        }
        SignInStep::SignedIn { .. } => {
            return Err(Failure::runtime("internal", "nothing to answer"));
        }
    })
}

/// `walkout sign-out`.
pub fn sign_out(args: &Args, config: Config) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    let outcome = core.sign_out()?;
    let text = if outcome.revocations_pending > 0 {
        "Signed out. The session will be revoked at Cognito once it can be reached.\n"
    } else {
        "Signed out.\n"
    };
    let value = serde_json::to_value(&outcome)
        .map_err(|error| Failure::runtime("internal", error.to_string()))?;
    Ok((value, text.to_owned()))
}

/// `walkout whoami`: the signed-in shopper from the stored ID token; no network call.
pub fn whoami(args: &Args, config: Config) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    match core.current_user()? {
        Some(user) => {
            let text = format!(
                "sub:       {}\nusername:  {}\nemail:     {}\n",
                user.sub,
                user.username,
                user.email.as_deref().unwrap_or("-")
            );
            Ok((json!({"signed_in": true, "user": user}), text))
        }
        None => Ok((json!({"signed_in": false}), "Not signed in.\n".to_owned())),
    }
}
