//! Sandbox payment methods and customers: tokenizing a test card, reading it back, and
//! attaching it to a customer.
//!
//! Tokenization keeps what Stripe returns (brand, last 4 digits, expiry, funding, a fingerprint)
//! and the test card's behaviour name. The number and the CVC are checked and then dropped; they
//! are never stored, logged or echoed.

use axum::extract::{Path, State};
use serde_json::{Value, json};
use zeroize::Zeroize;

use super::cards::{self, Behaviour, NumberProblem};
use super::wire::{FormParams, StripeError, StripeResult, new_id};
use crate::server::AppState;

/// A stored sandbox payment method.
#[derive(Debug, Clone)]
pub struct MethodRow {
    pub id: String,
    pub customer: Option<String>,
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub funding: String,
    pub fingerprint: String,
    pub behaviour: Behaviour,
    pub created_at: i64,
}

type MethodTuple = (
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    i64,
);

pub async fn load_method(state: &AppState, id: &str) -> Result<Option<MethodRow>, StripeError> {
    let row: Option<MethodTuple> = sqlx::query_as(
        "SELECT id, customer, brand, last4, exp_month, exp_year, funding, fingerprint, behaviour, created_at \
         FROM psp_payment_methods WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(
        |(
            id,
            customer,
            brand,
            last4,
            exp_month,
            exp_year,
            funding,
            fingerprint,
            behaviour,
            created_at,
        )| {
            MethodRow {
                id,
                customer,
                brand,
                last4,
                exp_month,
                exp_year,
                funding,
                fingerprint,
                behaviour: Behaviour::from_name(&behaviour),
                created_at,
            }
        },
    ))
}

fn method_json(method: &MethodRow) -> Value {
    json!({
        "id": method.id,
        "object": "payment_method",
        "type": "card",
        "created": method.created_at,
        "customer": method.customer,
        "livemode": false,
        "metadata": {},
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "card": {
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
            "fingerprint": method.fingerprint,
            "funding": method.funding,
            "country": "US",
            "checks": {"cvc_check": "pass", "address_line1_check": null, "address_postal_code_check": null},
            "networks": {"available": [method.brand], "preferred": null},
            "wallet": null
        }
    })
}

/// The card fields of a tokenization request, checked. The number never leaves this function's
/// caller except as last 4 digits and a keyed fingerprint.
struct CheckedCard {
    facts: cards::CardFacts,
    last4: String,
    fingerprint: String,
    exp_month: i64,
    exp_year: i64,
}

fn check_card(state: &AppState, params: &FormParams) -> Result<CheckedCard, StripeError> {
    let mut number: String = params
        .required("card[number]")?
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    let identified = cards::identify(&number);
    let last4 = number
        .get(number.len().saturating_sub(4)..)
        .unwrap_or("")
        .to_owned();
    let fingerprint = fingerprint_of(state, &number);
    number.zeroize();

    let facts = match identified {
        Ok(facts) => facts,
        Err(NumberProblem::Incorrect) => {
            let mut error =
                StripeError::card("incorrect_number", None, "Your card number is incorrect.");
            error.param = Some("card[number]".into());
            return Err(error);
        }
        Err(NumberProblem::NotATestCard) => {
            return Err(StripeError::card(
                "card_declined",
                Some("test_mode_live_card"),
                "Your card was declined. Your request was in test mode, but used a non test card.",
            ));
        }
    };

    let (exp_month, exp_year) = check_expiry(state, params)?;
    check_cvc(params, facts.brand)?;
    Ok(CheckedCard {
        facts,
        last4,
        fingerprint,
        exp_month,
        exp_year,
    })
}

fn check_expiry(state: &AppState, params: &FormParams) -> Result<(i64, i64), StripeError> {
    let month = params.integer("card[exp_month]")?.unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(StripeError::card(
            "invalid_expiry_month",
            None,
            "Your card's expiration month is invalid.",
        ));
    }
    let year = match params.integer("card[exp_year]")?.unwrap_or(0) {
        two_digits @ 0..=99 => 2000 + two_digits,
        year => year,
    };
    if crate::payments::hold::card_expired(month, year, state.clock.now_ms()) || year > 2100 {
        return Err(StripeError::card(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is invalid.",
        ));
    }
    Ok((month, year))
}

fn check_cvc(params: &FormParams, brand: &str) -> Result<(), StripeError> {
    let Some(cvc) = params.get("card[cvc]") else {
        return Ok(());
    };
    let length = if brand == "amex" { 4 } else { 3 };
    if cvc.len() != length || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StripeError::card(
            "invalid_cvc",
            None,
            "Your card's security code is invalid.",
        ));
    }
    Ok(())
}

/// A keyed hash of the number, so equal cards share a fingerprint without revealing the number.
fn fingerprint_of(state: &AppState, number: &str) -> String {
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        state.credentials.data_key.as_bytes(),
    );
    let tag = ring::hmac::sign(&key, format!("psp-fingerprint:{number}").as_bytes());
    hex::encode(&tag.as_ref()[..8])
}

/// `POST /psp/v1/payment_methods`: tokenizes a card.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_methods", tag = "psp",
    responses((status = 200, description = "A payment method object"), (status = 402, description = "Card error")))]
pub async fn create_payment_method(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    if params.get("type") != Some("card") {
        return Err(StripeError::invalid(
            "parameter_invalid_empty",
            Some("type"),
            "The only supported type is card.",
        ));
    }
    let card = check_card(&state, &params)?;

    let method = MethodRow {
        id: new_id("pm"),
        customer: None,
        brand: card.facts.brand.to_owned(),
        last4: card.last4,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        funding: card.facts.funding.to_owned(),
        fingerprint: card.fingerprint,
        behaviour: card.facts.behaviour,
        created_at: state.clock.now_secs(),
    };
    sqlx::query(
        "INSERT INTO psp_payment_methods (id, customer, brand, last4, exp_month, exp_year, funding, fingerprint, behaviour, created_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&method.id)
    .bind(&method.brand)
    .bind(&method.last4)
    .bind(method.exp_month)
    .bind(method.exp_year)
    .bind(&method.funding)
    .bind(&method.fingerprint)
    .bind(method.behaviour.name())
    .bind(method.created_at)
    .execute(&state.db.pool)
    .await?;
    Ok(axum::Json(method_json(&method)))
}

/// `GET /psp/v1/payment_methods/{id}`.
#[utoipa::path(get, path = "/psp/v1/payment_methods/{id}", tag = "psp",
    params(("id" = String, Path, description = "Payment method id")),
    responses((status = 200, description = "A payment method object"), (status = 404, description = "No such payment method")))]
pub async fn get_payment_method(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> StripeResult {
    let method = load_method(&state, &id)
        .await?
        .ok_or_else(|| StripeError::missing("payment_method", &id))?;
    Ok(axum::Json(method_json(&method)))
}

/// `POST /psp/v1/payment_methods/{id}/attach`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_methods/{id}/attach", tag = "psp",
    params(("id" = String, Path, description = "Payment method id")),
    responses((status = 200, description = "The attached payment method"), (status = 404, description = "No such payment method or customer")))]
pub async fn attach_payment_method(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let customer = params.required("customer")?.to_owned();
    let mut method = load_method(&state, &id)
        .await?
        .ok_or_else(|| StripeError::missing("payment_method", &id))?;
    if !customer_exists(&state, &customer).await? {
        return Err(StripeError::missing("customer", &customer));
    }
    match &method.customer {
        Some(current) if *current == customer => return Ok(axum::Json(method_json(&method))),
        Some(_) => {
            return Err(StripeError::invalid(
                "payment_method_unexpected_state",
                Some("payment_method"),
                "The payment method you provided has already been attached to a customer.",
            ));
        }
        None => {}
    }
    sqlx::query("UPDATE psp_payment_methods SET customer = $1 WHERE id = $2 AND customer IS NULL")
        .bind(&customer)
        .bind(&id)
        .execute(&state.db.pool)
        .await?;
    method.customer = Some(customer);
    Ok(axum::Json(method_json(&method)))
}

async fn customer_exists(state: &AppState, id: &str) -> Result<bool, StripeError> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM psp_customers WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(found.is_some())
}

/// `POST /psp/v1/customers`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/customers", tag = "psp",
    responses((status = 200, description = "A customer object")))]
pub async fn create_customer(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let id = new_id("cus");
    let email = params.get("email").map(str::to_owned);
    let metadata = params.metadata();
    let created = state.clock.now_secs();
    sqlx::query(
        "INSERT INTO psp_customers (id, email, metadata, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(&email)
    .bind(metadata.to_string())
    .bind(created)
    .execute(&state.db.pool)
    .await?;
    Ok(axum::Json(json!({
        "id": id, "object": "customer", "created": created, "email": email,
        "metadata": metadata, "livemode": false
    })))
}
