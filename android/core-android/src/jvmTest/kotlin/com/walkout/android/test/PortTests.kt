// The trip, offers and federated sign-in view models over fakes of their source interfaces,
// the browser step's waiting rules, and money formatting. The same models over the real core
// are in CoreModelTests.kt.

package com.walkout.android.test

import com.walkout.android.viewmodel.BrowserLauncherStep
import com.walkout.android.viewmodel.Consent
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.FederatedState
import com.walkout.android.viewmodel.HostedSignIn
import com.walkout.android.viewmodel.Offer
import com.walkout.android.viewmodel.OffersSource
import com.walkout.android.viewmodel.OffersViewModel
import com.walkout.android.viewmodel.TripSource
import com.walkout.android.viewmodel.TripState
import com.walkout.android.viewmodel.TripStatus
import com.walkout.android.viewmodel.TripViewModel
import com.walkout.android.viewmodel.UiError
import com.walkout.android.viewmodel.formatMoney
import java.util.Locale
import uniffi.walkout_ffi.BrowserOutcome
import uniffi.walkout_ffi.BrowserStep
import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.Money
import uniffi.walkout_ffi.WalkoutFfiException

private val USER = CurrentUser(sub = "sub-1", username = "sub-1", email = "a@example.com", emailVerified = true)
private const val REDIRECT_URI = "com.walkout.shopper:/callback"

/** Plays the core's side of hosted sign-in: one browser step, then the `state` check. */
private class FakeHostedSignIn : HostedSignIn {
    val outcomes = mutableListOf<BrowserOutcome>()

    override fun signIn(browser: BrowserStep, identityProvider: String): CurrentUser {
        val url = "https://auth.example.test/oauth2/authorize?identity_provider=$identityProvider&state=s1"
        val outcome = browser.authorize(url, REDIRECT_URI)
        outcomes.add(outcome)
        return when (outcome) {
            is BrowserOutcome.Redirected ->
                if (outcome.url.contains("state=s1")) USER else throw WalkoutFfiException.Denied("state-mismatch")
            is BrowserOutcome.Cancelled -> throw WalkoutFfiException.Denied("sign-in-cancelled")
            is BrowserOutcome.Failed -> throw WalkoutFfiException.Denied("browser-failed")
        }
    }
}

/**
 * Builds a federated model whose browser runs [script] when it opens. With immediate dispatch,
 * start() returns only after the browser step has ended.
 */
private fun federatedModel(auth: HostedSignIn, script: (FederatedSignInViewModel) -> Unit): Pair<FederatedSignInViewModel, RecordingBrowser> {
    lateinit var model: FederatedSignInViewModel
    val launcher = RecordingBrowser { script(model) }
    model = FederatedSignInViewModel(auth, BrowserLauncherStep(launcher), Dispatch.immediate, listOf("Google"))
    return Pair(model, launcher)
}

/** Returns offers as the backend does: the general offer always, the targeted one after an opt-in. */
private class FakeOffers(var consent: Boolean?) : OffersSource {
    var fetches = 0

    /** Runs inside setConsent, while the backend call is in flight. */
    var duringSetConsent: () -> Unit = {}

    override fun consent(): Boolean? = consent

    override fun setConsent(granted: Boolean) {
        duringSetConsent()
        consent = granted
    }

    override fun offers(): List<Offer> {
        fetches += 1
        val general = Offer("g1", "Coffee", "50p off a coffee", null)
        val targeted = Offer("t1", "10% off RED MUG", "", "2026-12-31T23:59:59Z", targeted = true, reason = "because you bought RED MUG")
        return if (consent == true) listOf(general, targeted) else listOf(general)
    }
}

private class FakeTrips(val cached: TripStatus?, val current: () -> TripStatus?) : TripSource {
    override fun currentTrip(): TripStatus? = current()

    override fun cachedTrip(): TripStatus? = cached
}

private fun trip(state: TripState, owed: Money? = null) =
    TripStatus("t1", "UK-LON-001", state, "2026-12-04T10:00:00Z", null, owed, false)

fun portTests(): List<TestCase> = listOf(
    TestCase("federated sign-in opens browser") {
        val (model, launcher) = federatedModel(FakeHostedSignIn()) { it.cancel() }
        model.start("Google")
        expectEqual(1, launcher.opened.size, "opened URLs")
        expect(launcher.opened[0].contains("identity_provider=Google")) { "URL: ${launcher.opened[0]}" }
    },
    TestCase("federated redirect completes sign-in") {
        var handled: Boolean? = null
        val (model, _) = federatedModel(FakeHostedSignIn()) { handled = it.handleRedirect("$REDIRECT_URI?code=c1&state=s1") }
        model.start("Google")
        expectEqual(true, handled, "handled")
        expectEqual<FederatedState>(FederatedState.SignedIn(USER), model.state.value, "state")
    },
    TestCase("unexpected redirect is ignored") {
        val auth = FakeHostedSignIn()
        val (model, _) = federatedModel(auth) {}
        expectEqual(false, model.handleRedirect("$REDIRECT_URI?code=c1&state=s1"), "handled")
        expectEqual(0, auth.outcomes.size, "browser steps")
        expectEqual<FederatedState>(FederatedState.Idle, model.state.value, "state")
    },
    TestCase("redirect after cancel is ignored") {
        val auth = FakeHostedSignIn()
        val (model, _) = federatedModel(auth) { it.cancel() }
        model.start("Google")
        expectEqual(false, model.handleRedirect("$REDIRECT_URI?code=c1&state=s1"), "handled")
        expectEqual(listOf<BrowserOutcome>(BrowserOutcome.Cancelled), auth.outcomes, "browser outcomes")
        expectEqual<FederatedState>(FederatedState.Cancelled, model.state.value, "state")
    },
    TestCase("second start while waiting is ignored") {
        val auth = FakeHostedSignIn()
        val (model, launcher) = federatedModel(auth) {
            it.start("Google")
            it.cancel()
        }
        model.start("Google")
        expectEqual(1, launcher.opened.size, "opened URLs")
        expectEqual(listOf<BrowserOutcome>(BrowserOutcome.Cancelled), auth.outcomes, "browser outcomes")
    },
    TestCase("foreign redirect is not taken") {
        var handled: Boolean? = null
        val (model, _) = federatedModel(FakeHostedSignIn()) {
            handled = it.handleRedirect("https://other.example.test/callback?code=c1&state=s1")
            it.cancel()
        }
        model.start("Google")
        expectEqual(false, handled, "handled")
        expectEqual<FederatedState>(FederatedState.Cancelled, model.state.value, "state")
    },
    TestCase("mismatched state fails sign-in") {
        val (model, _) = federatedModel(FakeHostedSignIn()) { it.handleRedirect("$REDIRECT_URI?code=c1&state=other") }
        model.start("Google")
        val state = model.state.value
        expect(state is FederatedState.Failed) { "state: $state" }
        expectEqual("state-mismatch", (state as FederatedState.Failed).error.reasonSlug, "slug")
    },
    TestCase("unoffered provider is rejected") {
        val auth = FakeHostedSignIn()
        val (model, launcher) = federatedModel(auth) { it.cancel() }
        model.start("Facebook")
        expectEqual(0, launcher.opened.size, "opened URLs")
        expectEqual(0, auth.outcomes.size, "browser steps")
        expect(model.state.value is FederatedState.Failed) { "state: ${model.state.value}" }
    },
    TestCase("browser step times out") {
        val step = BrowserLauncherStep(RecordingBrowser(), timeoutMillis = 50)
        val outcome = step.authorize("https://auth.example.test/oauth2/authorize", REDIRECT_URI)
        expectEqual<BrowserOutcome>(BrowserOutcome.Failed("no redirect arrived within 50 ms"), outcome, "outcome")
        expectEqual(false, step.waiting, "waiting")
    },
    TestCase("failing launcher fails browser step") {
        val step = BrowserLauncherStep({ throw IllegalStateException("no browser installed") })
        val outcome = step.authorize("https://auth.example.test/oauth2/authorize", REDIRECT_URI)
        expectEqual<BrowserOutcome>(BrowserOutcome.Failed("the browser could not be opened (IllegalStateException)"), outcome, "outcome")
        expectEqual(false, step.waiting, "waiting")
    },
    TestCase("second browser step is refused") {
        lateinit var step: BrowserLauncherStep
        var inner: BrowserOutcome? = null
        step = BrowserLauncherStep({
            inner = step.authorize("https://auth.example.test/second", REDIRECT_URI)
            step.cancel()
        })
        val outer = step.authorize("https://auth.example.test/first", REDIRECT_URI)
        expectEqual<BrowserOutcome?>(BrowserOutcome.Failed("another sign-in is already waiting for the browser"), inner, "second outcome")
        expectEqual<BrowserOutcome>(BrowserOutcome.Cancelled, outer, "first outcome")
    },
    TestCase("offers load before consent") {
        val model = OffersViewModel(FakeOffers(consent = null), Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        expectEqual(Consent.NOT_ASKED, model.state.value.consent, "consent")
        expectEqual(listOf("g1"), model.state.value.offers.map { it.offerId }, "offer ids")
    },
    TestCase("granting consent adds targeted offers") {
        val model = OffersViewModel(FakeOffers(consent = null), Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        model.setConsent(true)
        expectEqual(Consent.GRANTED, model.state.value.consent, "consent")
        expectEqual(listOf("g1", "t1"), model.state.value.offers.map { it.offerId }, "offer ids")
    },
    TestCase("withdrawing consent clears targeted offers") {
        val source = FakeOffers(consent = true)
        val model = OffersViewModel(source, Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        var shownWhileSaving: List<String>? = null
        source.duringSetConsent = { shownWhileSaving = model.state.value.offers.map { it.offerId } }
        model.setConsent(false)
        expectEqual<List<String>?>(listOf("g1"), shownWhileSaving, "offer ids while saving")
        expectEqual(Consent.DENIED, model.state.value.consent, "consent")
        expectEqual(listOf("g1"), model.state.value.offers.map { it.offerId }, "offer ids")
        expectEqual(false, source.consent, "recorded consent")
    },
    TestCase("disabled brand never fetches offers") {
        val source = FakeOffers(consent = true)
        val model = OffersViewModel(source, Dispatch.immediate, brandOffersEnabled = false)
        model.load()
        model.setConsent(true)
        expectEqual(0, source.fetches, "offer fetches")
        expectEqual(false, model.state.value.enabled, "enabled")
    },
    TestCase("failed payment shows amount owed") {
        val owed = Money(1234, "GBP")
        val model = TripViewModel(FakeTrips(null) { trip(TripState.PAYMENT_FAILED, owed) }, Dispatch.immediate, Locale.UK)
        model.load()
        expectEqual(TripState.PAYMENT_FAILED, model.state.value.trip?.state, "state")
        expectEqual("£12.34", model.state.value.outstandingText, "amount owed")
    },
    TestCase("offline trip keeps cached state") {
        val cached = trip(TripState.ENTERED)
        val model = TripViewModel(FakeTrips(cached) { throw WalkoutFfiException.Offline(null) }, Dispatch.immediate)
        model.load()
        expectEqual(cached, model.state.value.trip, "trip")
        expectEqual(UiError.Kind.OFFLINE, model.state.value.error?.kind, "kind")
        expectEqual(false, model.state.value.refreshing, "refreshing")
    },
    TestCase("money formats minor units") {
        val cases = listOf(
            Triple(Money(1234, "GBP"), Locale.UK, "£12.34"),
            Triple(Money(5, "GBP"), Locale.UK, "£0.05"),
            Triple(Money(-250, "GBP"), Locale.UK, "-£2.50"),
            Triple(Money(1234, "JPY"), Locale.JAPAN, "￥1,234"),
            Triple(Money(123456, "USD"), Locale.US, "$1,234.56"),
            Triple(Money(1050, "EUR"), Locale.GERMANY, "10,50\u00A0€"),
            Triple(Money(999, "XYZ"), Locale.UK, "9.99 XYZ"),
        )
        for ((money, locale, expected) in cases) {
            expectEqual(expected, formatMoney(money, locale), "${money.amountMinor} ${money.currency} in $locale")
        }
    },
)
