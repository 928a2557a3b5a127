// Creates the one core of the process and the threads the view models use. The core opens its
// database in files/walkout and keeps its secrets in noBackupFilesDir, encrypted with a
// Keystore key. Both names include the brand id, so two brands on one phone never share state.

package com.walkout.shopper

import android.app.Application
import android.os.Handler
import android.os.Looper
import com.walkout.android.platform.AndroidKeystoreKeyProvider
import com.walkout.android.secrets.KeystoreSecretStore
import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.Scheduler
import com.walkout.android.viewmodel.Subscription
import java.io.File
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.WalkoutApp

class WalkoutApplication : Application() {
    private val mainHandler by lazy { Handler(Looper.getMainLooper()) }

    /** Blocking core calls run here; two threads let a sync and a screen's call overlap. */
    val dispatch: Dispatch by lazy {
        Dispatch(background = Executors.newFixedThreadPool(2), main = Executor { mainHandler.post(it) })
    }

    /** Timers on the main thread, for the entry code's countdown. */
    val scheduler: Scheduler by lazy {
        Scheduler { delayMillis, action ->
            val runnable = Runnable { action() }
            mainHandler.postDelayed(runnable, delayMillis)
            Subscription { mainHandler.removeCallbacks(runnable) }
        }
    }

    /** The core; created on first use, off the main thread where possible. */
    val core: WalkoutApp by lazy {
        val brandId = BuildConfig.BRAND_ID
        val secrets = KeystoreSecretStore(
            brandId = brandId,
            folder = File(noBackupFilesDir, "walkout-$brandId-secrets").toPath(),
            keys = AndroidKeystoreKeyProvider(),
        )
        val config = AppConfig(
            brandId = brandId,
            backendUrl = BuildConfig.BACKEND_URL,
            storageDir = File(filesDir, "walkout").path,
            cognitoRegion = BuildConfig.COGNITO_REGION,
            cognitoUserPoolId = BuildConfig.COGNITO_USER_POOL_ID,
            cognitoClientId = BuildConfig.COGNITO_CLIENT_ID,
        )
        WalkoutApp(config, secrets)
    }
}
