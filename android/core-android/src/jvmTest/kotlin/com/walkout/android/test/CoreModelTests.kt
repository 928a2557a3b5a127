// The trip, offers and hosted sign-in view models over the real core, through the adapters
// the app uses, against the connectors service and the moto user pool. Hosted sign-in reads
// its discovery document from a small provider stand-in that the test serves on loopback.

package com.walkout.android.test

import com.sun.net.httpserver.HttpServer
import com.walkout.android.viewmodel.BrowserLauncherStep
import com.walkout.android.viewmodel.Consent
import com.walkout.android.viewmodel.CoreHostedSignIn
import com.walkout.android.viewmodel.CoreOffers
import com.walkout.android.viewmodel.CoreTrips
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.FederatedState
import com.walkout.android.viewmodel.OffersViewModel
import com.walkout.android.viewmodel.TripViewModel
import com.walkout.android.viewmodel.UiError
import java.net.InetSocketAddress
import uniffi.walkout_ffi.OpenIdSettings

private const val APP_REDIRECT_URI = "com.walkout.shopper:/callback"

/**
 * Serves an OpenID Provider discovery document on a loopback port, for as long as the test
 * runs [block] with the issuer URL. Only discovery is served: the tests end before a token
 * exchange.
 */
private fun withDiscoveryServer(block: (issuer: String) -> Unit) {
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val issuer = "http://127.0.0.1:${server.address.port}"
    val document = """{"issuer":"$issuer","authorization_endpoint":"$issuer/oauth2/authorize",
        |"token_endpoint":"$issuer/oauth2/token","jwks_uri":"$issuer/.well-known/jwks.json",
        |"code_challenge_methods_supported":["S256"]}""".trimMargin().toByteArray()
    server.createContext("/.well-known/openid-configuration") { exchange ->
        exchange.responseHeaders.add("Content-Type", "application/json")
        exchange.sendResponseHeaders(200, document.size.toLong())
        exchange.responseBody.use { it.write(document) }
    }
    server.start()
    try {
        block(issuer)
    } finally {
        server.stop(0)
    }
}

fun coreModelTests(): List<TestCase> = listOf(
    TestCase("new shopper has no offers") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = OffersViewModel(CoreOffers(device.app), Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        expectEqual(null, model.state.value.error, "error")
        expectEqual(Consent.NOT_ASKED, model.state.value.consent, "consent")
        expectEqual(0, model.state.value.offers.size, "offers")
    },
    TestCase("consent round trip reaches backend") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = OffersViewModel(CoreOffers(device.app), Dispatch.immediate, brandOffersEnabled = true)
        model.load()

        model.setConsent(true)
        expectEqual(null, model.state.value.error, "error after opting in")
        expectEqual(Consent.GRANTED, model.state.value.consent, "consent after opting in")
        expectEqual(true, device.app.consent().granted, "backend consent after opting in")

        model.setConsent(false)
        expectEqual(null, model.state.value.error, "error after opting out")
        expectEqual(Consent.DENIED, model.state.value.consent, "consent after opting out")
        val backend = device.app.consent()
        expectEqual(false, backend.granted, "backend consent after opting out")
        expectEqual(listOf(true, false), backend.history.map { it.granted }, "consent history")

        val reloaded = OffersViewModel(CoreOffers(device.restart()), Dispatch.immediate, brandOffersEnabled = true)
        reloaded.load()
        expectEqual(Consent.DENIED, reloaded.state.value.consent, "consent after restart")
    },
    TestCase("new shopper has no trip") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = TripViewModel(CoreTrips(device.app), Dispatch.immediate)
        model.load()
        expectEqual(null, model.state.value.error, "error")
        expectEqual(null, model.state.value.trip, "trip")
        expectEqual(false, model.state.value.refreshing, "refreshing")
    },
    TestCase("hosted sign-in needs openid settings") {
        val browser = RecordingBrowser()
        val device = Device()
        val model = FederatedSignInViewModel(CoreHostedSignIn(device.app), BrowserLauncherStep(browser), Dispatch.immediate, listOf("Google"))
        model.start("Google")
        val state = model.state.value
        expect(state is FederatedState.Failed) { "state: $state" }
        val error = (state as FederatedState.Failed).error
        expectEqual(UiError.Kind.INVALID_INPUT, error.kind, "kind")
        expectEqual("openid", error.field, "field")
        expectEqual("Invalid openid: the configuration has no [openid] section.", error.message, "message")
        expectEqual(0, browser.opened.size, "opened URLs")
    },
    TestCase("cancelled hosted sign-in is reported") {
        withDiscoveryServer { issuer ->
            val openid = OpenIdSettings(issuer = issuer, clientId = "android-test", redirectUri = APP_REDIRECT_URI, scopes = listOf("openid", "email"))
            val device = Device(config = poolConfig().copy(openid = openid))
            lateinit var model: FederatedSignInViewModel
            val browser = RecordingBrowser { model.cancel() }
            model = FederatedSignInViewModel(CoreHostedSignIn(device.app), BrowserLauncherStep(browser), Dispatch.immediate, listOf("Google"))
            model.start("Google")

            expectEqual<FederatedState>(FederatedState.Cancelled, model.state.value, "state")
            expectEqual(1, browser.opened.size, "opened URLs")
            val url = browser.opened[0]
            expect(url.startsWith("$issuer/oauth2/authorize?")) { "URL: $url" }
            expect(url.contains("identity_provider=Google")) { "no identity provider in URL: $url" }
            expect(url.contains("code_challenge_method=S256")) { "no PKCE in URL: $url" }
            expectEqual(null, device.app.currentUser(), "current user")
        }
    },
)
