// Hosted sign-in driven to the end over the real core: the oidc-provider emulator that
// `cargo xtask android` starts serves discovery, the login page and the token endpoint, and
// HeadlessBrowser signs in on that page. Nothing here calls Cognito or the backend.

package com.walkout.android.test

import com.sun.net.httpserver.HttpServer
import com.walkout.android.viewmodel.BrowserLauncherStep
import com.walkout.android.viewmodel.CoreHostedSignIn
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.FederatedState
import java.net.InetSocketAddress
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.OpenIdSettings

/** A loopback redirect; the provider accepts any port for its registered `http://127.0.0.1/callback`. */
private const val LOOPBACK_REDIRECT = "http://127.0.0.1:8765/callback"

/** The subject that the provider gives its test shopper. */
private const val PROVIDER_SUBJECT = "test-shopper-1"

private const val PROVIDER_NAME = "TestOIDC"

/** Creates a device whose `[openid]` section names the emulator. Its backend and Cognito URLs lead nowhere. */
private fun hostedDevice(): Device {
    val clientId = requireEnv("WALKOUT_OIDC_CLIENT_ID")
    val openid = OpenIdSettings(
        issuer = requireEnv("WALKOUT_OIDC_ISSUER"),
        clientId = clientId,
        redirectUri = LOOPBACK_REDIRECT,
        scopes = listOf("openid", "email", "profile"),
    )
    val config = AppConfig(
        brandId = BRAND,
        backendUrl = unusedLoopbackUrl(),
        storageDir = newFolder("walkout-android-hosted-").toString(),
        cognitoRegion = "eu-west-2",
        cognitoEndpointUrl = unusedLoopbackUrl(),
        cognitoUserPoolId = "eu-west-2_Hosted1",
        cognitoClientId = clientId,
        openid = openid,
    )
    return Device(config = config)
}

/** A federated model over [device] whose Custom Tab is a headless browser signing in with [password]. */
private class HostedFlow(device: Device, password: String) {
    val browser = HeadlessBrowser(requireEnv("WALKOUT_OIDC_USER_EMAIL"), password)
    lateinit var model: FederatedSignInViewModel
    val tab = HeadlessCustomTab(browser, LOOPBACK_REDIRECT) { model }

    init {
        model = FederatedSignInViewModel(CoreHostedSignIn(device.app), BrowserLauncherStep(tab), Dispatch.immediate, listOf(PROVIDER_NAME))
    }
}

fun hostedSignInTests(): List<TestCase> = listOf(
    TestCase("hosted sign-in ends signed in") {
        val device = hostedDevice()
        val flow = HostedFlow(device, requireEnv("WALKOUT_OIDC_USER_PASSWORD"))
        flow.model.start(PROVIDER_NAME)

        val state = flow.model.state.value
        expect(state is FederatedState.SignedIn) { "state: $state, browser: ${flow.tab.failure}" }
        val user = (state as FederatedState.SignedIn).user
        expectEqual(PROVIDER_SUBJECT, user.sub, "sub")
        expectEqual(requireEnv("WALKOUT_OIDC_USER_EMAIL"), user.email, "email")
        expectEqual(true, user.emailVerified, "email verified")
        expectEqual(null, flow.tab.failure, "browser failure")
        expect(flow.browser.requests in 1..12) { "requests: ${flow.browser.requests}" }

        val opened = flow.browser.opened.single()
        expect(opened.contains("identity_provider=$PROVIDER_NAME")) { "no identity provider in the authorize URL" }
        expect(opened.contains("code_challenge_method=S256")) { "no PKCE in the authorize URL" }
        expectEqual(PROVIDER_SUBJECT, device.app.currentUser()?.sub, "stored user")
        expectEqual(PROVIDER_SUBJECT, device.restart().currentUser()?.sub, "user after restart")
    },
    TestCase("browser step signs in directly") {
        val device = hostedDevice()
        val browser = HeadlessBrowser(requireEnv("WALKOUT_OIDC_USER_EMAIL"), requireEnv("WALKOUT_OIDC_USER_PASSWORD"))
        val user = device.app.signInHosted(browser, null, null)
        expectEqual(PROVIDER_SUBJECT, user.sub, "sub")
        expect(!browser.opened.single().contains("identity_provider=")) { "identity provider sent without one" }
    },
    TestCase("redirect loop stops after bound") {
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/loop") { exchange ->
            exchange.responseHeaders.add("Location", "/loop")
            exchange.sendResponseHeaders(302, -1)
            exchange.close()
        }
        server.start()
        try {
            val browser = HeadlessBrowser("shopper@example.com", "unused", maxRequests = 5)
            val result = browser.navigate("http://127.0.0.1:${server.address.port}/loop", LOOPBACK_REDIRECT)
            expectEqual<Navigation>(Navigation.Failed("no redirect to $LOOPBACK_REDIRECT after 5 requests"), result, "result")
            expectEqual(5, browser.requests, "requests")
        } finally {
            server.stop(0)
        }
    },
    TestCase("browser never leaves loopback") {
        val browser = HeadlessBrowser("shopper@example.com", "unused")
        val result = browser.navigate("http://id.example/authorize", LOOPBACK_REDIRECT)
        expectEqual<Navigation>(Navigation.Failed("the page at http://id.example is not on loopback"), result, "result")
        expectEqual(0, browser.requests, "requests")
    },
    TestCase("wrong provider password is cancelled") {
        val device = hostedDevice()
        val flow = HostedFlow(device, "not the password")
        flow.model.start(PROVIDER_NAME)

        expectEqual<FederatedState>(FederatedState.Cancelled, flow.model.state.value, "state")
        val failure = flow.tab.failure
        expect(failure != null) { "no browser failure" }
        expect(failure!!.startsWith("the provider rejected the login")) { "browser failure: $failure" }
        expectEqual(null, device.app.currentUser(), "current user")
    },
)
