// The common base of the view models: runs a blocking call on the background executor and
// hands its outcome to the main executor, and drops outcomes that arrive after close().

package com.walkout.android.viewmodel

/** The outcome of one background call. */
sealed interface Outcome<out T> {
    data class Success<T>(val value: T) : Outcome<T>
    data class Failure(val error: UiError) : Outcome<Nothing>
}

/** A screen's logic; the screen calls [close] when it is destroyed. */
abstract class ViewModel(protected val dispatch: Dispatch) : AutoCloseable {
    @Volatile
    protected var closed = false
        private set

    /** Runs [call] off the main thread, then [onResult] on it unless the model was closed. */
    protected fun <T> perform(call: () -> T, onResult: (Outcome<T>) -> Unit) {
        dispatch.background.execute {
            val outcome: Outcome<T> = try {
                Outcome.Success(call())
            } catch (error: Exception) {
                Outcome.Failure(UiError.from(error))
            }
            dispatch.main.execute {
                if (!closed) onResult(outcome)
            }
        }
    }

    override fun close() {
        closed = true
    }
}
