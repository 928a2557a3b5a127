// Targeted offers and the shopper's marketing consent. Offers are fetched only after the
// shopper opted in, and withdrawing consent clears them from the screen at once. A brand can
// switch the feature off, and then this model never calls the backend.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.Money

/** One offer, as shown to the shopper. */
data class Offer(
    val offerId: String,
    val title: String,
    val description: String,
    /** The saving, when the offer is a fixed amount off. */
    val saving: Money?,
    /** RFC 3339 in UTC; the offer ends then. */
    val validUntil: String?,
)

/**
 * The core's offer and consent calls.
 *
 * TODO: neither the core nor the bindings have offers or consent yet, so the app has no
 * implementation of this interface until they do.
 */
interface OffersSource {
    /** Returns the shopper's consent to targeted offers: `null` when never asked. */
    fun consent(): Boolean?

    /** Records the shopper's choice with the backend. */
    fun setConsent(granted: Boolean)

    /** Fetches the offers for the signed-in shopper. */
    fun offers(): List<Offer>
}

/** The shopper's consent to targeted offers, as far as the app knows it. */
enum class Consent { UNKNOWN, NOT_ASKED, GRANTED, DENIED }

data class OffersState(
    /** The brand shows offers at all; when false the screen is hidden. */
    val enabled: Boolean = true,
    val consent: Consent = Consent.UNKNOWN,
    val offers: List<Offer> = emptyList(),
    val busy: Boolean = false,
    val error: UiError? = null,
)

class OffersViewModel(
    private val source: OffersSource,
    dispatch: Dispatch,
    brandOffersEnabled: Boolean,
) : ViewModel(dispatch) {
    val state = StateHolder(OffersState(enabled = brandOffersEnabled))

    /** Reads the consent, then the offers when the shopper opted in. */
    fun load() {
        if (!state.value.enabled) return
        run({
            val granted = source.consent()
            Pair(granted, if (granted == true) source.offers() else emptyList())
        }) { current, (granted, offers) -> current.copy(consent = consentOf(granted), offers = offers) }
    }

    /** Records the shopper's choice. Granting loads the offers, and denying clears them. */
    fun setConsent(granted: Boolean) {
        if (!state.value.enabled) return
        if (!granted) state.update { it.copy(offers = emptyList()) }
        run({
            source.setConsent(granted)
            if (granted) source.offers() else emptyList()
        }) { current, offers -> current.copy(consent = consentOf(granted), offers = offers) }
    }

    private fun consentOf(granted: Boolean?): Consent = when (granted) {
        null -> Consent.NOT_ASKED
        true -> Consent.GRANTED
        false -> Consent.DENIED
    }

    private fun <T> run(call: () -> T, apply: (OffersState, T) -> OffersState) {
        state.update { it.copy(busy = true, error = null) }
        perform(call) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { apply(it, outcome.value).copy(busy = false) }
                is Outcome.Failure -> state.update { it.copy(busy = false, error = outcome.error) }
            }
        }
    }
}
