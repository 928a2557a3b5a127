// Observable state for screens without coroutines or Android classes, so the view models run
// and are tested on a plain JVM. A Compose screen adapts a StateHolder to its own State.

package com.walkout.android.viewmodel

import java.util.concurrent.CopyOnWriteArrayList

/** Stops a listener from receiving further values. */
fun interface Subscription {
    fun cancel()
}

/**
 * The current value of a screen's state and its listeners. Listeners run on the thread that
 * sets the value; view models set values only on their main executor.
 */
class StateHolder<T>(initial: T) {
    private val listeners = CopyOnWriteArrayList<(T) -> Unit>()

    @Volatile
    var value: T = initial
        private set

    /** Registers [listener], calls it once with the current value, and returns its subscription. */
    fun observe(listener: (T) -> Unit): Subscription {
        listeners.add(listener)
        listener(value)
        return Subscription { listeners.remove(listener) }
    }

    /** Replaces the value with `transform(value)` and notifies every listener. */
    fun update(transform: (T) -> T) {
        val next = synchronized(this) {
            value = transform(value)
            value
        }
        listeners.forEach { it(next) }
    }
}
