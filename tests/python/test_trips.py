"""A trip through the gate and out with an empty cart, driven through the service's JWO
endpoints as Amazon's gateway would call them, and read back through the generated Python
bindings."""

import base64
import datetime
import json
import os
import time
import urllib.error
import urllib.request
import uuid

from conftest import require_env, walkout_ffi

STORE_ID = "UK-LON-001"
SANDBOX_VISA = "4242424242424242"


def now_rfc3339():
    """Return the current UTC time to the second, as JWO sends it."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def jwo_post(path, body):
    """POST `body` as JWO does, with the caller token; return the status and the JSON body."""
    request = urllib.request.Request(
        os.environ["WALKOUT_BACKEND_URL"] + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": "Bearer " + require_env("WALKOUT_JWO_TOKEN"),
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scan_entry_code(code_text, auth_event_id, entered_at):
    """Scan the shopper's entry code at the gate; return the visitor id."""
    status, body = jwo_post(
        "/v1/identity/identity-keys",
        {
            "requestId": str(uuid.uuid4()),
            "identityKey": base64.b64encode(code_text.encode()).decode(),
            "storeId": STORE_ID,
            "authEvent": {"id": auth_event_id, "timestamp": entered_at, "location": "ENTRY"},
            "keyChannel": "OPTICAL",
        },
    )
    assert status == 200, body
    return body["visitorDetails"]["id"]


def leave_with_empty_cart(visitor_id, auth_event_id, entered_at):
    """Send CreatePurchases with no items for the trip; return the purchase id."""
    status, body = jwo_post(
        "/v1/order/purchases",
        {
            "requestId": str(uuid.uuid4()),
            "idempotentShoppingTripId": str(uuid.uuid4()),
            "storeId": STORE_ID,
            "shoppingTrip": {
                "startTime": entered_at,
                "endTime": now_rfc3339(),
                "authEvents": [
                    {
                        "id": auth_event_id,
                        "timestamp": entered_at,
                        "location": "ENTRY",
                        "payloadType": "SCAN_CODE",
                        "scanResult": {"id": visitor_id, "type": "SHOPPER"},
                    }
                ],
            },
            "cartItems": [],
        },
    )
    assert status == 201, body
    return body["purchaseId"]


def enter_store(app):
    """Save a card, enroll and pass the gate; return the visitor id, auth event id and time."""
    require_env("WALKOUT_JWO_TOKEN")
    card = app.add_card(SANDBOX_VISA, 12, 2040, "123")
    app.set_default_card(card.id)
    app.enroll_device()
    auth_event_id = str(uuid.uuid4())
    entered_at = now_rfc3339()
    visitor_id = scan_entry_code(app.entry_code().text, auth_event_id, entered_at)
    return visitor_id, auth_event_id, entered_at


def settled_trip(app, timeout_seconds=15):
    """Fetch the current trip until the service has processed the cart, or the time is up."""
    deadline = time.monotonic() + timeout_seconds
    trip = app.current_trip()
    while trip.state == walkout_ffi.TripState.CART_RECEIVED and time.monotonic() < deadline:
        time.sleep(0.2)
        trip = app.current_trip()
    return trip


def test_trip_states_follow_gate_and_exit(signed_in):
    visitor_id, auth_event_id, entered_at = enter_store(signed_in)
    entered = signed_in.current_trip()
    assert entered.state == walkout_ffi.TripState.ENTERED
    assert entered.store_id == STORE_ID
    assert entered.receipt_id is None
    assert entered.outstanding is None
    assert entered.is_test is False

    purchase_id = leave_with_empty_cart(visitor_id, auth_event_id, entered_at)
    closed = settled_trip(signed_in)
    assert closed.trip_id == entered.trip_id
    assert closed.state == walkout_ffi.TripState.CLOSED_EMPTY
    assert closed.receipt_id == purchase_id
    assert closed.outstanding is None


def test_trip_is_cached_and_fetched_by_id(signed_in):
    enter_store(signed_in)
    current = signed_in.current_trip()
    assert signed_in.cached_trip() == current
    assert signed_in.trip(current.trip_id) == current
    assert signed_in.balance().is_settled


def synced_receipts(app, timeout_seconds=15):
    """Sync until a receipt is stored or the time is up; return the stored receipts."""
    deadline = time.monotonic() + timeout_seconds
    app.sync_receipts()
    receipts = app.receipts(10, None)
    while not receipts and time.monotonic() < deadline:
        time.sleep(0.2)
        app.sync_receipts()
        receipts = app.receipts(10, None)
    return receipts


def test_empty_trip_receipt_is_synced(signed_in):
    visitor_id, auth_event_id, entered_at = enter_store(signed_in)
    leave_with_empty_cart(visitor_id, auth_event_id, entered_at)
    trip = settled_trip(signed_in)

    receipts = synced_receipts(signed_in)
    assert [summary.receipt_id for summary in receipts] == [trip.receipt_id]
    assert receipts[0].total == walkout_ffi.Money(amount_minor=0, currency="GBP")
    assert receipts[0].item_count == 0

    detail = signed_in.receipt(trip.receipt_id)
    assert detail.trip_id == trip.trip_id
    assert detail.store_id == STORE_ID
    assert detail.time_zone == "Europe/London"
    assert detail.lines == []
    assert detail.tenders == []
    assert detail.totals.grand == walkout_ffi.Money(amount_minor=0, currency="GBP")
    assert signed_in.receipt_sync_status().receipt_count == 1
