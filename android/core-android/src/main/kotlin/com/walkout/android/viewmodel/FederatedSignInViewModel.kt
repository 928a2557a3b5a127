// Sign-in through the hosted UI or a federated OpenID Connect provider (Google, Sign in with
// Apple): authorization code with PKCE. The core builds the authorization URL and keeps the
// PKCE verifier and state. The app opens the URL in a Custom Tab and passes the redirect back.
// This model accepts a redirect only while it waits for one, so a stray deep link cannot
// complete a sign-in that the shopper never started.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.CurrentUser

/** Opens a URL outside the app: a Custom Tab on Android. */
fun interface BrowserLauncher {
    fun open(url: String)
}

/**
 * The core's authorization-code flow.
 *
 * TODO: the core does not implement hosted UI or federated sign-in yet, so the app has no
 * implementation of this interface until it does.
 */
interface FederatedAuth {
    /** Starts a flow with [provider] (a Cognito identity provider name); returns the URL to open. */
    fun authorizationUrl(provider: String): String

    /** Exchanges the code in [redirectUri] for tokens after checking its `state`; signs in. */
    fun completeSignIn(redirectUri: String): CurrentUser
}

sealed interface FederatedState {
    data object Idle : FederatedState
    data class WaitingForBrowser(val provider: String) : FederatedState
    data class Completing(val provider: String) : FederatedState
    data class SignedIn(val user: CurrentUser) : FederatedState
    data class Failed(val error: UiError) : FederatedState
}

class FederatedSignInViewModel(
    private val auth: FederatedAuth,
    private val browser: BrowserLauncher,
    dispatch: Dispatch,
    /** The brand's providers, in the order the screen shows their buttons. */
    val providers: List<String>,
) : ViewModel(dispatch) {
    val state = StateHolder<FederatedState>(FederatedState.Idle)

    /** Starts sign-in with [provider] and opens its page in the browser. */
    fun start(provider: String) {
        if (provider !in providers) {
            val error = UiError(UiError.Kind.INVALID_INPUT, "This app does not offer sign-in with $provider.", field = "provider")
            state.update { FederatedState.Failed(error) }
            return
        }
        perform({ auth.authorizationUrl(provider) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> {
                    state.update { FederatedState.WaitingForBrowser(provider) }
                    browser.open(outcome.value)
                }
                is Outcome.Failure -> state.update { FederatedState.Failed(outcome.error) }
            }
        }
    }

    /** Handles the app's redirect URI; returns false when no sign-in was waiting for it. */
    fun handleRedirect(uri: String): Boolean {
        val waiting = state.value as? FederatedState.WaitingForBrowser ?: return false
        state.update { FederatedState.Completing(waiting.provider) }
        perform({ auth.completeSignIn(uri) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { FederatedState.SignedIn(outcome.value) }
                is Outcome.Failure -> state.update { FederatedState.Failed(outcome.error) }
            }
        }
        return true
    }

    /** Abandons the flow when the shopper closed the browser, so a later redirect is ignored. */
    fun cancel() {
        if (state.value is FederatedState.WaitingForBrowser) state.update { FederatedState.Idle }
    }
}
