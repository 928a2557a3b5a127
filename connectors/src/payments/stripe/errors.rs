//! Stripe error answers mapped to the gateway's outcomes.
//!
//! Card errors (HTTP 402) become declines grouped by `decline_code`; `authentication_required`
//! becomes `RequiresAction`, because an off-session charge cannot show 3-D Secure; and
//! `processing_error` is retryable, as Stripe documents. A capture of a hold that Stripe canceled
//! automatically is an expired authorization. Other 4xx answers are request or configuration
//! errors of ours.

use serde_json::Value;

use super::client::Reply;
use crate::payments::gateway::{DeclineCategory, GatewayError, GatewayResult, Outcome};

/// Groups a Stripe decline code (or error code) into a [`DeclineCategory`].
pub fn decline_category(code: &str) -> DeclineCategory {
    match code {
        "insufficient_funds" | "card_velocity_exceeded" | "withdrawal_count_limit_exceeded" => {
            DeclineCategory::InsufficientFunds
        }
        "expired_card" => DeclineCategory::CardExpired,
        "incorrect_cvc"
        | "invalid_cvc"
        | "incorrect_number"
        | "invalid_number"
        | "invalid_expiry_month"
        | "invalid_expiry_year"
        | "incorrect_zip"
        | "invalid_account" => DeclineCategory::IncorrectCard,
        "fraudulent" | "lost_card" | "stolen_card" | "pickup_card" | "merchant_blacklist"
        | "security_violation" | "restricted_card" => DeclineCategory::Fraud,
        "do_not_honor"
        | "do_not_try_again"
        | "call_issuer"
        | "transaction_not_allowed"
        | "not_permitted" => DeclineCategory::DoNotHonor,
        _ => DeclineCategory::Other,
    }
}

/// Turns a reply into an outcome, parsing a 2xx body with `parse`.
pub fn outcome_of<T>(
    reply: Reply,
    parse: impl FnOnce(&Value) -> Result<Outcome<T>, GatewayError>,
) -> GatewayResult<T> {
    match reply {
        Reply::Ok(body) => parse(&body),
        Reply::Unreachable(reason) => Ok(Outcome::RetryableFailure { reason }),
        Reply::Error { status, error } => error_outcome(status, &error),
    }
}

fn text<'a>(error: &'a Value, field: &str) -> &'a str {
    error.get(field).and_then(Value::as_str).unwrap_or("")
}

fn error_outcome<T>(status: u16, error: &Value) -> GatewayResult<T> {
    let kind = text(error, "type");
    let code = text(error, "code");
    let decline_code = text(error, "decline_code");
    let message = text(error, "message");

    if status == 402 || kind == "card_error" {
        if code == "authentication_required" || decline_code == "authentication_required" {
            return Ok(Outcome::RequiresAction);
        }
        if code == "processing_error" {
            return Ok(Outcome::RetryableFailure {
                reason: "the card issuer reported a processing error".to_owned(),
            });
        }
        let reported = if decline_code.is_empty() {
            code
        } else {
            decline_code
        };
        let reported = if reported.is_empty() {
            "card_declined"
        } else {
            reported
        };
        return Ok(Outcome::Declined {
            category: decline_category(reported),
            code: reported.to_owned(),
        });
    }

    if code == "payment_intent_unexpected_state" && canceled_automatically(error) {
        return Ok(Outcome::Declined {
            category: DeclineCategory::AuthorizationExpired,
            code: code.to_owned(),
        });
    }
    if status == 401 || status == 403 {
        return Err(GatewayError::Configuration(format!(
            "the PSP rejected the API key (HTTP {status}); check payments.secret_key"
        )));
    }
    Err(GatewayError::InvalidRequest(format!(
        "PSP answered HTTP {status} {code}: {message}"
    )))
}

fn canceled_automatically(error: &Value) -> bool {
    let intent = error.get("payment_intent").unwrap_or(&Value::Null);
    intent.get("status").and_then(Value::as_str) == Some("canceled")
        && intent.get("cancellation_reason").and_then(Value::as_str) == Some("automatic")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn card_error(code: &str, decline_code: &str) -> Reply {
        Reply::Error {
            status: 402,
            error: json!({"type": "card_error", "code": code, "decline_code": decline_code, "message": "declined"}),
        }
    }

    #[test]
    fn decline_codes_map_to_categories() {
        let cases = [
            ("insufficient_funds", DeclineCategory::InsufficientFunds),
            ("expired_card", DeclineCategory::CardExpired),
            ("incorrect_cvc", DeclineCategory::IncorrectCard),
            ("stolen_card", DeclineCategory::Fraud),
            ("do_not_honor", DeclineCategory::DoNotHonor),
            ("generic_decline", DeclineCategory::Other),
        ];
        for (code, category) in cases {
            let outcome: GatewayResult<()> = outcome_of(card_error("card_declined", code), |_| {
                Ok(Outcome::Approved(()))
            });
            assert_eq!(
                outcome,
                Ok(Outcome::Declined {
                    category,
                    code: code.to_owned()
                }),
                "{code}"
            );
        }
    }

    #[test]
    fn authentication_required_needs_action() {
        let outcome: GatewayResult<()> = outcome_of(
            card_error("authentication_required", "authentication_required"),
            |_| Ok(Outcome::Approved(())),
        );
        assert_eq!(outcome, Ok(Outcome::RequiresAction));
    }

    #[test]
    fn processing_error_is_retryable() {
        let outcome: GatewayResult<()> = outcome_of(card_error("processing_error", ""), |_| {
            Ok(Outcome::Approved(()))
        });
        assert!(matches!(outcome, Ok(Outcome::RetryableFailure { .. })));
    }

    #[test]
    fn bad_key_is_configuration_error() {
        let reply = Reply::Error {
            status: 401,
            error: json!({"type": "invalid_request_error"}),
        };
        let outcome: GatewayResult<()> = outcome_of(reply, |_| Ok(Outcome::Approved(())));
        assert!(matches!(outcome, Err(GatewayError::Configuration(_))));
    }
}
