//! Error responses as RFC 9457 problem documents (`application/problem+json`).
//!
//! Every problem has a stable slug. Its `type` is the relative URI `/problems/<slug>`, which the
//! service serves as a short page explaining the slug; the same slug is the metric label and the
//! reason the CLI and the demo print. Details never carry secrets, tokens, card numbers or entry
//! codes: handlers pass only ids and field names into them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One kind of problem: its slug, HTTP status, title and the explanation served at its URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemKind {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
    pub explanation: &'static str,
}

macro_rules! problem_kinds {
    ($($name:ident = ($slug:literal, $status:literal, $title:literal, $explanation:literal);)*) => {
        $(pub const $name: ProblemKind = ProblemKind {
            slug: $slug, status: $status, title: $title, explanation: $explanation,
        };)*

        /// Every problem kind the service can return, for the `/problems/<slug>` pages and
        /// the OpenAPI document.
        pub const ALL: &[ProblemKind] = &[$($name),*];
    };
}

problem_kinds! {
    INVALID_REQUEST = ("invalid-request", 400, "Invalid request",
        "The request body or a parameter failed validation. The detail names the field and the expected form; fix the request and send it again.");
    MISSING_IDEMPOTENCY_KEY = ("missing-idempotency-key", 400, "Missing Idempotency-Key header",
        "POST requests that create something need an Idempotency-Key header, so that a retry has no second effect. Send a unique key per operation and reuse it on every retry.");
    IDEMPOTENCY_KEY_REUSED = ("idempotency-key-reused", 422, "Idempotency-Key reused with another body",
        "This Idempotency-Key was already used for a request with a different body. Use a new key for a new operation.");
    IDEMPOTENT_REQUEST_IN_PROGRESS = ("idempotent-request-in-progress", 409, "Request with this Idempotency-Key in progress",
        "An earlier request with the same Idempotency-Key has not finished yet. Wait a moment and send the request again with the same key.");
    UNAUTHENTICATED = ("unauthenticated", 401, "Authentication required",
        "The request has no valid credentials for this route. Send the credentials the route expects in the Authorization header (see the WWW-Authenticate header of the response).");
    INVALID_TOKEN = ("invalid-token", 401, "Invalid access token",
        "The bearer token was not accepted: it may be expired, not yet valid, issued for another client or user pool, or not an access token. Sign in again or refresh the session.");
    INVALID_SIGNATURE = ("invalid-signature", 401, "Invalid request signature",
        "The X-Walkout-Signature header does not match the body, or X-Walkout-Timestamp is outside the accepted window of 300 seconds. Sign the raw body with the shared secret and a current timestamp.");
    FORBIDDEN = ("forbidden", 403, "Not allowed",
        "The credentials are valid but do not grant this operation. For admin routes, use a key with the scope the route needs.");
    NOT_FOUND = ("not-found", 404, "Not found",
        "No resource exists at this path for this caller.");
    METHOD_NOT_ALLOWED = ("method-not-allowed", 405, "Method not allowed",
        "The path exists but does not accept this HTTP method. The Allow header lists the methods it accepts.");
    PAYLOAD_TOO_LARGE = ("payload-too-large", 413, "Request body too large",
        "The request body is larger than the service accepts for this route. Split the upload into smaller requests.");
    UNSUPPORTED_MEDIA_TYPE = ("unsupported-media-type", 415, "Unsupported media type",
        "The Content-Type of the body is not one this route accepts. Send application/json unless the route says otherwise.");
    APP_AUTH_NOT_CONFIGURED = ("app-auth-not-configured", 503, "App authentication not configured",
        "The service has no user pool settings, so it cannot check shopper access tokens. Set auth.issuer, auth.jwks_url and auth.client_ids in the configuration file or the WALKOUT_AUTH__* environment variables.");
    NOT_READY = ("not-ready", 503, "Service not ready",
        "One or more dependencies of the service are not ready; the body lists which. Retry later; if it persists, check the service logs.");
    INTERNAL = ("internal", 500, "Internal error",
        "The service failed to handle the request. The failure is logged with the request id of this response; retry later and report the request id if it persists.");
    AUTH_KEYS_UNAVAILABLE = ("auth-keys-unavailable", 503, "Signing keys unavailable",
        "The service has not fetched the user pool's signing keys (JWKS) yet, so it cannot check access tokens. Retry later; if it persists, the service logs say why the fetch fails.");
    TOKEN_REVOKED = ("token-revoked", 401, "Session signed out",
        "The access token belongs to a session that was signed out, or the user pool no longer accepts it. Sign in again to get new tokens.");
    AUTH_CHECK_UNAVAILABLE = ("auth-check-unavailable", 503, "Session check unavailable",
        "This route checks the access token with the user pool before it acts, and the user pool could not be reached. Retry in a moment; nothing was changed.");
    INVALID_CATALOG_FILE = ("invalid-catalog-file", 400, "Invalid catalog file",
        "The catalog upload cannot be read as a whole: a required column is missing, or the body is not CSV or JSON in the catalog template's form. The detail names the problem; no row was imported. Rows with bad values do not cause this problem: they are reported one by one in a 200 answer.");
    MALFORMED_CODE = ("malformed-code", 403, "Entry denied: malformed code",
        "The scanned identity key is not a Walkout entry code: it has the wrong length, lower-case letters, another prefix or invalid Base32, or it is not text. The shopper should open the entry screen of the app again and scan the code shown there.");
    UNKNOWN_CREDENTIAL = ("unknown-credential", 403, "Entry denied: unknown credential",
        "The entry code names a credential that this service never issued. The shopper should sign in to the app again so that it enrolls a new entry credential.");
    CREDENTIAL_REVOKED = ("credential-revoked", 403, "Entry denied: credential revoked",
        "The entry code belongs to a credential that was revoked, for example when the shopper removed a device. The app enrolls a new credential when it next connects.");
    CREDENTIAL_EXPIRED = ("credential-expired", 403, "Entry denied: credential expired",
        "The entry credential has passed its expiry. The shopper should connect the app to the internet so that it renews the entry code.");
    CODE_EXPIRED = ("code-expired", 403, "Entry denied: code expired",
        "The entry code is for a time step outside the accepted window of one rotation period either side of the service clock. The shopper should scan the code currently shown; if this repeats, the device clock offset is wrong and the app should connect to measure it again.");
    BAD_TAG = ("bad-tag", 403, "Entry denied: code not authentic",
        "The entry code's authentication tag does not match its credential: the code was altered or made without the credential's secret. Scan the code shown by the shopper's app.");
    STORE_MISMATCH = ("store-mismatch", 403, "Entry denied: code used at another store",
        "This entry code was already accepted at another store, and a code is bound to the first store that accepts it. The shopper should scan the next code that the app shows.");
    GROUP_LIMIT_REACHED = ("group-limit-reached", 403, "Entry denied: group limit reached",
        "This entry code has already admitted the largest allowed group, or the group window after its first scan has closed. The shopper should scan the next code that the app shows.");
    ACCOUNT_INACTIVE = ("account-inactive", 403, "Entry denied: account inactive",
        "The shopper's account is suspended or deleted. The shopper should contact the retailer's support.");
    NO_PAYMENT_METHOD = ("no-payment-method", 403, "Entry denied: no payment method",
        "The shopper has no default payment method. The shopper should add a card in the app and try again.");
    CARD_EXPIRED = ("card-expired", 403, "Entry denied: card expired",
        "The shopper's default card has expired. The shopper should add a valid card in the app and try again.");
    OUTSTANDING_BALANCE = ("outstanding-balance", 403, "Entry denied: outstanding balance",
        "An earlier trip left an unpaid amount. The shopper should settle it in the app before entering again.");
    VELOCITY_LIMIT = ("velocity-limit", 403, "Entry denied: too many entries",
        "The shopper has entered more often than the configured limit allows within the configured window (gate.velocity_limit trips per gate.velocity_window_secs). The shopper should wait, or contact the retailer's support.");
    HOLD_DECLINED = ("hold-declined", 403, "Entry denied: pre-authorization declined",
        "The payment service provider declined the pre-authorization hold on the shopper's card. The shopper should use another card or contact the card issuer.");
    HOLD_TIMEOUT = ("hold-timeout", 403, "Entry denied: pre-authorization timed out",
        "The payment service provider did not answer the pre-authorization within the gate's time budget. The shopper may scan again; if it persists, check the payment service provider's status.");
    STORE_NOT_CONFIGURED = ("store-not-configured", 503, "Store not configured",
        "The storeId of the cart has no store settings (name, currency, tax), so the cart cannot be priced. Set the store's settings through the admin API; the caller's retry then succeeds.");
    CATALOG_CANNOT_PRICE = ("catalog-cannot-price", 503, "Catalog cannot price the cart",
        "An item of the cart has a tax code without a rate, a currency other than the store's, or a price the pricing rules reject. Fix the catalog or the store's tax settings; the caller's retry then succeeds.");
    REFUND_EXCEEDS_CAPTURED = ("refund-exceeds-captured", 422, "Refund larger than the amount left",
        "The refund asks for more than was captured for the purchase minus earlier refunds, or for more units of a line than were sold and not yet returned. Ask for a smaller amount or fewer units.");
    NOT_REFUNDABLE = ("not-refundable", 409, "Purchase cannot be refunded yet",
        "The purchase has no captured payment to refund: it is still being processed, was never charged (a test, associate or empty trip), or its capture failed. Retry after the receipt is issued, or settle the trip first.");
    INVALID_WEBHOOK_SIGNATURE = ("invalid-webhook-signature", 400, "Invalid webhook signature",
        "The Stripe-Signature header is missing, does not match the body, or its timestamp is more than 300 seconds from the service clock. Sign the raw body with the webhook secret (payments.webhook_secret) and a current timestamp.");
    PAYMENT_DECLINED = ("payment-declined", 402, "Payment declined",
        "The card issuer declined the charge. The decline_category member says why in broad terms; use another card or ask the card issuer, then try again.");
    PAYMENT_UNAVAILABLE = ("payment-unavailable", 503, "Payment provider unavailable",
        "The payment service provider did not answer or failed. Nothing was charged twice; send the same request again later with the same Idempotency-Key.");
    PAYMENT_METHOD_REQUIRED = ("payment-method-required", 409, "No default payment method",
        "The operation charges the shopper's default card, and the shopper has none. Register a card with POST /app/v1/payment-methods first.");
    PAYMENT_METHOD_REJECTED = ("payment-method-rejected", 400, "Payment method not accepted",
        "The payment service provider does not know this payment method token, or it belongs to another account. Tokenize the card again and register the new token.");
    OFFER_EXISTS = ("offer-exists", 409, "Offer id taken",
        "An offer with this offer_id exists already. Change it with PUT /admin/v1/offers/{id}, or create the new offer with another id or none.");
    OFFER_NOT_EDITABLE = ("offer-not-editable", 409, "Offer cannot be edited",
        "The offer is targeted, and so made by the association-rule job, or it was withdrawn. Withdraw it and create a general offer instead.");
    ACCOUNT_DELETED = ("account-deleted", 410, "Account deleted",
        "The shopper deleted this account: its personal data was erased and its tokens are no longer accepted. Sign out of the app; signing up again creates a new account.");
}

/// Looks up a problem kind by its slug.
pub fn kind_by_slug(slug: &str) -> Option<&'static ProblemKind> {
    ALL.iter().find(|kind| kind.slug == slug)
}

/// An error response: a problem kind, a detail for this occurrence, and optional extra members.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Value for `WWW-Authenticate` on 401 answers.
    pub authenticate: Option<&'static str>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(flatten)]
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            detail: detail.into(),
            extra: serde_json::Map::new(),
            authenticate: None,
        }
    }

    /// Adds an extension member to the problem document.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    pub fn with_authenticate(mut self, challenge: &'static str) -> Self {
        self.authenticate = Some(challenge);
        self
    }

    pub fn slug(&self) -> &'static str {
        self.kind.slug
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Problem::new(INVALID_REQUEST, detail)
    }

    /// An internal failure: the cause is logged here and only a generic detail is returned.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed with an internal error");
        Problem::new(INTERNAL, "the service failed to handle the request")
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.slug, self.detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            type_uri: format!("/problems/{}", self.kind.slug),
            title: self.kind.title,
            status: self.kind.status,
            detail: &self.detail,
            extra: &self.extra,
        };
        let status =
            StatusCode::from_u16(self.kind.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(challenge) = self.authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
            .extensions_mut()
            .insert(ProblemSlug(self.kind.slug));
        response
    }
}

/// Response extension carrying the slug, so the request log line and metrics can name it.
#[derive(Debug, Clone, Copy)]
pub struct ProblemSlug(pub &'static str);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.slug, b.slug);
            }
        }
    }

    #[test]
    fn slugs_are_lowercase_words() {
        for kind in ALL {
            let valid = kind
                .slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(
                valid,
                "slug {:?} has characters outside a-z, 0-9, '-'",
                kind.slug
            );
        }
    }
}
