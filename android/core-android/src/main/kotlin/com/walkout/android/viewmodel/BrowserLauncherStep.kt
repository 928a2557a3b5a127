// The core's browser step for hosted sign-in on Android. The core calls `authorize` on the
// thread that called `signInHosted` and waits for its result. This step opens the page through
// a BrowserLauncher (a Custom Tab in the app) and blocks that thread until the activity hands
// back the redirect, the shopper cancels, or the wait times out. It never runs on the main
// thread, because the redirect itself arrives there.

package com.walkout.android.viewmodel

import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import uniffi.walkout_ffi.BrowserOutcome
import uniffi.walkout_ffi.BrowserStep

/** Opens a URL outside the app: a Custom Tab on Android. */
fun interface BrowserLauncher {
    fun open(url: String)
}

/**
 * A [BrowserStep] that shows the page with [launcher] and waits up to [timeoutMillis] for
 * [deliverRedirect] or [cancel]. Only one sign-in waits at a time.
 */
class BrowserLauncherStep(
    private val launcher: BrowserLauncher,
    private val timeoutMillis: Long = DEFAULT_TIMEOUT_MILLIS,
) : BrowserStep {
    private class Pending(val redirectUri: String) {
        val outcome = CompletableFuture<BrowserOutcome>()
    }

    private var pending: Pending? = null

    override fun authorize(authorizeUrl: String, redirectUri: String): BrowserOutcome {
        val waiting = Pending(redirectUri)
        synchronized(this) {
            if (pending != null) return BrowserOutcome.Failed("another sign-in is already waiting for the browser")
            pending = waiting
        }
        try {
            launcher.open(authorizeUrl)
            return waiting.outcome.get(timeoutMillis, TimeUnit.MILLISECONDS)
        } catch (error: TimeoutException) {
            return BrowserOutcome.Failed("no redirect arrived within $timeoutMillis ms")
        } catch (error: InterruptedException) {
            Thread.currentThread().interrupt()
            return BrowserOutcome.Cancelled
        } catch (error: ExecutionException) {
            return BrowserOutcome.Failed("the browser step failed")
        } catch (error: RuntimeException) {
            // The launcher's exception text is not passed on: it may contain the authorize URL.
            return BrowserOutcome.Failed("the browser could not be opened (${error.javaClass.simpleName})")
        } finally {
            synchronized(this) { if (pending === waiting) pending = null }
        }
    }

    /** True while a sign-in waits for the browser. */
    val waiting: Boolean
        get() = synchronized(this) { pending != null }

    /**
     * Hands [url] to the waiting sign-in when it starts with the redirect URI that the core
     * passed. Returns false, and changes nothing, when no sign-in waits or the URL differs.
     */
    fun deliverRedirect(url: String): Boolean {
        val current = synchronized(this) { pending } ?: return false
        if (!url.startsWith(current.redirectUri)) return false
        return current.outcome.complete(BrowserOutcome.Redirected(url))
    }

    /** Ends the waiting sign-in as cancelled; returns false when none was waiting. */
    fun cancel(): Boolean {
        val current = synchronized(this) { pending } ?: return false
        return current.outcome.complete(BrowserOutcome.Cancelled)
    }

    companion object {
        /** How long a sign-in waits for the shopper in the browser: 10 minutes. */
        const val DEFAULT_TIMEOUT_MILLIS: Long = 10 * 60 * 1000
    }
}
