// Saved cards and the outstanding balance. The card form's number and CVC go straight to the
// core, which sends them to the payment provider's tokenization endpoint. This model never
// stores them in its state, so they leave memory with the form.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.Balance
import uniffi.walkout_ffi.Card
import uniffi.walkout_ffi.WalkoutAppInterface

data class WalletState(
    val cards: List<Card> = emptyList(),
    val balance: Balance? = null,
    val busy: Boolean = false,
    /** The brand detected while the shopper types a number, such as `visa`. */
    val detectedBrand: String? = null,
    val error: UiError? = null,
)

class WalletViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
) : ViewModel(dispatch) {
    val state = StateHolder(WalletState())

    /** Shows the cards stored on the device, then refreshes cards and balance from the backend. */
    fun load() {
        perform({ app.cachedCards() }) { outcome ->
            if (outcome is Outcome.Success) state.update { it.copy(cards = outcome.value) }
            refresh()
        }
    }

    fun refresh() = run({ Pair(app.cards(), app.balance()) }) { current, (cards, balance) ->
        current.copy(cards = cards, balance = balance)
    }

    /** Checks the form as the shopper types; an invalid field shows as an error on it. */
    fun checkCard(number: String, expMonth: UInt, expYear: UInt, cvc: String) {
        perform({ app.checkCard(number, expMonth, expYear, cvc) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { it.copy(detectedBrand = outcome.value, error = null) }
                is Outcome.Failure -> state.update { it.copy(detectedBrand = null, error = outcome.error) }
            }
        }
    }

    fun addCard(number: String, expMonth: UInt, expYear: UInt, cvc: String) =
        run({
            app.addCard(number, expMonth, expYear, cvc)
            app.cards()
        }) { current, cards -> current.copy(cards = cards, detectedBrand = null) }

    fun setDefault(cardId: String) = run({
        app.setDefaultCard(cardId)
        app.cards()
    }) { current, cards -> current.copy(cards = cards) }

    fun remove(cardId: String) = run({
        app.removeCard(cardId)
        app.cards()
    }) { current, cards -> current.copy(cards = cards) }

    /** Charges the outstanding balance to the default card. */
    fun payBalance() = run({ app.payBalance() }) { current, balance -> current.copy(balance = balance) }

    private fun <T> run(call: () -> T, apply: (WalletState, T) -> WalletState) {
        state.update { it.copy(busy = true, error = null) }
        perform(call) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { apply(it, outcome.value).copy(busy = false) }
                is Outcome.Failure -> state.update { it.copy(busy = false, error = outcome.error) }
            }
        }
    }
}
