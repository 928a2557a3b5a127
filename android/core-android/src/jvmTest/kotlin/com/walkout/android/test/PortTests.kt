// View models whose core calls the bindings do not export yet (federated sign-in, trips,
// offers), over fakes of their interfaces, and money formatting.

package com.walkout.android.test

import com.walkout.android.viewmodel.Consent
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.FederatedAuth
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.FederatedState
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
import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.Money
import uniffi.walkout_ffi.WalkoutFfiException

private val USER = CurrentUser(sub = "sub-1", username = "sub-1", email = "a@example.com", emailVerified = true)

private class FakeFederatedAuth : FederatedAuth {
    val completed = mutableListOf<String>()

    override fun authorizationUrl(provider: String): String =
        "https://auth.example.test/oauth2/authorize?identity_provider=$provider&state=s1"

    override fun completeSignIn(redirectUri: String): CurrentUser {
        completed.add(redirectUri)
        if (!redirectUri.contains("state=s1")) {
            throw WalkoutFfiException.InvalidInput("state", "does not match the sign-in that was started")
        }
        return USER
    }
}

private class FakeOffers(var consent: Boolean?) : OffersSource {
    var fetches = 0

    override fun consent(): Boolean? = consent

    override fun setConsent(granted: Boolean) {
        consent = granted
    }

    override fun offers(): List<Offer> {
        fetches += 1
        return listOf(Offer("o1", "Coffee", "50p off a coffee", Money(50, "GBP"), null))
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
        val browser = RecordingBrowser()
        val model = FederatedSignInViewModel(FakeFederatedAuth(), browser, Dispatch.immediate, listOf("Google"))
        model.start("Google")
        expectEqual(1, browser.opened.size, "opened URLs")
        expect(browser.opened[0].contains("identity_provider=Google")) { "URL: ${browser.opened[0]}" }
        expectEqual<FederatedState>(FederatedState.WaitingForBrowser("Google"), model.state.value, "state")
    },
    TestCase("federated redirect completes sign-in") {
        val model = FederatedSignInViewModel(FakeFederatedAuth(), RecordingBrowser(), Dispatch.immediate, listOf("Google"))
        model.start("Google")
        expectEqual(true, model.handleRedirect("com.walkout.shopper:/callback?code=c1&state=s1"), "handled")
        expectEqual<FederatedState>(FederatedState.SignedIn(USER), model.state.value, "state")
    },
    TestCase("unexpected redirect is ignored") {
        val auth = FakeFederatedAuth()
        val model = FederatedSignInViewModel(auth, RecordingBrowser(), Dispatch.immediate, listOf("Google"))
        expectEqual(false, model.handleRedirect("com.walkout.shopper:/callback?code=c1&state=s1"), "handled")
        expectEqual(0, auth.completed.size, "exchanges")
        expectEqual<FederatedState>(FederatedState.Idle, model.state.value, "state")
    },
    TestCase("redirect after cancel is ignored") {
        val auth = FakeFederatedAuth()
        val model = FederatedSignInViewModel(auth, RecordingBrowser(), Dispatch.immediate, listOf("Google"))
        model.start("Google")
        model.cancel()
        expectEqual(false, model.handleRedirect("com.walkout.shopper:/callback?code=c1&state=s1"), "handled")
        expectEqual(0, auth.completed.size, "exchanges")
    },
    TestCase("mismatched state fails sign-in") {
        val model = FederatedSignInViewModel(FakeFederatedAuth(), RecordingBrowser(), Dispatch.immediate, listOf("Google"))
        model.start("Google")
        model.handleRedirect("com.walkout.shopper:/callback?code=c1&state=other")
        val state = model.state.value
        expect(state is FederatedState.Failed) { "state: $state" }
        expectEqual("state", (state as FederatedState.Failed).error.field, "field")
    },
    TestCase("unoffered provider is rejected") {
        val browser = RecordingBrowser()
        val model = FederatedSignInViewModel(FakeFederatedAuth(), browser, Dispatch.immediate, listOf("Google"))
        model.start("Facebook")
        expectEqual(0, browser.opened.size, "opened URLs")
        expect(model.state.value is FederatedState.Failed) { "state: ${model.state.value}" }
    },
    TestCase("offers wait for consent") {
        val source = FakeOffers(consent = null)
        val model = OffersViewModel(source, Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        expectEqual(Consent.NOT_ASKED, model.state.value.consent, "consent")
        expectEqual(0, source.fetches, "offer fetches")
    },
    TestCase("granting consent loads offers") {
        val source = FakeOffers(consent = null)
        val model = OffersViewModel(source, Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        model.setConsent(true)
        expectEqual(Consent.GRANTED, model.state.value.consent, "consent")
        expectEqual(1, model.state.value.offers.size, "offers")
    },
    TestCase("withdrawing consent clears offers") {
        val source = FakeOffers(consent = true)
        val model = OffersViewModel(source, Dispatch.immediate, brandOffersEnabled = true)
        model.load()
        model.setConsent(false)
        expectEqual(Consent.DENIED, model.state.value.consent, "consent")
        expectEqual(0, model.state.value.offers.size, "offers")
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
