// Threads and time for the view models. The core's methods block on network work, so view
// models call them on a background executor and publish results on the main executor. Time
// and timers are injected so tests drive code rotation without waiting.

package com.walkout.android.viewmodel

import java.util.concurrent.Executor

/** The executors of the view models: [background] for blocking core calls, [main] for state. */
class Dispatch(val background: Executor, val main: Executor) {
    companion object {
        /** Runs everything on the calling thread, for tests and command-line tools. */
        val immediate = Dispatch(Executor { it.run() }, Executor { it.run() })
    }
}

/** Wall-clock time in Unix milliseconds. */
fun interface Clock {
    fun nowMillis(): Long

    companion object {
        val system = Clock { System.currentTimeMillis() }
    }
}

/** Runs actions after a delay, on the main thread; Android implements it with a Handler. */
fun interface Scheduler {
    /** Runs [action] once after [delayMillis]; the returned subscription cancels it. */
    fun schedule(delayMillis: Long, action: () -> Unit): Subscription
}
