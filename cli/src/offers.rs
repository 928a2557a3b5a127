//! The offer commands: `offers list`, `offers activate ID`, and `consent [on|off|show]`.
//!
//! Targeted offers need the shopper's consent, which starts off: `consent on` opts in,
//! `consent off` opts out and removes the targeted offers at once.

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::config::Config;
use walkout_core::offers::{Consent, Offer, OfferKind};

use crate::args::{Args, ConsentChoice, OffersCommand};
use crate::failure::Failure;
use crate::secret_choice;

fn open_core(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|error| Failure::runtime("internal", error.to_string()))
}

/// `walkout offers list | activate ID`.
pub fn offers(
    args: &Args,
    config: Config,
    command: &OffersCommand,
) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    match command {
        OffersCommand::List { cached } => {
            let offers = if *cached {
                core.cached_offers()?
            } else {
                core.offers()?
            };
            let text = if offers.is_empty() {
                "No offers.\n".to_owned()
            } else {
                offers.iter().map(offer_line).collect()
            };
            Ok((json!({ "offers": to_json(&offers)? }), text))
        }
        OffersCommand::Activate { id } => {
            let offer = core.activate_offer(id)?;
            let text = format!("Activated: {}", offer_line(&offer));
            Ok((to_json(&offer)?, text))
        }
    }
}

/// Formats one offer as a text line: id, title, state and, for a targeted offer, its reason.
fn offer_line(offer: &Offer) -> String {
    let state = match (offer.redeemed, offer.activated) {
        (true, _) => "used",
        (false, true) => "activated",
        (false, false) => "not activated",
    };
    let kind = match offer.kind {
        OfferKind::General => "general",
        OfferKind::Targeted => "for you",
    };
    let mut line = format!("{}  {} [{kind}, {state}]", offer.offer_id, offer.title);
    if let Some(reason) = &offer.reason {
        line.push_str(&format!(" ({reason})"));
    }
    line.push('\n');
    line
}

/// `walkout consent [on|off|show]`.
pub fn consent(
    args: &Args,
    config: Config,
    choice: Option<ConsentChoice>,
) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    let consent = match choice {
        None | Some(ConsentChoice::Show) => core.consent()?,
        Some(ConsentChoice::On) => core.set_consent(true)?,
        Some(ConsentChoice::Off) => core.set_consent(false)?,
    };
    Ok((to_json(&consent)?, consent_text(&consent)))
}

fn consent_text(consent: &Consent) -> String {
    let mut text = if consent.granted {
        "Targeted offers: on\n".to_owned()
    } else {
        "Targeted offers: off\n".to_owned()
    };
    for change in &consent.history {
        let state = if change.granted { "on" } else { "off" };
        text.push_str(&format!("  {}  {state}\n", change.changed_at));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(activated: bool, reason: Option<&str>) -> Offer {
        Offer {
            offer_id: "assoc-1".to_owned(),
            kind: if reason.is_some() {
                OfferKind::Targeted
            } else {
                OfferKind::General
            },
            store_id: None,
            title: "10% off RED MUG".to_owned(),
            description: String::new(),
            active_to: None,
            activated,
            redeemed: false,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn offer_line_shows_reason_and_state() {
        let line = offer_line(&offer(true, Some("because you bought TEA CUP")));
        assert_eq!(
            line,
            "assoc-1  10% off RED MUG [for you, activated] (because you bought TEA CUP)\n"
        );
    }

    #[test]
    fn consent_text_lists_changes() {
        let consent = Consent {
            granted: false,
            history: vec![
                walkout_core::offers::ConsentChange {
                    granted: true,
                    changed_at: "2026-01-01T00:00:00Z".to_owned(),
                },
                walkout_core::offers::ConsentChange {
                    granted: false,
                    changed_at: "2026-01-02T00:00:00Z".to_owned(),
                },
            ],
        };
        assert_eq!(
            consent_text(&consent),
            "Targeted offers: off\n  2026-01-01T00:00:00Z  on\n  2026-01-02T00:00:00Z  off\n"
        );
    }
}
