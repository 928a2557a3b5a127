//! `walkout receipts sync | list | show ID` and `walkout trip`.
//!
//! `sync` and `trip` call the backend with the signed-in shopper's session; `list` and `show`
//! read only the local store, so they work offline. Each command returns one JSON value and
//! its text form.

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::config::Config;
use walkout_core::receipts::{ReceiptSummary, Trip, format_money};

use crate::args::{Args, ReceiptsCommand};
use crate::failure::Failure;
use crate::secret_choice;

fn open_core(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::runtime("internal", e.to_string()))
}

/// Runs one `walkout receipts` subcommand.
pub fn receipts(
    args: &Args,
    config: Config,
    command: &ReceiptsCommand,
) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    match command {
        ReceiptsCommand::Sync => {
            let report = core.sync_receipts()?;
            let text = format!(
                "synced {} page(s): {} receipt version(s) stored, {} deleted, {} skipped\n",
                report.pages, report.applied, report.deleted, report.skipped
            );
            Ok((to_json(&report)?, text))
        }
        ReceiptsCommand::List { limit, before } => {
            let list = core.receipts(*limit, before.as_deref())?;
            let text = list_text(&list);
            Ok((json!({ "receipts": to_json(&list)? }), text))
        }
        ReceiptsCommand::Show { id } => {
            let Some(detail) = core.receipt(id)? else {
                return Err(Failure::runtime(
                    "not-found",
                    format!("no stored receipt {id}; run `walkout receipts sync` first"),
                ));
            };
            let text = walkout_core::receipts::render_text(&detail);
            Ok((to_json(&detail)?, text))
        }
    }
}

fn list_text(list: &[ReceiptSummary]) -> String {
    if list.is_empty() {
        return "no receipts stored; run `walkout receipts sync`\n".to_owned();
    }
    let mut text = String::new();
    for receipt in list {
        let version = if receipt.version > 1 {
            format!(" (v{})", receipt.version)
        } else {
            String::new()
        };
        let test = if receipt.is_test { " TEST" } else { "" };
        text.push_str(&format!(
            "{}  {}  {:<24} {:>3} item(s) {:>10} {}{version}{test}  {}\n",
            receipt.date_time,
            receipt.store_id,
            receipt.store_name,
            receipt.item_count,
            format_money(&receipt.total),
            receipt.total.currency,
            receipt.receipt_id,
        ));
    }
    text
}

/// `walkout trip`: the current trip from the backend.
pub fn trip(args: &Args, config: Config) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    let trip = core.current_trip()?;
    let text = match &trip {
        None => "no trip yet\n".to_owned(),
        Some(trip) => trip_text(trip),
    };
    Ok((json!({ "trip": to_json(&trip)? }), text))
}

fn trip_text(trip: &Trip) -> String {
    let state = serde_json::to_value(trip.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut text = format!(
        "trip:      {}\nstore:     {}\nstate:     {state}\nentered:   {}\nupdated:   {}\n",
        trip.trip_id, trip.store_id, trip.entered_at, trip.updated_at
    );
    if let Some(outstanding) = &trip.outstanding {
        text.push_str(&format!(
            "owed:      {} {}\n",
            format_money(outstanding),
            outstanding.currency
        ));
    }
    if let Some(receipt_id) = &trip.receipt_id {
        text.push_str(&format!("receipt:   {receipt_id}\n"));
    }
    text
}
