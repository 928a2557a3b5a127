//! Set-up for the offer tests: the ordering test service (worker, sandbox PSP, demo catalog
//! helpers) with app authentication against a loopback JWKS server. Helpers send admin and app
//! requests and write purchase history straight into the `purchases` table.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::auth::admin::{Scope, create_key};
use walkout_connectors::shoppers;

use crate::auth_support::{CLIENT_ID, ISSUER, JwksServer, access_claims, sign_rs256};
use crate::ordering_support::{STORE, Service};

pub struct OffersService {
    pub service: Service,
    pub http: reqwest::Client,
    _jwks: JwksServer,
}

impl OffersService {
    /// Starts the service with app authentication, the ordering worker and the test clock.
    pub async fn start() -> OffersService {
        let jwks = JwksServer::start(&[("key-a", "rsa-a")]).await;
        let url = jwks.url.clone();
        let service = Service::start(move |config| {
            config.auth.issuer = Some(ISSUER.to_owned());
            config.auth.jwks_url = Some(url);
            config.auth.client_ids = vec![CLIENT_ID.to_owned()];
        })
        .await;
        let started = OffersService {
            service,
            http: crate::auth_support::http_client(),
            _jwks: jwks,
        };
        started.wait_until_ready().await;
        started
    }

    async fn wait_until_ready(&self) {
        for _ in 0..150 {
            let response = self.http.get(self.url("/readyz")).send().await;
            if response.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the service did not become ready within 15 s");
    }

    pub fn url(&self, path: &str) -> String {
        self.service.url(path)
    }

    pub fn db(&self) -> &walkout_connectors::db::Database {
        &self.service.state.db
    }

    /// Signs an access token for the shopper `sub`.
    pub fn token(&self, sub: &str) -> String {
        let now = self.service.state.clock.now_secs();
        let mut claims = access_claims(now);
        claims["sub"] = json!(sub);
        sign_rs256("key-a", "rsa-a", &claims)
    }

    /// Returns the shopper id of `sub`, creating the shopper on first sight as the app routes do.
    pub async fn shopper_id(&self, sub: &str) -> String {
        let now = self.service.state.clock.now_ms();
        shoppers::get_or_create(self.db(), sub, now)
            .await
            .expect("shopper")
            .id
    }

    /// Returns the initial admin key, which has the `admin` scope.
    pub fn admin_key(&self) -> String {
        self.service.state.credentials.admin_api_key.clone()
    }

    /// Creates an admin key with only `scopes`.
    pub async fn key_with(&self, scopes: &[Scope]) -> String {
        create_key(self.db(), scopes, "offer tests")
            .await
            .expect("admin key")
    }

    /// Sends an admin request with `key` and an optional JSON body; returns status and body.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("admin request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sends an app request as `sub`, with an Idempotency-Key when one is given.
    pub async fn app(
        &self,
        method: reqwest::Method,
        path: &str,
        sub: &str,
        idempotency_key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(self.token(sub));
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("app request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sets the consent of `sub` through the app route and asserts success.
    pub async fn set_consent(&self, sub: &str, granted: bool) -> Value {
        let body = json!({ "granted": granted });
        let (status, consent) = self
            .app(
                reqwest::Method::PUT,
                "/app/v1/consent",
                sub,
                None,
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "PUT /app/v1/consent: {consent}");
        consent
    }

    /// Activates an offer as `sub` with a fresh Idempotency-Key.
    pub async fn activate(&self, sub: &str, offer_id: &str) -> (u16, Value) {
        let key = uuid::Uuid::now_v7().to_string();
        let path = format!("/app/v1/offers/{offer_id}/activate");
        self.app(reqwest::Method::POST, &path, sub, Some(&key), None)
            .await
    }

    /// Lists the offers of `sub`.
    pub async fn offers(&self, sub: &str) -> Vec<Value> {
        let (status, body) = self
            .app(reqwest::Method::GET, "/app/v1/offers", sub, None, None)
            .await;
        assert_eq!(status, 200, "GET /app/v1/offers: {body}");
        body["offers"].as_array().cloned().unwrap_or_default()
    }

    /// Runs the association-rule job through the admin route and returns its counts.
    pub async fn recompute(&self) -> Value {
        let (status, counts) = self
            .admin(
                reqwest::Method::POST,
                "/admin/v1/offers/recompute",
                &self.admin_key(),
                None,
            )
            .await;
        assert_eq!(status, 200, "recompute: {counts}");
        counts
    }
}

/// Writes settled purchases of the demo store straight into `purchases`: one per basket, with
/// the priced lines the job reads. `shopper_id` owns them all when given.
pub async fn insert_purchases(
    db: &walkout_connectors::db::Database,
    shopper_id: Option<&str>,
    baskets: &[BTreeSet<String>],
    now_ms: i64,
) {
    let mut tx = db.pool.begin().await.expect("transaction");
    for basket in baskets {
        let lines: Vec<Value> = basket
            .iter()
            .enumerate()
            .map(|(index, sku)| json!({ "line_index": index, "item_sku": sku }))
            .collect();
        let purchase_id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO purchases (purchase_id, idempotent_shopping_trip_id, request_id, store_id, \
             trip_id, shopper_id, match_method, charge_mode, request, priced_cart, currency, \
             net_minor, tax_minor, grand_minor, unpriced_count, state, created_at, updated_at) \
             VALUES ($1, $1, $1, $2, NULL, $3, 'visitor', 'test', '{}', $4, 'GBP', 0, 0, 0, 0, \
             'completed', $5, $5)",
        )
        .bind(&purchase_id)
        .bind(STORE)
        .bind(shopper_id)
        .bind(json!({ "lines": lines }).to_string())
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .expect("purchase row");
    }
    tx.commit().await.expect("commit");
}

/// Reads the SKU sets of the real baskets of the data file, in file order.
pub fn real_baskets() -> Vec<BTreeSet<String>> {
    let data =
        walkout_connectors::catalog::uci::load(crate::ordering_support::DATA.as_ref(), &mut |_| {})
            .expect("the data file loads");
    walkout_connectors::catalog::uci::baskets(&data)
        .baskets
        .into_iter()
        .map(|basket| basket.lines.into_iter().map(|line| line.sku).collect())
        .collect()
}

/// Builds a general offer body: `basis_points` off one SKU.
pub fn percent_off_sku(offer_id: &str, sku: &str, basis_points: u32) -> Value {
    json!({
        "offer_id": offer_id,
        "store_id": STORE,
        "title": format!("Offer {offer_id}"),
        "rule": { "type": "percent_off", "target": { "sku": sku }, "basis_points": basis_points },
    })
}
