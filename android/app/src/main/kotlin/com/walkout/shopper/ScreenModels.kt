// The view models of one activity, built over the process's core. Trips, offers and federated
// sign-in have no core calls in the bindings yet, so until the bindings export them the app
// shows no trip, hides offers and shows no federated sign-in buttons, whatever the brand sets.

package com.walkout.shopper

import android.content.res.Resources
import com.walkout.android.viewmodel.BrowserLauncher
import com.walkout.android.viewmodel.Clock
import com.walkout.android.viewmodel.EntryCodeViewModel
import com.walkout.android.viewmodel.FederatedAuth
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.Offer
import com.walkout.android.viewmodel.OffersSource
import com.walkout.android.viewmodel.OffersViewModel
import com.walkout.android.viewmodel.ReceiptsViewModel
import com.walkout.android.viewmodel.SettingsViewModel
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.android.viewmodel.TripSource
import com.walkout.android.viewmodel.TripStatus
import com.walkout.android.viewmodel.TripViewModel
import com.walkout.android.viewmodel.WalletViewModel
import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.WalkoutFfiException

class ScreenModels(application: WalkoutApplication, browser: BrowserLauncher, resources: Resources) : AutoCloseable {
    private val core = application.core
    private val dispatch = application.dispatch

    val signIn = SignInViewModel(core, dispatch)
    val federated = FederatedSignInViewModel(
        NotExported,
        browser,
        dispatch,
        if (FEDERATED_EXPORTED) resources.getStringArray(R.array.brand_federated_providers).toList() else emptyList(),
    )
    val entry = EntryCodeViewModel(
        core,
        dispatch,
        Clock.system,
        application.scheduler,
        maxBrightness = resources.getString(R.string.brand_entry_brightness) == "max",
    )
    val wallet = WalletViewModel(core, dispatch)
    val receipts = ReceiptsViewModel(core, dispatch)
    val trip = TripViewModel(NotExported, dispatch)
    val offers = OffersViewModel(NotExported, dispatch, OFFERS_EXPORTED && resources.getBoolean(R.bool.brand_offers_enabled))
    val settings = SettingsViewModel(core, dispatch)

    override fun close() {
        listOf(signIn, federated, entry, wallet, receipts, trip, offers, settings).forEach { it.close() }
    }

    // TODO: replace NotExported with the core's calls, and set these to true, once the bindings
    // export trips, offers and federated sign-in.
    private companion object {
        const val FEDERATED_EXPORTED = false
        const val OFFERS_EXPORTED = false
    }

    /** Stands in for the calls that the bindings do not export yet; it reports no trip. */
    private object NotExported : TripSource, OffersSource, FederatedAuth {
        override fun currentTrip(): TripStatus? = null
        override fun cachedTrip(): TripStatus? = null
        override fun consent(): Boolean? = null
        override fun setConsent(granted: Boolean) = throw WalkoutFfiException.Internal()
        override fun offers(): List<Offer> = emptyList()
        override fun authorizationUrl(provider: String): String = throw WalkoutFfiException.Internal()
        override fun completeSignIn(redirectUri: String): CurrentUser = throw WalkoutFfiException.Internal()
    }
}
