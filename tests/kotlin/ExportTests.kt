// Kotlin tests of error messages, sign-in options, trips and receipt sync, over the real
// library and the service and moto user pool that `cargo xtask test` starts.

import java.util.Collections
import uniffi.walkout_ffi.AuthOptions
import uniffi.walkout_ffi.BrowserOutcome
import uniffi.walkout_ffi.BrowserStep
import uniffi.walkout_ffi.PasswordAuthFlow
import uniffi.walkout_ffi.RefreshMethod
import uniffi.walkout_ffi.WalkoutApp
import uniffi.walkout_ffi.WalkoutFfiException

private const val OFFLINE_SENTENCE =
    "The backend cannot be reached; check the network connection and try again."

private val DEFAULT_OPTIONS = AuthOptions(
    passwordFlow = PasswordAuthFlow.SRP,
    refreshMethod = RefreshMethod.GET_TOKENS_FROM_REFRESH_TOKEN,
    usernameIsEmail = true,
    rememberDevice = false,
    deviceName = null,
    refreshLeewaySeconds = 120u,
    globalSignOut = true,
)

fun exportTests(): List<TestCase> = listOf(
    TestCase("error message is core sentence") {
        val cases = listOf(
            WalkoutFfiException.Offline(null) to OFFLINE_SENTENCE,
            WalkoutFfiException.Offline(30uL) to "The backend is busy; try again in 30 seconds.",
            WalkoutFfiException.InvalidInput("email", "expected an address") to
                "Invalid email: expected an address.",
            WalkoutFfiException.Denied("outstanding-balance") to
                "A previous purchase is still unpaid; update the card in the wallet to settle it.",
            WalkoutFfiException.NotSignedIn() to "No shopper is signed in; sign in first.",
        )
        for ((error, sentence) in cases) {
            expectEqual(sentence, error.message, "message of ${error::class.simpleName}")
        }
    },
    TestCase("thrown error message is sentence") {
        val app = WalkoutApp(config("http://127.0.0.1:1"), MapSecretStore())
        val error = expectThrows<WalkoutFfiException.Offline> { app.backendHealth() }
        expectEqual(OFFLINE_SENTENCE, error.message, "message")
        expectEqual(OFFLINE_SENTENCE, error.toString(), "toString()")
    },
    TestCase("auth options start as defaults") {
        val app = WalkoutApp(config("http://127.0.0.1:1"), MapSecretStore())
        expectEqual(DEFAULT_OPTIONS, app.authOptions(), "options")
    },
    TestCase("auth options are replaced") {
        val app = WalkoutApp(config("http://127.0.0.1:1"), MapSecretStore())
        val options = DEFAULT_OPTIONS.copy(
            passwordFlow = PasswordAuthFlow.USER_PASSWORD,
            deviceName = "Pixel 9",
            refreshLeewaySeconds = 300u,
        )
        app.setAuthOptions(options)
        expectEqual(options, app.authOptions(), "options")
    },
    TestCase("long refresh leeway is rejected") {
        val app = WalkoutApp(config("http://127.0.0.1:1"), MapSecretStore())
        val error = expectThrows<WalkoutFfiException.InvalidInput> {
            app.setAuthOptions(DEFAULT_OPTIONS.copy(refreshLeewaySeconds = 3601u))
        }
        expectEqual("refresh_leeway_seconds", error.field, "field")
        expectEqual(DEFAULT_OPTIONS, app.authOptions(), "options after the rejection")
    },
    TestCase("new shopper has no trip") {
        val app = signedInApp().app
        expectEqual(null, app.currentTrip(), "current trip")
        expectEqual(null, app.cachedTrip(), "cached trip")
    },
    TestCase("unknown trip is not found") {
        val app = signedInApp().app
        val error = expectThrows<WalkoutFfiException.Denied> { app.trip("no-such-trip") }
        expectEqual("not-found", error.reasonSlug, "slug")
    },
    TestCase("receipt sync of new shopper is empty") {
        val app = signedInApp().app
        val report = app.syncReceipts()
        expectEqual(0uL, report.applied, "applied")
        expectEqual(0uL, report.deleted, "deleted")
        expectEqual(emptyList(), app.receipts(10u, null), "stored receipts")
        expectEqual(null, app.receipt("no-such-receipt"), "unknown receipt")
        val status = app.receiptSyncStatus()
        expectEqual(0uL, status.receiptCount, "receipt count")
        expectEqual(0u, status.failures, "failures")
    },
    TestCase("consent change is recorded") {
        val app = signedInApp().app
        expectEqual(false, app.consent().granted, "consent before opting in")
        val granted = app.setConsent(true)
        expectEqual(true, granted.granted, "consent after opting in")
        expectEqual(listOf(true), granted.history.map { it.granted }, "history")
    },
    TestCase("unknown offer is not found") {
        val app = signedInApp().app
        val error = expectThrows<WalkoutFfiException.Denied> { app.activateOffer("no-such-offer") }
        expectEqual("not-found", error.reasonSlug, "slug")
    },
    TestCase("hosted sign-in without openid is rejected") {
        val app = WalkoutApp(config("http://127.0.0.1:1"), MapSecretStore())
        val calls = Collections.synchronizedList(mutableListOf<String>())
        val browser = object : BrowserStep {
            override fun authorize(authorizeUrl: String, redirectUri: String): BrowserOutcome {
                calls.add(authorizeUrl)
                return BrowserOutcome.Cancelled
            }
        }
        val error = expectThrows<WalkoutFfiException.InvalidInput> {
            app.signInHosted(browser, null, null)
        }
        expectEqual("openid", error.field, "field")
        expectEqual(emptyList<String>(), calls.toList(), "browser calls")
    },
)
