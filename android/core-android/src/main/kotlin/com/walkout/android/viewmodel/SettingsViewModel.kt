// Settings: who is signed in, sign-out and account deletion, and the session events that send
// the shopper back to the sign-in screen. The core calls SessionObserver on the thread that
// changed the session, so this model hands each event to the main executor before it touches
// state.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.SessionEvent
import uniffi.walkout_ffi.SessionObserver
import uniffi.walkout_ffi.SignOutOutcome
import uniffi.walkout_ffi.WalkoutAppInterface

data class SettingsState(
    val brandId: String = "",
    val user: CurrentUser? = null,
    val busy: Boolean = false,
    /** The session ended (sign-out, deletion or expiry): show the sign-in screen. */
    val needsSignIn: Boolean = false,
    /** The outcome of the last sign-out, such as a refresh-token revocation queued offline. */
    val lastSignOut: SignOutOutcome? = null,
    val error: UiError? = null,
)

class SettingsViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
) : ViewModel(dispatch) {
    val state = StateHolder(SettingsState())

    private val observer = object : SessionObserver {
        override fun sessionChanged(event: SessionEvent) {
            dispatch.main.execute { if (!closed) onSessionEvent(event) }
        }
    }

    init {
        // NOTE: the bindings cannot remove an observer, so a closed model stays registered with
        // the core and only ignores events. Create one per activity, not per recomposition.
        app.addSessionObserver(observer)
    }

    /** Reads the brand and the signed-in shopper. Makes no network call. */
    fun load() = run({ Pair(app.brandId(), app.currentUser()) }) { current, (brand, user) ->
        current.copy(brandId = brand, user = user, needsSignIn = user == null)
    }

    /** Signs out; the tokens and local data are deleted even when the device is offline. */
    fun signOut() = run({ app.signOut() }) { current, outcome ->
        current.copy(user = null, needsSignIn = true, lastSignOut = outcome)
    }

    /** Deletes the account. The screen gets the shopper's confirmation before calling it. */
    fun deleteAccount() = run({ app.deleteAccount() }) { current, _ -> current.copy(user = null, needsSignIn = true) }

    private fun onSessionEvent(event: SessionEvent) {
        when (event) {
            is SessionEvent.SignedOut, is SessionEvent.NeedsSignIn ->
                state.update { it.copy(user = null, needsSignIn = true) }
            is SessionEvent.SignedIn -> load()
            is SessionEvent.Refreshed -> Unit
        }
    }

    private fun <T> run(call: () -> T, apply: (SettingsState, T) -> SettingsState) {
        state.update { it.copy(busy = true, error = null) }
        perform(call) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { apply(it, outcome.value).copy(busy = false) }
                is Outcome.Failure -> state.update { it.copy(busy = false, error = outcome.error) }
            }
        }
    }
}
