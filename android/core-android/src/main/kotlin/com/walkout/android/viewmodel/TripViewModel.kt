// The current trip's status: entered, cart received, charged, payment failed (with the amount
// owed), receipt ready or closed without items. The core fetches and caches the trip; this
// model shows the cached state first, so the screen has something to show while offline.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.Money

/** A trip's state, with the backend's names. */
enum class TripState(val wireName: String) {
    ENTERED("entered"),
    CART_RECEIVED("cart_received"),
    CHARGED("charged"),
    PAYMENT_FAILED("payment_failed"),
    RECEIPT_READY("receipt_ready"),
    CLOSED_EMPTY("closed_empty"),

    /** A state added to the backend after this version of the app. */
    UNKNOWN("unknown"),
}

/** A shopping trip as the backend reports it. */
data class TripStatus(
    val tripId: String,
    val storeId: String,
    val state: TripState,
    /** RFC 3339 in UTC. */
    val enteredAt: String,
    /** The trip's receipt, once issued. */
    val receiptId: String?,
    /** The amount owed when [state] is [TripState.PAYMENT_FAILED]. */
    val outstanding: Money?,
    /** The trip was opened with a test key and is never charged. */
    val isTest: Boolean,
)

/** The core's trip calls; [CoreTrips] implements it over the bindings. */
interface TripSource {
    /** Fetches the current trip from the backend and caches it; `null` before the first trip. */
    fun currentTrip(): TripStatus?

    /** Returns the last trip fetched, without the network. */
    fun cachedTrip(): TripStatus?
}

data class TripViewState(
    val trip: TripStatus? = null,
    val refreshing: Boolean = false,
    /** Shown on the trip card: the amount owed after a failed payment, formatted. */
    val outstandingText: String? = null,
    val error: UiError? = null,
)

class TripViewModel(
    private val trips: TripSource,
    dispatch: Dispatch,
    private val locale: java.util.Locale = java.util.Locale.getDefault(),
) : ViewModel(dispatch) {
    val state = StateHolder(TripViewState())

    /** Shows the cached trip, then fetches the current one. */
    fun load() {
        perform({ trips.cachedTrip() }) { outcome ->
            if (outcome is Outcome.Success) show(outcome.value)
            refresh()
        }
    }

    /** Fetches the current trip; an event such as `trip-updated` or `receipt-ready` calls it. */
    fun refresh() {
        state.update { it.copy(refreshing = true, error = null) }
        perform({ trips.currentTrip() }) { outcome ->
            when (outcome) {
                is Outcome.Success -> show(outcome.value)
                is Outcome.Failure -> state.update { it.copy(refreshing = false, error = outcome.error) }
            }
        }
    }

    private fun show(trip: TripStatus?) {
        val owed = trip?.outstanding?.takeIf { trip.state == TripState.PAYMENT_FAILED }
        state.update {
            it.copy(trip = trip, refreshing = false, outstandingText = owed?.let { money -> formatMoney(money, locale) })
        }
    }
}
