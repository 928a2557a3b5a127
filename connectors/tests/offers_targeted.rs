//! Consent and targeted offers: the consent history, targets only for opted-in shoppers with
//! the reason text, opting out removing them, the one 404 for offers a shopper cannot see, and
//! a recomputation that changes nothing when run twice.

mod auth_support;
mod offers_support;
mod ordering_support;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use walkout_connectors::catalog::store::lookup_items;

use offers_support::{OffersService, insert_purchases, percent_off_sku};
use ordering_support::{STORE, import_demo_catalog};

const SUB_A: &str = "5b0c7e12-3f4a-4b5c-8d6e-7f8091a2b3c4";
const SUB_B: &str = "6c1d8f23-4a5b-4c6d-9e7f-8091a2b3c4d5";
/// WHITE HANGING HEART T-LIGHT HOLDER and WHITE METAL LANTERN, bought together in the history
/// below, and a filler item bought alone.
const X: &str = "85123A";
const Y: &str = "71053";
const FILLER: &str = "84406B";

fn basket(skus: &[&str]) -> BTreeSet<String> {
    skus.iter().map(|sku| (*sku).to_owned()).collect()
}

/// Six baskets of X and Y and ten of the filler, without a shopper; then one basket of X for
/// each of the two shoppers. X → Y has confidence 6/8 and lift 6·18/(8·6) = 2.25.
async fn seed_history(service: &OffersService) -> (String, String) {
    import_demo_catalog(&service.service.state).await;
    let now = service.service.state.clock.now_ms();
    let pairs: Vec<_> = (0..6).map(|_| basket(&[X, Y])).collect();
    let fillers: Vec<_> = (0..10).map(|_| basket(&[FILLER])).collect();
    insert_purchases(service.db(), None, &pairs, now).await;
    insert_purchases(service.db(), None, &fillers, now).await;
    let shopper_a = service.shopper_id(SUB_A).await;
    let shopper_b = service.shopper_id(SUB_B).await;
    insert_purchases(service.db(), Some(&shopper_a), &[basket(&[X])], now).await;
    insert_purchases(service.db(), Some(&shopper_b), &[basket(&[X])], now).await;
    (shopper_a, shopper_b)
}

fn targeted(offers: &[Value]) -> Vec<&Value> {
    offers.iter().filter(|o| o["kind"] == "targeted").collect()
}

async fn dump(service: &OffersService, sql: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(sql)
        .fetch_all(&service.db().pool)
        .await
        .expect("dump")
}

#[tokio::test]
async fn consent_history_records_changes() {
    let service = OffersService::start().await;
    let (status, first) = service
        .app(Method::GET, "/app/v1/consent", SUB_A, None, None)
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["granted"], false);
    assert_eq!(first["history"], json!([]));

    service.set_consent(SUB_A, true).await;
    service.service.state.clock.advance_ms(1_000);
    let repeated = service.set_consent(SUB_A, true).await;
    assert_eq!(repeated["history"].as_array().map(Vec::len), Some(1));
    service.service.state.clock.advance_ms(1_000);
    let off = service.set_consent(SUB_A, false).await;

    assert_eq!(off["granted"], false);
    assert_eq!(off["purpose"], "targeted-offers");
    let history = off["history"].as_array().cloned().unwrap_or_default();
    assert_eq!(history.len(), 2, "{off}");
    assert_eq!(history[0]["granted"], true);
    assert_eq!(history[1]["granted"], false);
    assert!(
        history[0]["changed_at"].as_str() < history[1]["changed_at"].as_str(),
        "{off}"
    );

    let (_, shown) = service
        .app(Method::GET, "/app/v1/consent", SUB_A, None, None)
        .await;
    assert_eq!(shown, off);
}

#[tokio::test]
async fn bad_consent_body_is_rejected() {
    let service = OffersService::start().await;
    for body in [
        json!({}),
        json!({"granted": "yes"}),
        json!({"granted": true, "extra": 1}),
    ] {
        let (status, problem) = service
            .app(
                Method::PUT,
                "/app/v1/consent",
                SUB_A,
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 400, "{body}: {problem}");
    }
}

#[tokio::test]
async fn targeted_offers_follow_consent() {
    let service = OffersService::start().await;
    let (shopper_a, _) = seed_history(&service).await;
    service.set_consent(SUB_A, true).await;

    let counts = service.recompute().await;
    assert_eq!(counts["stores"], 1, "{counts}");
    assert_eq!(counts["new_targets"], 1, "{counts}");

    let items = lookup_items(service.db(), STORE, [X])
        .await
        .expect("lookup");
    let x_name = items[X].item_name.clone();
    let offers_a = service.offers(SUB_A).await;
    let mine = targeted(&offers_a);
    assert_eq!(mine.len(), 1, "{offers_a:?}");
    assert_eq!(mine[0]["reason"], format!("because you bought {x_name}"));
    assert_eq!(mine[0]["rule"]["target"]["sku"], Y);
    assert_eq!(mine[0]["activated"], false);
    assert!(
        targeted(&service.offers(SUB_B).await).is_empty(),
        "B never opted in"
    );

    let event: Option<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE shopper_id = $1 AND kind = 'offers-new'",
    )
    .bind(&shopper_a)
    .fetch_optional(&service.db().pool)
    .await
    .expect("event");
    let offer_id = mine[0]["offer_id"].as_str().unwrap_or_default().to_owned();
    assert!(event.is_some_and(|payload| payload.contains(&offer_id)));

    let (status, activated) = service.activate(SUB_A, &offer_id).await;
    assert_eq!(status, 200, "{activated}");
    assert_eq!(activated["activated"], true);

    let off = service.set_consent(SUB_A, false).await;
    assert_eq!(off["granted"], false);
    assert!(targeted(&service.offers(SUB_A).await).is_empty());
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM offer_targets WHERE shopper_id = $1) + \
         (SELECT COUNT(*) FROM offer_activations WHERE shopper_id = $1)",
    )
    .bind(&shopper_a)
    .fetch_one(&service.db().pool)
    .await
    .expect("count");
    assert_eq!(left, 0, "targets and activations after opting out");

    let again = service.recompute().await;
    assert_eq!(
        again["new_targets"], 0,
        "an opted-out shopper gets no target: {again}"
    );
}

#[tokio::test]
async fn recompute_twice_changes_nothing() {
    let service = OffersService::start().await;
    seed_history(&service).await;
    service.set_consent(SUB_A, true).await;
    let rules_sql = "SELECT antecedent || '>' || consequent, \
        CAST(support AS TEXT) || '/' || CAST(confidence AS TEXT) || '/' || CAST(lift AS TEXT), \
        CAST(computed_at AS TEXT) FROM association_rules ORDER BY 1";
    let targets_sql = "SELECT offer_id || '/' || shopper_id, reason, \
        CAST(score AS TEXT) || '/' || CAST(created_at AS TEXT) FROM offer_targets ORDER BY 1";
    let offers_sql = "SELECT offer_id, title, CAST(updated_at AS TEXT) FROM offers ORDER BY 1";

    let first = service.recompute().await;
    let before = (
        dump(&service, rules_sql).await,
        dump(&service, targets_sql).await,
        dump(&service, offers_sql).await,
    );
    service.service.state.clock.advance_ms(60_000);
    let second = service.recompute().await;
    let after = (
        dump(&service, rules_sql).await,
        dump(&service, targets_sql).await,
        dump(&service, offers_sql).await,
    );

    assert!(!before.0.is_empty(), "rules were mined");
    assert_eq!(before, after);
    assert_eq!(second["new_targets"], 0);
    assert_eq!(first["rules"], second["rules"]);
    assert_eq!(first["targets"], second["targets"]);
}

#[tokio::test]
async fn unseen_offers_share_one_not_found() {
    let service = OffersService::start().await;
    seed_history(&service).await;
    service.set_consent(SUB_A, true).await;
    service.recompute().await;
    let offers_a = service.offers(SUB_A).await;
    let a_only = targeted(&offers_a)[0]["offer_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let key = service.admin_key();
    let body = percent_off_sku("gone", X, 1_000);
    let (status, _) = service
        .admin(Method::POST, "/admin/v1/offers", &key, Some(body))
        .await;
    assert_eq!(status, 201);
    let (status, _) = service
        .admin(Method::POST, "/admin/v1/offers/gone/withdraw", &key, None)
        .await;
    assert_eq!(status, 200);

    let (missing_status, missing) = service.activate(SUB_B, "no-such-offer").await;
    assert_eq!(missing_status, 404);
    for offer_id in [a_only.as_str(), "gone"] {
        let (status, body) = service.activate(SUB_B, offer_id).await;
        assert_eq!(status, 404, "{offer_id}");
        assert_eq!(body, missing, "{offer_id} answers like a missing id");
    }
}

#[tokio::test]
async fn activation_is_idempotent() {
    let service = OffersService::start().await;
    let key = service.admin_key();
    let (status, _) = service
        .admin(
            Method::POST,
            "/admin/v1/offers",
            &key,
            Some(percent_off_sku("twice", X, 1_000)),
        )
        .await;
    assert_eq!(status, 201);

    let (first_status, first) = service.activate(SUB_A, "twice").await;
    service.service.state.clock.advance_ms(5_000);
    let (second_status, second) = service.activate(SUB_A, "twice").await;
    assert_eq!(first_status, 200, "{first}");
    assert_eq!(second_status, 200, "{second}");
    assert_eq!(first, second);

    let (status, problem) = service
        .app(
            Method::POST,
            "/app/v1/offers/twice/activate",
            SUB_A,
            None,
            None,
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["type"], "/problems/missing-idempotency-key");
}
