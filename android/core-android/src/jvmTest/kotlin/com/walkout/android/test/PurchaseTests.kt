// The trip card and the receipts screen during a real trip: the test plays Amazon's side (the
// gate scan and the cart) against the connectors service with its JWO caller token. The trip
// model shows the trip after the scan, and the receipts models sync and show the issued receipt.

package com.walkout.android.test

import com.walkout.android.viewmodel.CoreTrips
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.ReceiptDetailViewModel
import com.walkout.android.viewmodel.ReceiptsViewModel
import com.walkout.android.viewmodel.TripState
import com.walkout.android.viewmodel.TripViewModel
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.util.Base64
import java.util.UUID

private const val STORE_ID = "UK-LON-001"

/** The JWO side of a trip: posts to the service as Amazon's gateway does. */
private class JwoGateway(private val baseUrl: String, private val token: String) {
    private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    /** Scans [codeText] at the gate; returns the visitor id and the auth event id. */
    fun admit(codeText: String): Pair<String, String> {
        val authEventId = UUID.randomUUID().toString()
        val identityKey = Base64.getEncoder().encodeToString(codeText.toByteArray())
        val body = """{"requestId":"${UUID.randomUUID()}","identityKey":"$identityKey","storeId":"$STORE_ID",
            |"authEvent":{"id":"$authEventId","timestamp":"${Instant.now()}","location":"ENTRY"},
            |"keyChannel":"OPTICAL"}""".trimMargin()
        val (status, answer) = post("/v1/identity/identity-keys", body)
        expectEqual(200, status, "identity-keys status (body: $answer)")
        val visitor = Regex("\"visitorDetails\"\\s*:\\s*\\{[^}]*\"id\"\\s*:\\s*\"([^\"]+)\"").find(answer)
        expect(visitor != null) { "no visitorDetails.id in $answer" }
        return Pair(visitor!!.groupValues[1], authEventId)
    }

    /** Sends a cart of one [sku] for the trip opened by [admitted]. */
    fun purchase(admitted: Pair<String, String>, sku: String, enteredAt: Instant) {
        val (visitorId, authEventId) = admitted
        val body = """{"requestId":"${UUID.randomUUID()}","idempotentShoppingTripId":"${UUID.randomUUID()}",
            |"storeId":"$STORE_ID","shoppingTrip":{"startTime":"$enteredAt","endTime":"${Instant.now()}",
            |"authEvents":[{"id":"$authEventId","timestamp":"$enteredAt","location":"ENTRY","payloadType":"SCAN_CODE",
            |"scanResult":{"id":"$visitorId","type":"SHOPPER"}}]},
            |"cartItems":[{"id":"$sku","type":"SKU","quantity":{"value":"1","unit":"each"}}]}""".trimMargin()
        val (status, answer) = post("/v1/order/purchases", body)
        expectEqual(201, status, "purchases status (body: $answer)")
    }

    private fun post(path: String, body: String): Pair<Int, String> {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer $token")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val response = client.send(request, HttpResponse.BodyHandlers.ofString())
        return Pair(response.statusCode(), response.body())
    }
}

fun purchaseTests(): List<TestCase> = listOf(
    TestCase("receipt appears after purchase") {
        val gateway = JwoGateway(requireEnv("WALKOUT_BACKEND_URL"), requireEnv("WALKOUT_JWO_TOKEN"))
        val device = Device().also { signUpAndSignIn(it) }
        device.app.addCard("4242424242424242", 12u, 2035u, "123")
        device.app.enrollDevice()
        val enteredAt = Instant.now()
        val admitted = gateway.admit(device.app.entryCode().text)

        val trip = TripViewModel(CoreTrips(device.app), Dispatch.immediate)
        trip.load()
        expectEqual(null, trip.state.value.error, "trip error after the gate scan")
        expectEqual(TripState.ENTERED, trip.state.value.trip?.state, "trip state after the gate scan")
        expectEqual(STORE_ID, trip.state.value.trip?.storeId, "trip store")
        expectEqual(trip.state.value.trip, CoreTrips(device.app).cachedTrip(), "cached trip")

        gateway.purchase(admitted, "85123A", enteredAt)

        // The service issues the receipt in a background job, so sync until it arrives.
        val model = ReceiptsViewModel(device.app, Dispatch.immediate)
        val deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos()
        model.load()
        while (model.state.value.receipts.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250)
            model.sync()
        }
        val receipts = model.state.value.receipts
        expectEqual(1, receipts.size, "receipts")
        expectEqual(STORE_ID, receipts[0].storeId, "store")

        val detail = ReceiptDetailViewModel(device.app, Dispatch.immediate, receipts[0].receiptId)
        detail.load()
        expectEqual(receipts[0].receiptNumber, detail.state.value.receipt?.receiptNumber, "receipt number")
        expect(detail.state.value.text?.isNotBlank() == true) { "no receipt text" }

        trip.refresh()
        expectEqual(TripState.RECEIPT_READY, trip.state.value.trip?.state, "trip state after the receipt")
        expectEqual(receipts[0].receiptId, trip.state.value.trip?.receiptId, "trip receipt")
    },
)
