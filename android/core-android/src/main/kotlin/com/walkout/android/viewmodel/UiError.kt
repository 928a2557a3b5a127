// Errors as screens show them. The message is the core's own sentence (its Display text),
// which never carries tokens, codes or card numbers, so screens may show it as it is.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.InternalException
import uniffi.walkout_ffi.WalkoutFfiException

/** A failed action: what kind of failure it was, and a sentence to show. */
data class UiError(
    val kind: Kind,
    val message: String,
    /** The invalid input's name, such as `email` or `number`, for [Kind.INVALID_INPUT]. */
    val field: String? = null,
    /** The backend's problem slug, such as `outstanding-balance`, for [Kind.DENIED]. */
    val reasonSlug: String? = null,
) {
    enum class Kind {
        /** The backend cannot be reached; cached data is still shown. */
        OFFLINE,
        /** No shopper is signed in. */
        NOT_SIGNED_IN,
        /** The session ended; show the sign-in screen. */
        SESSION_EXPIRED,
        /** A value the shopper typed is invalid. */
        INVALID_INPUT,
        /** The backend refused for a business reason. */
        DENIED,
        /** The device's secure storage is locked; ask the shopper to unlock the device. */
        SECRET_STORE_UNAVAILABLE,
        /** Anything else: the backend or the app failed. */
        FAILED,
    }

    companion object {
        /** Maps an exception from a core call or from app code to the error a screen shows. */
        fun from(error: Exception): UiError = when (error) {
            is WalkoutFfiException.Offline -> UiError(Kind.OFFLINE, error.toString())
            is WalkoutFfiException.NotSignedIn -> UiError(Kind.NOT_SIGNED_IN, error.toString())
            is WalkoutFfiException.Unauthorized -> UiError(Kind.SESSION_EXPIRED, error.toString())
            is WalkoutFfiException.InvalidInput ->
                UiError(Kind.INVALID_INPUT, error.toString(), field = error.field)
            is WalkoutFfiException.Denied ->
                UiError(Kind.DENIED, error.toString(), reasonSlug = error.reasonSlug)
            is WalkoutFfiException.SecretStoreUnavailable ->
                UiError(Kind.SECRET_STORE_UNAVAILABLE, error.toString())
            is WalkoutFfiException -> UiError(Kind.FAILED, error.toString())
            is InternalException -> UiError(Kind.FAILED, "Something went wrong inside the app. Please try again.")
            else -> UiError(Kind.FAILED, "Something went wrong. Please try again.")
        }
    }
}
