// A browser for the oidc-provider emulator's pages, built on java.net.http. It follows
// redirects one at a time with a cookie jar and fills the provider's login form. It stops when
// the next URL is under the redirect URI and does not request it, as a Custom Tab hands the
// app its callback instead. It talks only to loopback and is bounded in requests and time.

package com.walkout.android.test

import com.walkout.android.viewmodel.BrowserLauncher
import com.walkout.android.viewmodel.FederatedSignInViewModel
import java.io.IOException
import java.net.CookieManager
import java.net.CookiePolicy
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.net.http.HttpTimeoutException
import java.time.Duration
import uniffi.walkout_ffi.BrowserOutcome
import uniffi.walkout_ffi.BrowserStep

/** Where a navigation ended. */
sealed interface Navigation {
    /** The browser reached [url], which starts with the redirect URI. */
    data class Landed(val url: String) : Navigation

    /** The navigation stopped; [reason] names the page and status, never a code or token. */
    data class Failed(val reason: String) : Navigation
}

/** Signs in as [email] with [password] on the provider's login form. */
class HeadlessBrowser(
    private val email: String,
    private val password: String,
    private val maxRequests: Int = 12,
    private val timeout: Duration = Duration.ofSeconds(30),
) : BrowserStep {
    /** The requests sent by the last navigation. */
    @Volatile
    var requests = 0
        private set

    /** The authorize URLs this browser opened, in order. */
    val opened: MutableList<String> = java.util.Collections.synchronizedList(mutableListOf())

    override fun authorize(authorizeUrl: String, redirectUri: String): BrowserOutcome =
        when (val result = navigate(authorizeUrl, redirectUri)) {
            is Navigation.Landed -> BrowserOutcome.Redirected(result.url)
            is Navigation.Failed -> BrowserOutcome.Failed(result.reason)
        }

    /** Opens [start] and follows the pages until a URL under [redirectUri] comes next. */
    fun navigate(start: String, redirectUri: String): Navigation {
        opened.add(start)
        requests = 0
        val client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .cookieHandler(CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .connectTimeout(Duration.ofSeconds(5))
            .build()
        val deadline = System.nanoTime() + timeout.toNanos()
        var request = get(URI.create(start))
        while (true) {
            val uri = request.uri()
            if (uri.toString().startsWith(redirectUri)) return Navigation.Landed(uri.toString())
            if (uri.host != "127.0.0.1" && uri.host != "localhost") {
                return Navigation.Failed("the page at ${uri.scheme}://${uri.host} is not on loopback")
            }
            if (requests >= maxRequests) return Navigation.Failed("no redirect to $redirectUri after $maxRequests requests")
            val remaining = deadline - System.nanoTime()
            if (remaining <= 0) return Navigation.Failed("no redirect to $redirectUri within ${timeout.seconds} s")

            requests += 1
            val response = try {
                client.send(copyWithTimeout(request, Duration.ofNanos(remaining)), HttpResponse.BodyHandlers.ofString())
            } catch (error: HttpTimeoutException) {
                return Navigation.Failed("${uri.path} timed out")
            } catch (error: IOException) {
                return Navigation.Failed("${uri.path} failed: ${error.javaClass.simpleName}")
            }
            request = nextRequest(uri, response) { return it }
        }
    }

    /** Returns the request that follows [response] from [uri], or calls [stop] with a failure. */
    private inline fun nextRequest(uri: URI, response: HttpResponse<String>, stop: (Navigation) -> Nothing): HttpRequest {
        val status = response.statusCode()
        if (status in 300..399) {
            val location = response.headers().firstValue("Location").orElse(null)
                ?: stop(Navigation.Failed("HTTP $status from ${uri.path} without a Location header"))
            return get(uri.resolve(location))
        }
        if (status != 200) stop(Navigation.Failed("HTTP $status from ${uri.path}"))
        val body = response.body()
        alertText(body)?.let { stop(Navigation.Failed("the provider rejected the login: $it")) }
        val action = formAction(body) ?: stop(Navigation.Failed("the page at ${uri.path} has no form"))
        return postForm(uri.resolve(action), listOf("login" to email, "password" to password))
    }

    private fun get(uri: URI): HttpRequest = HttpRequest.newBuilder(uri).GET().build()

    private fun postForm(uri: URI, fields: List<Pair<String, String>>): HttpRequest {
        val body = fields.joinToString("&") { (name, value) ->
            URLEncoder.encode(name, Charsets.UTF_8) + "=" + URLEncoder.encode(value, Charsets.UTF_8)
        }
        return HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
    }

    private fun copyWithTimeout(request: HttpRequest, timeout: Duration): HttpRequest =
        HttpRequest.newBuilder(request) { _, _ -> true }.timeout(timeout).build()

    private companion object {
        /** Returns the `action` of the page's first form, with `&amp;` decoded. */
        fun formAction(html: String): String? {
            val form = html.indexOf("<form").takeIf { it >= 0 } ?: return null
            val match = Regex("action=\"([^\"]*)\"").find(html, form) ?: return null
            return match.groupValues[1].replace("&amp;", "&")
        }

        /** Returns the text of the page's `role="alert"` element, which the provider shows after a failed login. */
        fun alertText(html: String): String? =
            Regex("role=\"alert\">([^<]*)<").find(html)?.groupValues?.get(1)
    }
}

/**
 * A [BrowserLauncher] over [browser], standing in for the app's Custom Tab: it loads the page
 * and hands the landed URL to the model, as `MainActivity.onNewIntent` does. When the sign-in
 * cannot finish, it cancels, as the shopper closing the tab does. It runs on the thread that
 * opens it, so with an immediate dispatch the whole sign-in runs inside `start`.
 */
class HeadlessCustomTab(
    private val browser: HeadlessBrowser,
    private val redirectUri: String,
    private val model: () -> FederatedSignInViewModel,
) : BrowserLauncher {
    /** Why the last sign-in did not reach the redirect, or null when it did. */
    @Volatile
    var failure: String? = null
        private set

    override fun open(url: String) {
        when (val result = browser.navigate(url, redirectUri)) {
            is Navigation.Landed -> {
                failure = if (model().handleRedirect(result.url)) null else "the model did not accept the redirect"
            }
            is Navigation.Failed -> {
                failure = result.reason
                model().cancel()
            }
        }
    }
}
