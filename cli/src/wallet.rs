//! The wallet commands: `cards add | list | default | remove`, `balance` and `balance pay`.
//!
//! `cards add` reads the card number and the CVC from a hidden prompt, or with `--stdin` from
//! standard input (three lines: number, expiry as MM/YY, CVC). They are never read from the
//! command line, because other users could read them in the process list and shell history. The CLI prints
//! only what the core returns: brand, last four digits and expiry.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::config::Config;
use walkout_core::wallet::{Balance, Card, Money};

use crate::args::{Args, BalanceCommand, CardsCommand};
use crate::failure::Failure;
use crate::secret_choice;

fn open_core(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|error| Failure::runtime("internal", error.to_string()))
}

/// A line of typed input that is overwritten with zeros when dropped.
struct WipedLine(String);

impl Drop for WipedLine {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
        std::hint::black_box(&bytes);
    }
}

/// Reads one line: a hidden prompt on a terminal (when `hidden`), a visible prompt otherwise,
/// or the next stdin line without a prompt when `from_stdin`.
fn read_input(prompt: &str, hidden: bool, from_stdin: bool) -> Result<WipedLine, Failure> {
    let terminal = std::io::stdin().is_terminal();
    if !from_stdin && !terminal {
        return Err(Failure::config(
            "standard input is not a terminal: pass --stdin to read the card from it",
        ));
    }
    if !from_stdin && hidden {
        return rpassword::prompt_password(prompt)
            .map(WipedLine)
            .map_err(|error| Failure::runtime("input", format!("cannot read {prompt}{error}")));
    }
    if !from_stdin {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = WipedLine(String::new());
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line.0)
        .map_err(|error| Failure::runtime("input", format!("cannot read stdin: {error}")))?;
    if read == 0 {
        let field = prompt.trim_end_matches([':', ' ']);
        return Err(Failure::config(format!(
            "standard input ended before the {field}"
        )));
    }
    let content_len = line.0.trim_end_matches(['\r', '\n']).len();
    line.0.truncate(content_len);
    Ok(line)
}

/// Parses an expiry typed as `MM/YY` or `MM/YYYY` (also with '-' or a space).
fn parse_expiry(text: &str) -> Result<(u32, u32), Failure> {
    let invalid = || Failure::config("invalid expiry: expected MM/YY or MM/YYYY, such as 08/29");
    let (month, year) = text
        .trim()
        .split_once(['/', '-', ' '])
        .ok_or_else(invalid)?;
    let month = month.trim().parse::<u32>().map_err(|_| invalid())?;
    let year = year.trim().parse::<u32>().map_err(|_| invalid())?;
    Ok((month, year))
}

pub fn cards(
    args: &Args,
    config: Config,
    command: &CardsCommand,
) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    match command {
        CardsCommand::Add { stdin, token } => {
            let card = match token {
                Some(token) => core.add_card_token(token)?,
                None => add_typed_card(&core, *stdin)?,
            };
            let text = format!("Saved {}.\n", describe_card(&card));
            Ok((json!({ "card": to_json(&card)? }), text))
        }
        CardsCommand::List { cached } => {
            let (cards, source) = if *cached {
                (core.cached_cards()?, "cache")
            } else {
                (core.cards()?, "backend")
            };
            let mut text = String::new();
            for card in &cards {
                text.push_str(&format!("{}  {}\n", card.id, describe_card(card)));
            }
            if cards.is_empty() {
                text.push_str("No saved cards.\n");
            }
            Ok((json!({ "cards": to_json(&cards)?, "source": source }), text))
        }
        CardsCommand::Default { id } => {
            core.set_default_card(id)?;
            Ok((
                json!({ "default": id }),
                format!("Card {id} is now the default.\n"),
            ))
        }
        CardsCommand::Remove { id } => {
            core.remove_card(id)?;
            Ok((json!({ "removed": id }), format!("Removed card {id}.\n")))
        }
    }
}

fn add_typed_card(core: &Walkout, from_stdin: bool) -> Result<Card, Failure> {
    let number = read_input("Card number: ", true, from_stdin)?;
    let expiry = read_input("Expiry (MM/YY): ", false, from_stdin)?;
    let (exp_month, exp_year) = parse_expiry(&expiry.0)?;
    let cvc = read_input("CVC: ", true, from_stdin)?;
    Ok(core.add_card(&number.0, exp_month, exp_year, &cvc.0)?)
}

fn describe_card(card: &Card) -> String {
    let default = if card.is_default { " (default)" } else { "" };
    format!(
        "{} •••• {}, expires {:02}/{}{default}",
        card.brand, card.last4, card.exp_month, card.exp_year
    )
}

pub fn balance(
    args: &Args,
    config: Config,
    command: Option<&BalanceCommand>,
) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    let balance = match command {
        None => core.balance()?,
        Some(BalanceCommand::Pay) => core.pay_balance()?,
    };
    let text = if balance.is_settled() {
        "Nothing is owed.\n".to_owned()
    } else {
        format!("Outstanding: {}\n", format_money(&balance.outstanding))
    };
    Ok((balance_json(&balance)?, text))
}

fn balance_json(balance: &Balance) -> Result<Value, Failure> {
    let mut value = to_json(balance)?;
    value["settled"] = json!(balance.is_settled());
    Ok(value)
}

/// Formats minor units with the currency's ISO 4217 exponent (2 unless listed here).
fn format_money(money: &Money) -> String {
    let exponent = match money.currency.as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    };
    if exponent == 0 {
        return format!("{} {}", money.amount_minor, money.currency);
    }
    let scale = 10i64.pow(exponent);
    let sign = if money.amount_minor < 0 { "-" } else { "" };
    let units = money.amount_minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$} {}",
        units / scale,
        units % scale,
        money.currency,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_forms() {
        let cases = [
            ("08/29", Some((8, 29))),
            ("8/2029", Some((8, 2029))),
            (" 12-30 ", Some((12, 30))),
            ("12 30", Some((12, 30))),
            ("1230", None),
            ("ab/cd", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_expiry(text).ok(), expected, "{text:?}");
        }
    }

    #[test]
    fn money_uses_currency_exponent() {
        let money = |amount_minor, currency: &str| Money {
            amount_minor,
            currency: currency.to_owned(),
        };
        assert_eq!(format_money(&money(1234, "GBP")), "12.34 GBP");
        assert_eq!(format_money(&money(5, "GBP")), "0.05 GBP");
        assert_eq!(format_money(&money(-1234, "EUR")), "-12.34 EUR");
        assert_eq!(format_money(&money(1234, "JPY")), "1234 JPY");
        assert_eq!(format_money(&money(1234, "KWD")), "1.234 KWD");
    }
}
