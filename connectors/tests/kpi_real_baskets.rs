//! The KPI report over real baskets from the UCI data, replayed through CreatePurchases for a
//! few shoppers and charged at the sandbox PSP. The expected figures come from the baskets and
//! the PSP's captures, not from the purchases table the report reads.

mod ordering_support;

use ordering_support::{
    Service, captured_amount, import_demo_catalog, open_trip, purchase_body, shopper_with_card,
};
use serde_json::Value;
use walkout_connectors::catalog::uci;

/// Baskets per shopper: the first shopper comes three times, the second twice, the third once.
const VISITS: [usize; 3] = [3, 2, 1];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_baskets_give_expected_kpis() {
    let service = Service::start(|_| {}).await;
    let (data, catalog) = import_demo_catalog(&service.state).await;
    let priced = |sku: &str| catalog.iter().any(|item| item.item_sku == sku);
    let baskets = uci::baskets(&data).baskets;
    let mut next = baskets.iter();
    let mut captured_total = 0;
    let mut items = 0;
    let mut count = 0;

    for (number, visits) in VISITS.iter().enumerate() {
        let (shopper_id, visitor_id) =
            shopper_with_card(&service, &format!("kpi-shopper-{number}")).await;
        for _ in 0..*visits {
            let basket = next.next().expect("enough real baskets");
            let (trip_id, auth_event_id) =
                open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
            let quantities: Vec<String> = basket
                .lines
                .iter()
                .map(|l| l.quantity.to_string())
                .collect();
            let lines: Vec<(&str, &str, &str, &str)> = basket
                .lines
                .iter()
                .zip(&quantities)
                .map(|(line, quantity)| (line.sku.as_str(), "SKU", quantity.as_str(), "each"))
                .collect();
            let body = purchase_body(
                &uuid::Uuid::now_v7().to_string(),
                &auth_event_id,
                &visitor_id,
                &lines,
            );
            let (status, answer) = service.post_purchase(&body).await;
            assert_eq!(status, 201, "invoice {}: {answer}", basket.invoice_no);
            let purchase_id = answer["purchaseId"]
                .as_str()
                .expect("purchaseId")
                .to_owned();
            assert_eq!(service.wait_for_job(&purchase_id).await, "done");

            captured_total += captured_amount(&service.state, &trip_id).await;
            items += basket
                .lines
                .iter()
                .filter(|l| priced(&l.sku))
                .map(|l| l.quantity)
                .sum::<i64>();
            count += 1;
        }
    }

    let response = service
        .client
        .get(service.url("/admin/v1/reports/kpis?store_id=UK-LON-001"))
        .bearer_auth(&service.state.credentials.admin_api_key)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.expect("JSON report");

    // Half away from zero, as the report's rounding rule requires (all values are positive).
    let average = (2 * captured_total + count) / (2 * count);
    assert_eq!(report["baskets"], count);
    assert_eq!(report["average_basket"][0]["total_minor"], captured_total);
    assert_eq!(report["average_basket"][0]["average_minor"], average);
    assert_eq!(report["items_total"], items);
    assert_eq!(report["visits"]["visits"], 6);
    assert_eq!(report["visits"]["shoppers"], 3);
    assert_eq!(report["visits"]["mean_per_shopper"], "2.00");
    assert_eq!(report["visits"]["distribution"][0][1], 1);
    assert_eq!(report["visits"]["distribution"][2][1], 1);
}
