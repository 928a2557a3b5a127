//! Card tokenization straight at the payment service provider (PSP), in Stripe's wire format.
//!
//! `POST <api_base>/payment_methods` with a form body
//! (`type=card&card[number]=…&card[exp_month]=…&card[exp_year]=…&card[cvc]=…`) and
//! `Authorization: Bearer <publishable key>` returns a payment method (`pm_…`) with the card's
//! brand, last four digits and expiry. This is the only request that carries the card number and
//! the CVC, and it goes to the PSP, never to the Walkout backend: that keeps the backend out of
//! PCI DSS scope for card numbers. The form body is built in a buffer that is wiped when the
//! HTTP client drops it, and nothing here logs a body, a header or a PSP message.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::card::ValidatedCard;

/// Time allowed for one tokenization request, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest PSP response read, in bytes; a payment method is about 1 KiB.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// A card as the PSP reports it after tokenization: never the number or the CVC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardToken {
    /// The PSP's payment method id, such as `pm_1Q0…`.
    pub token: String,
    /// The PSP's brand name, such as `visa` or `amex`; authoritative over client detection.
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// Why the PSP did not tokenize a card. No variant carries card data or the PSP's free-text
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PspError {
    /// The PSP rejected one field; `field` is `number`, `exp_month`, `exp_year` or `cvc`, and
    /// `code` is the PSP's error code (`incorrect_number`, `invalid_expiry_year`, …).
    #[error("the PSP rejected the card's {field} ({code})")]
    InvalidField { field: &'static str, code: String },
    /// The PSP declined the card; `code` is its decline code, or `card_declined`.
    #[error("the PSP declined the card ({code})")]
    Declined { code: String },
    /// The PSP rejected the publishable key.
    #[error("the PSP rejected the publishable key (HTTP {status}); check psp.publishable_key")]
    KeyRejected { status: u16 },
    /// The PSP cannot be reached, timed out, or reported a temporary failure.
    #[error("the PSP is unavailable: {reason}")]
    Unavailable { reason: String },
    /// The PSP returned an error or a body this client does not understand.
    #[error("unexpected PSP response (HTTP {status}): {reason}")]
    Unexpected { status: u16, reason: String },
}

/// The PSP endpoint and key that tokenization uses.
#[derive(Debug, Clone)]
pub struct PspEndpoint {
    /// API base without a trailing slash, such as `https://api.stripe.com/v1`.
    pub api_base: String,
    pub publishable_key: String,
}

#[derive(Deserialize)]
struct PaymentMethod {
    id: String,
    card: PaymentMethodCard,
}

#[derive(Deserialize)]
struct PaymentMethodCard {
    brand: String,
    last4: String,
    exp_month: u32,
    exp_year: u32,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    decline_code: String,
}

/// An owned form body that is wiped when the last reference to it is dropped.
struct WipedBody(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for WipedBody {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Builds the form-encoded body. The keys are written percent-encoded (`[` is `%5B`, `]` is
/// `%5D`), and every value is ASCII digits or a fixed word, so no value needs encoding.
fn form_body(card: &ValidatedCard) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(160));
    body.extend_from_slice(b"type=card&card%5Bnumber%5D=");
    body.extend_from_slice(card.number.digits().as_bytes());
    body.extend_from_slice(b"&card%5Bexp_month%5D=");
    body.extend_from_slice(card.expiry.month.to_string().as_bytes());
    body.extend_from_slice(b"&card%5Bexp_year%5D=");
    body.extend_from_slice(card.expiry.year.to_string().as_bytes());
    body.extend_from_slice(b"&card%5Bcvc%5D=");
    body.extend_from_slice(card.cvc.digits().as_bytes());
    body
}

/// Tokenizes `card` at `endpoint`, with `idempotency_key` so a retried request creates one
/// payment method.
///
/// NOTE: the wiped buffer covers the body that this module builds; the HTTP and TLS layers may
/// copy it into their own write buffers, which are freed but not wiped.
pub async fn tokenize(
    endpoint: &PspEndpoint,
    card: &ValidatedCard,
    idempotency_key: &str,
) -> Result<CardToken, PspError> {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| PspError::Unavailable {
            reason: format!("cannot set up the HTTP client: {error}"),
        })?;
    let body = Bytes::from_owner(WipedBody(form_body(card)));
    let url = format!("{}/payment_methods", endpoint.api_base);

    let response = client
        .post(url)
        .bearer_auth(&endpoint.publishable_key)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("Idempotency-Key", idempotency_key)
        .body(body)
        .send()
        .await
        .map_err(|error| PspError::Unavailable {
            reason: describe_transport(&error),
        })?;

    let status = response.status().as_u16();
    let body = read_limited(response).await?;
    if (200..300).contains(&status) {
        return parse_payment_method(status, &body);
    }
    Err(map_error(status, &body))
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, PspError> {
    let status = response.status().as_u16();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => {
                return Err(PspError::Unexpected {
                    status,
                    reason: format!("the response exceeds {MAX_RESPONSE_BYTES} bytes"),
                });
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body),
            Err(error) => {
                return Err(PspError::Unavailable {
                    reason: describe_transport(&error),
                });
            }
        }
    }
}

fn parse_payment_method(status: u16, body: &[u8]) -> Result<CardToken, PspError> {
    let method: PaymentMethod =
        serde_json::from_slice(body).map_err(|error| PspError::Unexpected {
            status,
            reason: format!("not a card payment method: {error}"),
        })?;
    if !method.id.starts_with("pm_") {
        return Err(PspError::Unexpected {
            status,
            reason: "the payment method id does not start with pm_".to_owned(),
        });
    }
    Ok(CardToken {
        token: method.id,
        brand: method.card.brand,
        last4: method.card.last4,
        exp_month: method.card.exp_month,
        exp_year: method.card.exp_year,
    })
}

/// Maps a PSP error response to a [`PspError`], after Stripe's documented error codes.
fn map_error(status: u16, body: &[u8]) -> PspError {
    let error = serde_json::from_slice::<ErrorEnvelope>(body)
        .map(|envelope| envelope.error)
        .unwrap_or_default();
    let field = match error.code.as_str() {
        "incorrect_number" | "invalid_number" => Some("number"),
        "invalid_expiry_month" => Some("exp_month"),
        "invalid_expiry_year" | "expired_card" => Some("exp_year"),
        "incorrect_cvc" | "invalid_cvc" => Some("cvc"),
        _ => None,
    };
    if let Some(field) = field {
        return PspError::InvalidField {
            field,
            code: error.code,
        };
    }
    if error.code == "processing_error" || status == 429 || status >= 500 {
        return PspError::Unavailable {
            reason: format!("HTTP {status} {}", error.code),
        };
    }
    if status == 401 || status == 403 {
        return PspError::KeyRejected { status };
    }
    if status == 402 || error.kind == "card_error" {
        let code = [error.decline_code, error.code]
            .into_iter()
            .find(|code| !code.is_empty())
            .unwrap_or_else(|| "card_declined".to_owned());
        return PspError::Declined { code };
    }
    PspError::Unexpected {
        status,
        reason: if error.code.is_empty() {
            "no error code".to_owned()
        } else {
            error.code
        },
    }
}

/// Describes a transport failure without the URL, which reqwest puts in its message.
fn describe_transport(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_fields() {
        let cases = [
            ("incorrect_number", "number"),
            ("invalid_expiry_month", "exp_month"),
            ("invalid_expiry_year", "exp_year"),
            ("incorrect_cvc", "cvc"),
        ];
        for (code, field) in cases {
            let body = format!(r#"{{"error":{{"type":"card_error","code":"{code}"}}}}"#);
            assert_eq!(
                map_error(402, body.as_bytes()),
                PspError::InvalidField {
                    field,
                    code: code.to_owned()
                },
                "{code}"
            );
        }
    }

    #[test]
    fn decline_code_wins_over_code() {
        let body = br#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}"#;
        assert_eq!(
            map_error(402, body),
            PspError::Declined {
                code: "insufficient_funds".to_owned()
            }
        );
    }

    #[test]
    fn unreadable_error_body_is_unexpected() {
        assert!(matches!(
            map_error(400, b"<html>"),
            PspError::Unexpected { status: 400, .. }
        ));
    }
}
