// The one activity: sets the brand theme, applies the entry screen's window flags, and passes
// OAuth redirects to the federated sign-in model. Navigation is a small state machine in
// WalkoutScreens, so the app needs no navigation library.

package com.walkout.shopper

import android.content.Intent
import android.os.Bundle
import android.view.WindowManager
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import com.walkout.android.viewmodel.EntryState
import com.walkout.android.viewmodel.FederatedState
import com.walkout.shopper.ui.BrandTheme
import com.walkout.shopper.ui.WalkoutScreens

class MainActivity : ComponentActivity() {
    private lateinit var models: ScreenModels

    /** The activity went to the background while a hosted sign-in waited for the browser. */
    private var leftForBrowser = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val application = application as WalkoutApplication
        models = ScreenModels(application, CustomTabLauncher(this), resources)
        models.entry.state.observe(::applyEntryFlags)
        setContent {
            BrandTheme {
                WalkoutScreens(models)
            }
        }
        handleRedirect(intent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handleRedirect(intent)
    }

    override fun onPause() {
        super.onPause()
        leftForBrowser = models.federated.state.value is FederatedState.WaitingForBrowser
    }

    /**
     * Cancels a hosted sign-in when the shopper came back from the Custom Tab without a
     * redirect. A redirect arrives in onNewIntent, which Android calls before onResume.
     */
    override fun onResume() {
        super.onResume()
        if (leftForBrowser && models.federated.state.value is FederatedState.WaitingForBrowser) {
            models.federated.cancel()
        }
        leftForBrowser = false
    }

    override fun onDestroy() {
        models.close()
        super.onDestroy()
    }

    private fun handleRedirect(intent: Intent?) {
        val uri = intent?.data ?: return
        models.federated.handleRedirect(uri.toString())
    }

    /** Full brightness and a screen kept on while the entry code is shown. */
    private fun applyEntryFlags(state: EntryState) {
        if (state.keepScreenOn) {
            window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        }
        val attributes = window.attributes
        attributes.screenBrightness = if (state.fullBrightness) {
            WindowManager.LayoutParams.BRIGHTNESS_OVERRIDE_FULL
        } else {
            WindowManager.LayoutParams.BRIGHTNESS_OVERRIDE_NONE
        }
        window.attributes = attributes
    }
}
