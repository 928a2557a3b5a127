// Kotlin tests of a trip through the gate and out with an empty cart, driven through the
// service's JWO endpoints as Amazon's gateway would call them, then read back and synced
// through the bindings.

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.Base64
import java.util.UUID
import uniffi.walkout_ffi.Money
import uniffi.walkout_ffi.Trip
import uniffi.walkout_ffi.TripState
import uniffi.walkout_ffi.WalkoutApp

private const val STORE_ID = "UK-LON-001"
private const val SANDBOX_VISA = "4242424242424242"
private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

/** POSTs `json` to the service as JWO does; returns the status and the body. */
private fun jwoPost(path: String, json: String): Pair<Int, String> {
    val request = HttpRequest.newBuilder(URI.create(requireEnv("WALKOUT_BACKEND_URL") + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + requireEnv("WALKOUT_JWO_TOKEN"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build()
    val response = http.send(request, HttpResponse.BodyHandlers.ofString())
    return Pair(response.statusCode(), response.body())
}

/** Returns the value of the string field `name` in a flat JSON object, or fails. */
private fun jsonField(body: String, name: String): String {
    val match = Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(body)
    return match?.groupValues?.get(1) ?: throw AssertionError("no \"$name\" in $body")
}

private fun nowRfc3339(): String = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()

/** A trip opened at the gate: what CreatePurchases needs to close it. */
private class OpenTrip(val visitorId: String, val authEventId: String, val enteredAt: String)

/** Saves a card, enrolls and passes the gate with the current entry code. */
private fun enterStore(app: WalkoutApp): OpenTrip {
    requireEnv("WALKOUT_JWO_TOKEN")
    val card = app.addCard(SANDBOX_VISA, 12u, 2040u, "123")
    app.setDefaultCard(card.id)
    app.enrollDevice()
    val authEventId = UUID.randomUUID().toString()
    val enteredAt = nowRfc3339()
    val identityKey = Base64.getEncoder().encodeToString(app.entryCode().text.toByteArray())
    val (status, body) = jwoPost(
        "/v1/identity/identity-keys",
        """{"requestId":"${UUID.randomUUID()}","identityKey":"$identityKey","storeId":"$STORE_ID",
           "authEvent":{"id":"$authEventId","timestamp":"$enteredAt","location":"ENTRY"},
           "keyChannel":"OPTICAL"}""",
    )
    expectEqual(200, status, "VerifyIdentityKeys status ($body)")
    return OpenTrip(jsonField(body, "id"), authEventId, enteredAt)
}

/** Closes `trip` through CreatePurchases with no items; returns the purchase id. */
private fun leaveWithEmptyCart(trip: OpenTrip): String {
    val (status, body) = jwoPost(
        "/v1/order/purchases",
        """{"requestId":"${UUID.randomUUID()}","idempotentShoppingTripId":"${UUID.randomUUID()}",
           "storeId":"$STORE_ID","cartItems":[],
           "shoppingTrip":{"startTime":"${trip.enteredAt}","endTime":"${nowRfc3339()}",
             "authEvents":[{"id":"${trip.authEventId}","timestamp":"${trip.enteredAt}",
               "location":"ENTRY","payloadType":"SCAN_CODE",
               "scanResult":{"id":"${trip.visitorId}","type":"SHOPPER"}}]}}""",
    )
    expectEqual(201, status, "CreatePurchases status ($body)")
    return jsonField(body, "purchaseId")
}

/** Fetches the current trip until the service has processed its cart, for at most 15 s. */
private fun settledTrip(app: WalkoutApp): Trip? {
    val deadline = System.nanoTime() + 15_000_000_000L
    var trip = app.currentTrip()
    while (trip?.state == TripState.CART_RECEIVED && System.nanoTime() < deadline) {
        Thread.sleep(200)
        trip = app.currentTrip()
    }
    return trip
}

fun tripTests(): List<TestCase> = listOf(
    TestCase("empty trip closes and syncs receipt") {
        val app = signedInApp().app
        val open = enterStore(app)
        expectEqual(TripState.ENTERED, app.currentTrip()?.state, "state after the gate")

        val purchaseId = leaveWithEmptyCart(open)
        val trip = settledTrip(app) ?: throw AssertionError("no current trip after the exit")
        expectEqual(TripState.CLOSED_EMPTY, trip.state, "state after the exit")
        expectEqual(purchaseId, trip.receiptId, "receipt id")
        expectEqual(trip, app.cachedTrip(), "cached trip")
        expectEqual(trip, app.trip(trip.tripId), "trip by id")

        val deadline = System.nanoTime() + 15_000_000_000L
        var applied = app.syncReceipts().applied
        while (applied == 0uL && System.nanoTime() < deadline) {
            Thread.sleep(200)
            applied += app.syncReceipts().applied
        }
        expectEqual(1uL, applied, "receipts applied")
        val detail = app.receipt(purchaseId) ?: throw AssertionError("receipt not stored")
        expectEqual(trip.tripId, detail.tripId, "receipt trip id")
        expectEqual(STORE_ID, detail.storeId, "receipt store")
        expectEqual(Money(0L, "GBP"), detail.totals.grand, "grand total")
        expectEqual(0, detail.lines.size, "receipt lines")
    },
)
