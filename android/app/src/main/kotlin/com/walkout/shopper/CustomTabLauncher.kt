// Opens the hosted UI or a federated provider's sign-in page in a Custom Tab, so the shopper's
// browser session (and its saved passwords) is used and the app never sees the password.

package com.walkout.shopper

import android.content.Context
import android.net.Uri
import android.os.Handler
import android.os.Looper
import androidx.browser.customtabs.CustomTabsIntent
import com.walkout.android.viewmodel.BrowserLauncher

class CustomTabLauncher(private val context: Context) : BrowserLauncher {
    private val mainThread = Handler(Looper.getMainLooper())

    /**
     * Opens [url] on the main thread. The hosted sign-in's browser step calls this from the
     * background thread that waits for the redirect.
     */
    override fun open(url: String) {
        mainThread.post {
            CustomTabsIntent.Builder().build().launchUrl(context, Uri.parse(url))
        }
    }
}
