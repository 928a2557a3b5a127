// The shopper's offers and their consent to targeted offers. The backend decides which offers
// a shopper is shown: general offers for everyone, targeted ones only after an opt-in. Withdrawing
// consent removes the targeted offers from the screen at once, before the backend confirms.
// A brand can switch the feature off, and then this model never calls the backend.

package com.walkout.android.viewmodel

/** One offer, as shown to the shopper. */
data class Offer(
    val offerId: String,
    val title: String,
    /** More detail; may be empty. */
    val description: String,
    /** RFC 3339 in UTC; the offer ends then. `null` when it has no end. */
    val validUntil: String?,
    /** Picked for this shopper from what they bought; shown only with their consent. */
    val targeted: Boolean = false,
    /** The reason a targeted offer was picked, such as "because you bought RED MUG". */
    val reason: String? = null,
    /** The shopper activated it, so it applies at the next purchase. */
    val activated: Boolean = false,
)

/** The core's offer and consent calls; [CoreOffers] implements it over the bindings. */
interface OffersSource {
    /** Fetches the shopper's consent to targeted offers: `null` when they never chose. */
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

    /** Fetches the consent and the offers. */
    fun load() {
        if (!state.value.enabled) return
        run({ Pair(source.consent(), source.offers()) }) { current, (granted, offers) ->
            current.copy(consent = consentOf(granted), offers = offers)
        }
    }

    /** Records the shopper's choice, then fetches the offers it allows. */
    fun setConsent(granted: Boolean) {
        if (!state.value.enabled) return
        if (!granted) state.update { current -> current.copy(offers = current.offers.filterNot { it.targeted }) }
        run({
            source.setConsent(granted)
            source.offers()
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
