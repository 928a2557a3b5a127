//! The CreatePurchases request (`POST /v1/order/purchases`) and its validation.
//!
//! Unknown JSON fields are accepted everywhere, because Amazon adds attributes without notice.
//! The enums that Amazon's own test plan expects a 400 for (`authEvents[].location`,
//! `authEvents[].payloadType`, `cartItems[].type`) reject unknown values; so does a quantity
//! unit that the unit table does not map. Every rejection names the field by its JSON path.

use rust_decimal::Decimal;
use serde::Deserialize;
use time::OffsetDateTime;

/// Longest id JWO sends in these fields.
pub const MAX_ID_LEN: usize = 255;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePurchasesRequest {
    pub request_id: String,
    pub idempotent_shopping_trip_id: String,
    pub store_id: String,
    pub shopping_trip: ShoppingTrip,
    pub cart_items: Vec<CartItem>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShoppingTrip {
    pub start_time: String,
    pub end_time: String,
    pub auth_events: Vec<AuthEvent>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthEvent {
    pub id: String,
    pub timestamp: Option<String>,
    pub location: Option<String>,
    pub payload_type: String,
    pub scan_result: Option<ScanResult>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub quantity: Quantity,
    #[serde(default)]
    pub external_identifiers: Vec<ExternalIdentifier>,
    pub line_item_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Quantity {
    /// A decimal number as text, such as `"2"` or `"0.375"`.
    pub value: String,
    pub unit: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExternalIdentifier {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Whether a cart line names a SKU or a scanned barcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Sku,
    ScanCode,
}

/// Who the trip belongs to, from `scanResult.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorKind {
    Shopper,
    Associate,
    Cash,
    Loyalty,
}

/// A cart line after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCartItem {
    pub id: String,
    pub kind: ItemKind,
    pub quantity: Decimal,
    pub unit: String,
    pub line_item_id: Option<String>,
    pub barcodes: Vec<String>,
}

/// A request after validation: every field checked, times parsed.
#[derive(Debug, Clone)]
pub struct ValidPurchase {
    pub request_id: String,
    pub idempotent_shopping_trip_id: String,
    pub store_id: String,
    pub start_time: OffsetDateTime,
    pub end_time: OffsetDateTime,
    /// `(authEvents[].id, scanResult.id, scanResult.type)` in the order sent.
    pub auth_events: Vec<(String, Option<String>, Option<VisitorKind>)>,
    pub items: Vec<ValidCartItem>,
}

/// A field that failed validation: its JSON path and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

fn field_error(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Parses and validates a request body. `known_units` lists the quantity units the unit table
/// maps (compared case-insensitively).
pub fn parse(body: &[u8], known_units: &[&str]) -> Result<ValidPurchase, FieldError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let request: CreatePurchasesRequest =
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let reason = describe_serde_error(error.inner());
            let parent = if path == "." || path == "?" {
                None
            } else {
                Some(path)
            };
            // A missing field is reported at its parent; name the field itself.
            let missing = reason
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned);
            let field = match (parent, missing) {
                (Some(parent), Some(name)) => format!("{parent}.{name}"),
                (None, Some(name)) => name,
                (Some(parent), None) => parent,
                (None, None) => "body".to_owned(),
            };
            field_error(field, reason)
        })?;
    validate(request, known_units)
}

fn describe_serde_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    // serde_json appends " at line L column C"; the path already locates the problem.
    match text.find(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

fn validate(
    request: CreatePurchasesRequest,
    known_units: &[&str],
) -> Result<ValidPurchase, FieldError> {
    check_uuid("requestId", &request.request_id)?;
    check_id(
        "idempotentShoppingTripId",
        &request.idempotent_shopping_trip_id,
    )?;
    check_id("storeId", &request.store_id)?;

    let trip = &request.shopping_trip;
    let start_time = parse_time("shoppingTrip.startTime", &trip.start_time)?;
    let end_time = parse_time("shoppingTrip.endTime", &trip.end_time)?;
    if end_time < start_time {
        return Err(field_error(
            "shoppingTrip.endTime",
            "is before shoppingTrip.startTime",
        ));
    }
    if trip.auth_events.is_empty() {
        return Err(field_error(
            "shoppingTrip.authEvents",
            "must contain at least one event",
        ));
    }

    let mut auth_events = Vec::with_capacity(trip.auth_events.len());
    for (index, event) in trip.auth_events.iter().enumerate() {
        auth_events.push(validate_auth_event(index, event)?);
    }

    let mut items = Vec::with_capacity(request.cart_items.len());
    for (index, item) in request.cart_items.iter().enumerate() {
        items.push(validate_item(index, item, known_units)?);
    }

    Ok(ValidPurchase {
        request_id: request.request_id,
        idempotent_shopping_trip_id: request.idempotent_shopping_trip_id,
        store_id: request.store_id,
        start_time,
        end_time,
        auth_events,
        items,
    })
}

type ValidAuthEvent = (String, Option<String>, Option<VisitorKind>);

fn validate_auth_event(index: usize, event: &AuthEvent) -> Result<ValidAuthEvent, FieldError> {
    let path = |name: &str| format!("shoppingTrip.authEvents[{index}].{name}");
    // NOTE: the published test plan validates the format of authEvents[].id without saying
    // which format. Gate events carry UUIDs, but any printable id up to 255 characters is
    // accepted here, so an id format Amazon adds later does not fail every purchase.
    check_id(&path("id"), &event.id)?;
    if let Some(timestamp) = &event.timestamp {
        parse_time(&path("timestamp"), timestamp)?;
    }
    if let Some(location) = &event.location
        && !matches!(location.as_str(), "ENTRY" | "MANUAL_IN_STORE" | "EXIT")
    {
        return Err(field_error(
            path("location"),
            format!("unknown value {location:?}; expected ENTRY or MANUAL_IN_STORE"),
        ));
    }
    if !matches!(event.payload_type.as_str(), "SCAN_CODE" | "FINANCIAL") {
        return Err(field_error(
            path("payloadType"),
            format!(
                "unknown value {:?}; expected SCAN_CODE or FINANCIAL",
                event.payload_type
            ),
        ));
    }
    let (scan_id, visitor_kind) = match &event.scan_result {
        None => (None, None),
        Some(scan) => {
            check_id(&path("scanResult.id"), &scan.id)?;
            let kind = match scan.kind.as_str() {
                "SHOPPER" => VisitorKind::Shopper,
                "ASSOCIATE" => VisitorKind::Associate,
                "CASH" => VisitorKind::Cash,
                "LOYALTY" => VisitorKind::Loyalty,
                other => {
                    return Err(field_error(
                        path("scanResult.type"),
                        format!(
                            "unknown value {other:?}; expected SHOPPER, ASSOCIATE, CASH or LOYALTY"
                        ),
                    ));
                }
            };
            (Some(scan.id.clone()), Some(kind))
        }
    };
    Ok((event.id.clone(), scan_id, visitor_kind))
}

fn validate_item(
    index: usize,
    item: &CartItem,
    known_units: &[&str],
) -> Result<ValidCartItem, FieldError> {
    let path = |name: &str| format!("cartItems[{index}].{name}");
    check_id(&path("id"), &item.id)?;
    let kind = match item.kind.as_str() {
        "SKU" => ItemKind::Sku,
        "SCANCODE" => ItemKind::ScanCode,
        other => {
            return Err(field_error(
                path("type"),
                format!("unknown value {other:?}; expected SKU or SCANCODE"),
            ));
        }
    };

    let raw = item.quantity.value.trim();
    let quantity: Decimal = raw.parse().map_err(|_| {
        field_error(
            path("quantity.value"),
            format!("{raw:?} is not a decimal number"),
        )
    })?;
    if quantity <= Decimal::ZERO {
        return Err(field_error(
            path("quantity.value"),
            format!("{raw:?} is not greater than zero"),
        ));
    }
    let unit = item.quantity.unit.trim().to_ascii_lowercase();
    if !known_units
        .iter()
        .any(|known| known.eq_ignore_ascii_case(&unit))
    {
        return Err(field_error(
            path("quantity.unit"),
            format!(
                "unknown unit {:?}; expected one of {}",
                item.quantity.unit,
                known_units.join(", ")
            ),
        ));
    }

    if let Some(line_item_id) = &item.line_item_id {
        check_id(&path("lineItemId"), line_item_id)?;
    }
    let mut barcodes = Vec::new();
    for (position, identifier) in item.external_identifiers.iter().enumerate() {
        check_id(
            &path(&format!("externalIdentifiers[{position}].id")),
            &identifier.id,
        )?;
        barcodes.push(identifier.id.clone());
    }

    Ok(ValidCartItem {
        id: item.id.clone(),
        kind,
        quantity,
        unit,
        line_item_id: item.line_item_id.clone(),
        barcodes,
    })
}

fn check_id(field: &str, value: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(field_error(field, "must not be empty"));
    }
    if value.chars().count() > MAX_ID_LEN {
        return Err(field_error(
            field,
            format!("is longer than {MAX_ID_LEN} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(field_error(field, "contains control characters"));
    }
    Ok(())
}

/// Checks the UUID form JWO uses: 8-4-4-4-12 hexadecimal digits of either case, with no check
/// of the version or variant digits.
pub fn check_uuid(field: &str, value: &str) -> Result<(), FieldError> {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths_match = groups.len() == 5 && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    let all_hex = groups
        .iter()
        .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
    if lengths_match && all_hex {
        Ok(())
    } else {
        Err(field_error(
            field,
            "is not a UUID (expected 8-4-4-4-12 hexadecimal digits)",
        ))
    }
}

fn parse_time(field: &str, value: &str) -> Result<OffsetDateTime, FieldError> {
    OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).map_err(|_| {
        field_error(
            field,
            format!("{value:?} is not an ISO 8601 UTC date-time such as 2024-03-22T17:09:39Z"),
        )
    })
}
