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
import com.walkout.shopper.ui.BrandTheme
import com.walkout.shopper.ui.WalkoutScreens

class MainActivity : ComponentActivity() {
    private lateinit var models: ScreenModels

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
