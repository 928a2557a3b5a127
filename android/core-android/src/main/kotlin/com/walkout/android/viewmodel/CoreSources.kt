// Adapters from the generated `WalkoutAppInterface` to the small source interfaces of the trip
// and offers view models, so the models stay testable with fakes and the app uses the core.
// They only convert types; every call blocks on the network like the core call it wraps.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.OfferKind
import uniffi.walkout_ffi.WalkoutAppInterface
import uniffi.walkout_ffi.Offer as CoreOffer
import uniffi.walkout_ffi.Trip as CoreTrip
import uniffi.walkout_ffi.TripState as CoreTripState

/** [OffersSource] over the core's `offers`, `consent` and `setConsent`. */
class CoreOffers(private val app: WalkoutAppInterface) : OffersSource {
    /** Fetches the consent. A shopper who never chose has an empty history, which maps to `null`. */
    override fun consent(): Boolean? {
        val consent = app.consent()
        return if (consent.history.isEmpty()) null else consent.granted
    }

    override fun setConsent(granted: Boolean) {
        app.setConsent(granted)
    }

    override fun offers(): List<Offer> = app.offers().map(::offerOf)
}

/** [TripSource] over the core's `currentTrip` and `cachedTrip`. */
class CoreTrips(private val app: WalkoutAppInterface) : TripSource {
    override fun currentTrip(): TripStatus? = app.currentTrip()?.let(::tripStatusOf)

    override fun cachedTrip(): TripStatus? = app.cachedTrip()?.let(::tripStatusOf)
}

/** Converts the core's offer to the one the offers screen shows. */
fun offerOf(offer: CoreOffer): Offer = Offer(
    offerId = offer.offerId,
    title = offer.title,
    description = offer.description,
    validUntil = offer.activeTo,
    targeted = offer.kind == OfferKind.TARGETED,
    reason = offer.reason,
    activated = offer.activated,
)

/** Converts the core's trip to the one the trip card shows. */
fun tripStatusOf(trip: CoreTrip): TripStatus = TripStatus(
    tripId = trip.tripId,
    storeId = trip.storeId,
    state = tripStateOf(trip.state),
    enteredAt = trip.enteredAt,
    receiptId = trip.receiptId,
    outstanding = trip.outstanding,
    isTest = trip.isTest,
)

private fun tripStateOf(state: CoreTripState): TripState = when (state) {
    CoreTripState.ENTERED -> TripState.ENTERED
    CoreTripState.CART_RECEIVED -> TripState.CART_RECEIVED
    CoreTripState.CHARGED -> TripState.CHARGED
    CoreTripState.PAYMENT_FAILED -> TripState.PAYMENT_FAILED
    CoreTripState.RECEIPT_READY -> TripState.RECEIPT_READY
    CoreTripState.CLOSED_EMPTY -> TripState.CLOSED_EMPTY
    CoreTripState.UNKNOWN -> TripState.UNKNOWN
}
