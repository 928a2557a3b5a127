// Opens the hosted UI or a federated provider's sign-in page in a Custom Tab, so the shopper's
// browser session (and its saved passwords) is used and the app never sees the password.

package com.walkout.shopper

import android.content.Context
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent
import com.walkout.android.viewmodel.BrowserLauncher

class CustomTabLauncher(private val context: Context) : BrowserLauncher {
    override fun open(url: String) {
        CustomTabsIntent.Builder().build().launchUrl(context, Uri.parse(url))
    }
}
