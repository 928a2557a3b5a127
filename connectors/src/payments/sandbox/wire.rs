//! Stripe's wire format in the sandbox: form-encoded parameters with bracket keys, and error
//! bodies `{"error": {"type", "code", "decline_code", "message", "param", "payment_intent"}}`
//! with Stripe's status codes (400 invalid request, 401 bad key, 402 card error, 404 missing
//! resource, 409 concurrent idempotent request).
//!
//! Parameters are wiped from memory when dropped, because a tokenization request carries a card
//! number and CVC.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use zeroize::Zeroize;

/// A Stripe error response (boxed, so results that carry it stay small).
#[derive(Debug, Clone)]
pub struct StripeError(Box<StripeErrorFields>);

/// The members of a Stripe error body, and its HTTP status.
#[derive(Debug, Clone)]
pub struct StripeErrorFields {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: String,
    pub param: Option<String>,
    pub payment_intent: Option<Value>,
}

impl StripeError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> StripeError {
        StripeError(Box::new(StripeErrorFields {
            status,
            kind,
            code: None,
            decline_code: None,
            message: message.into(),
            param: None,
            payment_intent: None,
        }))
    }

    /// A 400 `invalid_request_error` with `code`, naming the parameter `param` if any.
    pub fn invalid(code: &str, param: Option<&str>, message: impl Into<String>) -> StripeError {
        let mut error = StripeError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message);
        error.code = Some(code.to_owned());
        error.param = param.map(str::to_owned);
        error
    }

    /// A 404 `resource_missing` for the id `id` given as `param`.
    pub fn missing(param: &str, id: &str) -> StripeError {
        let mut error = StripeError::invalid(
            "resource_missing",
            Some(param),
            format!("No such {param}: '{id}'"),
        );
        error.status = StatusCode::NOT_FOUND;
        error
    }

    /// A 402 `card_error`.
    pub fn card(code: &str, decline_code: Option<&str>, message: impl Into<String>) -> StripeError {
        let mut error = StripeError::new(StatusCode::PAYMENT_REQUIRED, "card_error", message);
        error.code = Some(code.to_owned());
        error.decline_code = decline_code.map(str::to_owned);
        error
    }

    /// A 500 `api_error`; the cause is logged, not sent.
    pub fn api(cause: &dyn std::fmt::Display) -> StripeError {
        tracing::error!(error = %cause, "sandbox PSP request failed");
        StripeError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "An unexpected error occurred in the sandbox PSP.",
        )
    }

    pub fn with_payment_intent(mut self, intent: Value) -> StripeError {
        self.payment_intent = Some(intent);
        self
    }

    pub fn body(&self) -> Value {
        let mut error = Map::new();
        error.insert("type".into(), json!(self.kind));
        error.insert("message".into(), json!(self.message));
        let optional = [
            ("code", &self.code),
            ("decline_code", &self.decline_code),
            ("param", &self.param),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                error.insert(name.into(), json!(value));
            }
        }
        if let Some(intent) = &self.payment_intent {
            error.insert("payment_intent".into(), intent.clone());
        }
        json!({ "error": error })
    }
}

impl std::ops::Deref for StripeError {
    type Target = StripeErrorFields;

    fn deref(&self) -> &StripeErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for StripeError {
    fn deref_mut(&mut self) -> &mut StripeErrorFields {
        &mut self.0
    }
}

impl From<sqlx::Error> for StripeError {
    fn from(error: sqlx::Error) -> Self {
        StripeError::api(&error)
    }
}

impl IntoResponse for StripeError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

pub type StripeResult = Result<axum::Json<Value>, StripeError>;

/// Form parameters of one request, in order.
pub struct FormParams(Vec<(String, String)>);

impl Drop for FormParams {
    fn drop(&mut self) {
        for (name, value) in &mut self.0 {
            name.zeroize();
            value.zeroize();
        }
    }
}

impl FormParams {
    pub fn parse(body: &[u8]) -> FormParams {
        FormParams(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The last value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a list parameter such as `expand[]`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub fn required(&self, name: &str) -> Result<&str, StripeError> {
        self.get(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                StripeError::invalid(
                    "parameter_missing",
                    Some(name),
                    format!("Missing required param: {name}."),
                )
            })
    }

    /// An integer parameter, if present.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, StripeError> {
        match self.get(name) {
            None => Ok(None),
            Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
                StripeError::invalid(
                    "parameter_invalid_integer",
                    Some(name),
                    format!("Invalid integer: {name}"),
                )
            }),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<bool, StripeError> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(StripeError::invalid(
                "parameter_invalid_boolean",
                Some(name),
                format!("Invalid boolean: {name}"),
            )),
        }
    }

    /// The `metadata[key]` parameters as a JSON object.
    pub fn metadata(&self) -> Value {
        let mut map = Map::new();
        for (key, value) in &self.0 {
            if let Some(inner) = key
                .strip_prefix("metadata[")
                .and_then(|rest| rest.strip_suffix(']'))
            {
                map.insert(inner.to_owned(), Value::String(value.clone()));
            }
        }
        Value::Object(map)
    }

    /// Tells whether `expand[]` names `field`.
    pub fn expands(&self, field: &str) -> bool {
        self.all("expand[]").contains(&field)
    }
}

/// Generates an object id with Stripe's prefix, such as `pi_…`.
pub fn new_id(prefix: &str) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &random[..24])
}
