//! The commands: each returns one JSON value, and the text form is derived from it.

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::config::Config;
use walkout_core::store::Store;

use crate::account;
use crate::args::{AccountCommand, Args};
use crate::failure::Failure;
use crate::secret_choice;

/// `walkout status`: backend health, clock offset, brand and storage path.
pub fn status(args: &Args, config: Config) -> Result<(Value, String), Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    let database = Store::path_for(&config.storage_dir, &config.brand);
    let core = Walkout::new(config, chosen.store)?;
    let report = core.backend_health()?;

    let value = json!({
        "brand": core.brand_id(),
        "backend_url": report.backend_url,
        "live": report.live,
        "ready": report.ready,
        "schema_version": report.schema_version,
        "not_ready_slug": report.not_ready_slug,
        "not_ready_detail": report.not_ready_detail,
        "clock_offset_millis": report.clock_offset_millis,
        "elapsed_millis": report.elapsed_millis,
        "database": database.display().to_string(),
        "secret_store": {"kind": chosen.kind, "location": chosen.location},
    });

    let readiness = match (report.ready, report.schema_version, &report.not_ready_slug) {
        (true, Some(version), _) => format!("yes (schema version {version})"),
        (true, None, _) => "yes".to_owned(),
        (false, _, Some(slug)) => match &report.not_ready_detail {
            Some(detail) => format!("no ({slug}: {detail})"),
            None => format!("no ({slug})"),
        },
        (false, _, None) => "no".to_owned(),
    };
    let text = format!(
        "brand:         {}\nbackend:       {}\nlive:          {}\nready:         {readiness}\n\
         clock offset:  {}\ndatabase:      {}\nsecret store:  {} ({})\n",
        core.brand_id(),
        report.backend_url,
        if report.live { "yes" } else { "no" },
        describe_offset(report.clock_offset_millis),
        database.display(),
        chosen.kind,
        chosen.location,
    );
    Ok((value, text))
}

fn describe_offset(offset_millis: Option<i64>) -> String {
    match offset_millis {
        None => "not measured (the backend sent no Date header)".to_owned(),
        Some(millis) => {
            let direction = if millis >= 0 { "ahead of" } else { "behind" };
            let seconds = millis.unsigned_abs() as f64 / 1000.0;
            format!("server is {seconds:.1} s {direction} this device")
        }
    }
}

/// `walkout config show`: the effective configuration, with the client secret left out.
pub fn config_show(config: &Config) -> Result<(Value, String), Failure> {
    let internal = |error: String| Failure::runtime("internal", error);
    let mut value = serde_json::to_value(config).map_err(|e| internal(e.to_string()))?;
    if let Some(cognito) = value.get_mut("cognito").and_then(Value::as_object_mut) {
        cognito.insert(
            "client_secret_set".to_owned(),
            Value::Bool(config.cognito.client_secret.is_some()),
        );
    }
    let mut text = toml::to_string(config).map_err(|e| internal(e.to_string()))?;
    if config.cognito.client_secret.is_some() {
        text.push_str("# cognito.client_secret is set and not shown\n");
    }
    Ok((value, text))
}

/// The shopper account commands: `sign-up`, `confirm`, `sign-in`, `sign-out`, `whoami`.
pub fn account(
    args: &Args,
    config: Config,
    command: &AccountCommand,
) -> Result<(Value, String), Failure> {
    match command {
        AccountCommand::SignUp {
            email,
            password_stdin,
        } => account::sign_up(args, config, email, *password_stdin),
        AccountCommand::Confirm { email, code } => account::confirm(args, config, email, code),
        AccountCommand::SignIn(sign_in) if sign_in.federated => {
            crate::federated::sign_in(args, config, sign_in)
        }
        AccountCommand::SignIn(sign_in) => account::sign_in(args, config, sign_in),
        AccountCommand::SignOut => account::sign_out(args, config),
        AccountCommand::Whoami => account::whoami(args, config),
    }
}
