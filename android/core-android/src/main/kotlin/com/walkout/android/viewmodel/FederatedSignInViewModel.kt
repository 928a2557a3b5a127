// Sign-in through the hosted UI or a federated OpenID Connect provider (Google, Sign in with
// Apple): authorization code with PKCE. The core builds the authorization URL, keeps the PKCE
// verifier and state, and checks the redirect. The browser step opens the URL in a Custom Tab
// and passes the redirect back. A redirect is accepted only while a sign-in waits for one, so
// a stray deep link cannot complete a sign-in that the shopper never started.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.BrowserStep
import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.WalkoutAppInterface

/** Hosted sign-in as the model calls it; [CoreHostedSignIn] implements it over the bindings. */
fun interface HostedSignIn {
    /** Signs in with [identityProvider] (a Cognito identity provider name), showing pages with [browser]. */
    fun signIn(browser: BrowserStep, identityProvider: String): CurrentUser
}

/** [HostedSignIn] over the core's `signInHosted`, with the configured redirect URI. */
class CoreHostedSignIn(private val app: WalkoutAppInterface) : HostedSignIn {
    override fun signIn(browser: BrowserStep, identityProvider: String): CurrentUser =
        app.signInHosted(browser, identityProvider, null)
}

sealed interface FederatedState {
    data object Idle : FederatedState
    data class WaitingForBrowser(val provider: String) : FederatedState
    data class Completing(val provider: String) : FederatedState
    data class SignedIn(val user: CurrentUser) : FederatedState

    /** The shopper closed the browser or pressed cancel; the screen shows no error. */
    data object Cancelled : FederatedState
    data class Failed(val error: UiError) : FederatedState
}

class FederatedSignInViewModel(
    private val auth: HostedSignIn,
    private val browser: BrowserLauncherStep,
    dispatch: Dispatch,
    /** The brand's providers, in the order the screen shows their buttons. */
    val providers: List<String>,
) : ViewModel(dispatch) {
    val state = StateHolder<FederatedState>(FederatedState.Idle)

    /**
     * Starts sign-in with [provider]. The core call runs on the background executor and blocks
     * there until the browser step returns, so [handleRedirect] and [cancel] end it.
     */
    fun start(provider: String) {
        if (provider !in providers) {
            val error = UiError(UiError.Kind.INVALID_INPUT, "This app does not offer sign-in with $provider.", field = "provider")
            state.update { FederatedState.Failed(error) }
            return
        }
        val current = state.value
        if (current is FederatedState.WaitingForBrowser || current is FederatedState.Completing) return
        state.update { FederatedState.WaitingForBrowser(provider) }
        perform({ auth.signIn(browser, provider) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { FederatedState.SignedIn(outcome.value) }
                is Outcome.Failure -> state.update { failedState(outcome.error) }
            }
        }
    }

    /** Hands the app's redirect URI to the waiting sign-in; returns false when none waited for it. */
    fun handleRedirect(uri: String): Boolean {
        val waiting = state.value as? FederatedState.WaitingForBrowser ?: return false
        if (!browser.deliverRedirect(uri)) return false
        state.update { current -> if (current == waiting) FederatedState.Completing(waiting.provider) else current }
        return true
    }

    /** Ends a sign-in whose browser the shopper closed, so a later redirect is ignored. */
    fun cancel() {
        browser.cancel()
    }

    private fun failedState(error: UiError): FederatedState =
        if (error.kind == UiError.Kind.DENIED && error.reasonSlug == CANCELLED_SLUG) {
            FederatedState.Cancelled
        } else {
            FederatedState.Failed(error)
        }

    private companion object {
        /** The core's `Denied` slug for a cancelled browser step. */
        const val CANCELLED_SLUG = "sign-in-cancelled"
    }
}
