//! Validation of CreatePurchases bodies: every field the JWO test plan checks gets a precise
//! 400 reason, unknown fields are accepted, and an empty cart is valid.

use serde_json::{Value, json};
use walkout_connectors::ordering::request::{ItemKind, VisitorKind, parse};

const UNITS: &[&str] = &["each", "unit", "ea", "kg", "g", "lb", "oz"];

fn valid_body() -> Value {
    json!({
        "requestId": "5D4C2B1A-0F9E-4D8C-9B7A-6F5E4D3C2B1A",
        "idempotentShoppingTripId": "0b6f0c1e-2f55-4a55-9a3e-7c0d3f1a9b10",
        "storeId": "UK-LON-001",
        "shoppingTrip": {
            "startTime": "2024-03-22T17:09:39Z",
            "endTime": "2024-03-22T17:21:04Z",
            "authEvents": [{
                "id": "a1b2c3d4-0000-4000-8000-000000000001",
                "timestamp": "2024-03-22T17:09:39Z",
                "location": "ENTRY",
                "payloadType": "SCAN_CODE",
                "scanResult": {"id": "visitor-1", "type": "SHOPPER"}
            }]
        },
        "cartItems": [
            {"id": "85123A", "type": "SKU", "quantity": {"value": "2", "unit": "each"}},
            {"id": "5012345678900", "type": "SCANCODE", "quantity": {"value": "0.375", "unit": "kg"},
             "externalIdentifiers": [{"id": "5012345678900", "type": "EAN"}], "lineItemId": "L2"}
        ]
    })
}

fn reject(body: &Value) -> (String, String) {
    let error = parse(body.to_string().as_bytes(), UNITS).expect_err("body must be rejected");
    (error.field, error.reason)
}

fn set(body: &mut Value, pointer: &str, value: Value) {
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no field at {pointer}")) = value;
}

fn remove(body: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut *body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().remove(key);
}

#[test]
fn valid_body_parses() {
    let purchase = parse(valid_body().to_string().as_bytes(), UNITS).unwrap();
    assert_eq!(purchase.store_id, "UK-LON-001");
    assert_eq!(purchase.items.len(), 2);
    assert_eq!(purchase.items[0].kind, ItemKind::Sku);
    assert_eq!(purchase.items[1].kind, ItemKind::ScanCode);
    assert_eq!(purchase.items[1].quantity.to_string(), "0.375");
    assert_eq!(purchase.items[1].barcodes, vec!["5012345678900"]);
    assert_eq!(purchase.auth_events[0].2, Some(VisitorKind::Shopper));
}

#[test]
fn empty_cart_is_valid() {
    let mut body = valid_body();
    set(&mut body, "/cartItems", json!([]));
    assert!(
        parse(body.to_string().as_bytes(), UNITS)
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn unknown_fields_are_accepted() {
    let mut body = valid_body();
    body["futureField"] = json!({"nested": true});
    body["shoppingTrip"]["authEvents"][0]["newThing"] = json!(1);
    body["cartItems"][0]["price"] = json!("ignored");
    assert!(parse(body.to_string().as_bytes(), UNITS).is_ok());
}

#[test]
fn missing_required_fields_are_named() {
    let cases = [
        ("/requestId", "requestId"),
        ("/idempotentShoppingTripId", "idempotentShoppingTripId"),
        ("/storeId", "storeId"),
        ("/shoppingTrip", "shoppingTrip"),
        ("/shoppingTrip/startTime", "shoppingTrip.startTime"),
        ("/shoppingTrip/endTime", "shoppingTrip.endTime"),
        ("/shoppingTrip/authEvents", "shoppingTrip.authEvents"),
        (
            "/shoppingTrip/authEvents/0/id",
            "shoppingTrip.authEvents[0].id",
        ),
        (
            "/shoppingTrip/authEvents/0/payloadType",
            "shoppingTrip.authEvents[0].payloadType",
        ),
        ("/cartItems", "cartItems"),
        ("/cartItems/0/id", "cartItems[0].id"),
        ("/cartItems/0/type", "cartItems[0].type"),
        ("/cartItems/0/quantity", "cartItems[0].quantity"),
        ("/cartItems/0/quantity/value", "cartItems[0].quantity.value"),
        ("/cartItems/0/quantity/unit", "cartItems[0].quantity.unit"),
    ];
    for (pointer, expected_field) in cases {
        let mut body = valid_body();
        remove(&mut body, pointer);
        let (field, reason) = reject(&body);
        assert_eq!(field, expected_field, "{pointer}");
        assert!(reason.starts_with("missing field"), "{pointer}: {reason}");
    }
}

#[test]
fn invalid_values_name_their_path() {
    let long = "x".repeat(256);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("/requestId", json!("not-a-uuid"), "requestId", "not a UUID"),
        (
            "/requestId",
            json!("5d4c2b1a0f9e4d8c9b7a6f5e4d3c2b1a"),
            "requestId",
            "not a UUID",
        ),
        (
            "/storeId",
            json!(long.clone()),
            "storeId",
            "longer than 255",
        ),
        ("/storeId", json!(""), "storeId", "must not be empty"),
        (
            "/idempotentShoppingTripId",
            json!(""),
            "idempotentShoppingTripId",
            "must not be empty",
        ),
        (
            "/shoppingTrip/startTime",
            json!("22/03/2024 17:09"),
            "shoppingTrip.startTime",
            "not an ISO 8601",
        ),
        (
            "/shoppingTrip/endTime",
            json!("2024-03-22T16:00:00Z"),
            "shoppingTrip.endTime",
            "before",
        ),
        (
            "/shoppingTrip/authEvents",
            json!([]),
            "shoppingTrip.authEvents",
            "at least one",
        ),
        (
            "/shoppingTrip/authEvents/0/id",
            json!(long.clone()),
            "shoppingTrip.authEvents[0].id",
            "longer than 255",
        ),
        (
            "/shoppingTrip/authEvents/0/payloadType",
            json!("NFC"),
            "shoppingTrip.authEvents[0].payloadType",
            "unknown value",
        ),
        (
            "/shoppingTrip/authEvents/0/location",
            json!("ROOF"),
            "shoppingTrip.authEvents[0].location",
            "unknown value",
        ),
        (
            "/shoppingTrip/authEvents/0/scanResult/type",
            json!("ROBOT"),
            "shoppingTrip.authEvents[0].scanResult.type",
            "unknown value",
        ),
        (
            "/cartItems/0/id",
            json!(long),
            "cartItems[0].id",
            "longer than 255",
        ),
        (
            "/cartItems/0/type",
            json!("UPC"),
            "cartItems[0].type",
            "unknown value",
        ),
        (
            "/cartItems/0/quantity/value",
            json!("two"),
            "cartItems[0].quantity.value",
            "not a decimal",
        ),
        (
            "/cartItems/0/quantity/value",
            json!("0"),
            "cartItems[0].quantity.value",
            "not greater than zero",
        ),
        (
            "/cartItems/0/quantity/value",
            json!("-1"),
            "cartItems[0].quantity.value",
            "not greater than zero",
        ),
        (
            "/cartItems/0/quantity/unit",
            json!("bushel"),
            "cartItems[0].quantity.unit",
            "unknown unit",
        ),
    ];
    for (pointer, value, expected_field, expected_reason) in cases {
        let mut body = valid_body();
        set(&mut body, pointer, value);
        let (field, reason) = reject(&body);
        assert_eq!(field, expected_field, "{pointer}");
        assert!(reason.contains(expected_reason), "{pointer}: {reason}");
    }
}

#[test]
fn wrong_json_types_are_named() {
    let mut body = valid_body();
    set(&mut body, "/cartItems/0/quantity", json!(2));
    let (field, _) = reject(&body);
    assert_eq!(field, "cartItems[0].quantity");

    let mut body = valid_body();
    set(&mut body, "/cartItems", json!({"id": "x"}));
    let (field, _) = reject(&body);
    assert_eq!(field, "cartItems");
}

#[test]
fn body_that_is_not_json_is_rejected() {
    let error = parse(b"{not json", UNITS).unwrap_err();
    assert_eq!(error.field, "body");
}

#[test]
fn units_compare_case_insensitively() {
    let mut body = valid_body();
    set(&mut body, "/cartItems/0/quantity/unit", json!("EACH"));
    let purchase = parse(body.to_string().as_bytes(), UNITS).unwrap();
    assert_eq!(purchase.items[0].unit, "each");
}

#[test]
fn group_trip_keeps_every_auth_event() {
    let mut body = valid_body();
    let first = body["shoppingTrip"]["authEvents"][0].clone();
    let mut second = first.clone();
    second["id"] = json!("a1b2c3d4-0000-4000-8000-000000000002");
    set(
        &mut body,
        "/shoppingTrip/authEvents",
        json!([first, second]),
    );
    let purchase = parse(body.to_string().as_bytes(), UNITS).unwrap();
    let ids: Vec<&str> = purchase.auth_events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "a1b2c3d4-0000-4000-8000-000000000001",
            "a1b2c3d4-0000-4000-8000-000000000002"
        ]
    );
}
