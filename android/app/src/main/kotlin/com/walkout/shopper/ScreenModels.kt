// The view models of one activity, built over the process's core. Trips, offers and hosted
// sign-in call the core through the adapters in core-android. The brand decides whether the
// offers screen and the federated sign-in buttons are shown.

package com.walkout.shopper

import android.content.res.Resources
import com.walkout.android.viewmodel.BrowserLauncher
import com.walkout.android.viewmodel.BrowserLauncherStep
import com.walkout.android.viewmodel.Clock
import com.walkout.android.viewmodel.CoreHostedSignIn
import com.walkout.android.viewmodel.CoreOffers
import com.walkout.android.viewmodel.CoreTrips
import com.walkout.android.viewmodel.EntryCodeViewModel
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.OffersViewModel
import com.walkout.android.viewmodel.ReceiptsViewModel
import com.walkout.android.viewmodel.SettingsViewModel
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.android.viewmodel.TripViewModel
import com.walkout.android.viewmodel.WalletViewModel

class ScreenModels(application: WalkoutApplication, browser: BrowserLauncher, resources: Resources) : AutoCloseable {
    private val core = application.core
    private val dispatch = application.dispatch

    val signIn = SignInViewModel(core, dispatch)
    val federated = FederatedSignInViewModel(
        CoreHostedSignIn(core),
        BrowserLauncherStep(browser),
        dispatch,
        resources.getStringArray(R.array.brand_federated_providers).toList(),
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
    val trip = TripViewModel(CoreTrips(core), dispatch)
    val offers = OffersViewModel(CoreOffers(core), dispatch, resources.getBoolean(R.bool.brand_offers_enabled))
    val settings = SettingsViewModel(core, dispatch)

    override fun close() {
        federated.cancel()
        listOf(signIn, federated, entry, wallet, receipts, trip, offers, settings).forEach { it.close() }
    }
}
