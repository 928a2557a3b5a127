//! `walkout profile`, `walkout devices` and `walkout account delete`: the shopper's profile,
//! registered devices and push tokens, and account deletion, over the core's account methods.
//!
//! A push token given on the command line is sent to the backend only; it is never printed.

use clap::Subcommand;
use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::account::{Device, FieldUpdate, Profile, ProfileUpdate};
use walkout_core::config::Config;

use crate::args::Args;
use crate::failure::Failure;
use crate::secret_choice;

/// The profile commands.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Show the profile stored by the backend.
    Show,
    /// Change profile fields; fields not given are kept.
    Set {
        /// Display name, 1 to 80 characters.
        #[arg(long, conflicts_with = "clear_display_name")]
        display_name: Option<String>,
        #[arg(long)]
        clear_display_name: bool,
        /// E-mail address for receipts and messages.
        #[arg(long, conflicts_with = "clear_email")]
        email: Option<String>,
        #[arg(long)]
        clear_email: bool,
        /// BCP 47 language tag, such as en-GB.
        #[arg(long, conflicts_with = "clear_locale")]
        locale: Option<String>,
        #[arg(long)]
        clear_locale: bool,
        /// Accept marketing e-mail: true or false.
        #[arg(long)]
        marketing_email: Option<bool>,
        /// Accept marketing push messages: true or false.
        #[arg(long)]
        marketing_push: Option<bool>,
    },
}

/// The device commands.
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List the devices registered for this shopper.
    List,
    /// Register a device (or update one with the same id).
    Register {
        /// Device id chosen by the app: 1 to 128 of A-Z, a-z, 0-9, '.', '_', ':' and '-'.
        device_id: String,
        /// ios, android or other.
        #[arg(long, default_value = "other")]
        platform: String,
        /// The app version reported to the backend [default: this CLI's version].
        #[arg(long)]
        app_version: Option<String>,
        /// APNs or FCM push token.
        #[arg(long)]
        push_token: Option<String>,
    },
    /// Remove a device and its push token.
    Remove { device_id: String },
    /// Set the push token of a device.
    SetPushToken {
        device_id: String,
        push_token: String,
    },
    /// Clear the push token of a device.
    ClearPushToken { device_id: String },
}

/// The account data commands.
#[derive(Debug, Subcommand)]
pub enum AccountDataCommand {
    /// Delete the account: personal data is erased on the backend, the user pool account is
    /// deleted, and this device's session and local data are wiped.
    Delete {
        /// Confirm the deletion; it cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

fn open(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|error| Failure::runtime("internal", error.to_string()))
}

fn field(value: &Option<String>, clear: bool) -> FieldUpdate {
    match (value, clear) {
        (Some(value), _) => FieldUpdate::Set {
            value: value.clone(),
        },
        (None, true) => FieldUpdate::Clear,
        (None, false) => FieldUpdate::Keep,
    }
}

fn profile_text(profile: &Profile) -> String {
    let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    format!(
        "display name:     {}\nemail:            {}\nlocale:           {}\nmarketing email:  {}\nmarketing push:   {}\n",
        or_dash(&profile.display_name),
        or_dash(&profile.email),
        or_dash(&profile.locale),
        if profile.marketing.email { "yes" } else { "no" },
        if profile.marketing.push { "yes" } else { "no" },
    )
}

fn device_line(device: &Device) -> String {
    format!(
        "{}  {}  {}  push token: {}\n",
        device.device_id,
        device.platform,
        device.app_version,
        if device.push_token_set { "set" } else { "none" }
    )
}

/// `walkout profile show|set`.
pub fn profile(
    args: &Args,
    config: Config,
    command: &ProfileCommand,
) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    let profile = match command {
        ProfileCommand::Show => core.profile()?,
        ProfileCommand::Set {
            display_name,
            clear_display_name,
            email,
            clear_email,
            locale,
            clear_locale,
            marketing_email,
            marketing_push,
        } => {
            let update = ProfileUpdate {
                display_name: field(display_name, *clear_display_name),
                email: field(email, *clear_email),
                locale: field(locale, *clear_locale),
                marketing_email: *marketing_email,
                marketing_push: *marketing_push,
            };
            core.update_profile(&update)?
        }
    };
    Ok((to_json(&profile)?, profile_text(&profile)))
}

/// `walkout devices …`.
pub fn devices(
    args: &Args,
    config: Config,
    command: &DevicesCommand,
) -> Result<(Value, String), Failure> {
    let core = open(args, config)?;
    match command {
        DevicesCommand::List => {
            let devices = core.devices()?;
            let text: String = if devices.is_empty() {
                "No devices registered.\n".to_owned()
            } else {
                devices.iter().map(device_line).collect()
            };
            Ok((json!({ "devices": to_json(&devices)? }), text))
        }
        DevicesCommand::Register {
            device_id,
            platform,
            app_version,
            push_token,
        } => {
            let version = app_version
                .clone()
                .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());
            let device = core.register_device(device_id, platform, &version, push_token.clone())?;
            Ok((to_json(&device)?, device_line(&device)))
        }
        DevicesCommand::Remove { device_id } => {
            core.remove_device(device_id)?;
            Ok((
                json!({ "removed": device_id }),
                format!("Device {device_id} removed.\n"),
            ))
        }
        DevicesCommand::SetPushToken {
            device_id,
            push_token,
        } => {
            let device = core.set_push_token(device_id, push_token)?;
            Ok((to_json(&device)?, device_line(&device)))
        }
        DevicesCommand::ClearPushToken { device_id } => {
            core.clear_push_token(device_id)?;
            Ok((
                json!({ "cleared": device_id }),
                format!("Push token of {device_id} cleared.\n"),
            ))
        }
    }
}

/// `walkout account delete --yes`.
pub fn account_data(
    args: &Args,
    config: Config,
    command: &AccountDataCommand,
) -> Result<(Value, String), Failure> {
    let AccountDataCommand::Delete { yes } = command;
    if !yes {
        return Err(Failure {
            kind: "usage",
            exit_code: crate::failure::EXIT_USAGE,
            message: "account deletion erases the profile, devices, cards and entry credentials and cannot be undone; run again with --yes to confirm"
                .to_owned(),
        });
    }
    let core = open(args, config)?;
    let deletion = core.close_account()?;
    let text = format!(
        "Account deleted at {}. Personal data was erased; receipts stay with the retailer under a pseudonym.\n",
        deletion.deleted_at
    );
    Ok((
        json!({ "deleted": true, "deleted_at": deletion.deleted_at }),
        text,
    ))
}
