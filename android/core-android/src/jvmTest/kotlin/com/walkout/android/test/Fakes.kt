// Stand-ins for what only a device has: the Android Keystore, the clock, the main thread's
// timers and the browser. Each behaves as the real one does in the cases the tests need.

package com.walkout.android.test

import com.walkout.android.secrets.KeyInvalidatedException
import com.walkout.android.secrets.KeyProvider
import com.walkout.android.secrets.KeyUnavailableException
import com.walkout.android.viewmodel.BrowserLauncher
import com.walkout.android.viewmodel.Clock
import com.walkout.android.viewmodel.Scheduler
import com.walkout.android.viewmodel.Subscription
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * A keystore in memory: AES-256 keys that the test can lock (as a locked device does) or
 * invalidate (as removing the screen lock does to auth-bound keys).
 */
class FakeKeystore : KeyProvider {
    private val keys = ConcurrentHashMap<String, SecretKey>()

    @Volatile
    var locked = false

    override fun encryptingCipher(alias: String): Cipher {
        if (locked) throw KeyUnavailableException("the fake keystore is locked")
        val key = keys.getOrPut(alias) {
            KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
        }
        return Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, key) }
    }

    override fun decryptingCipher(alias: String, iv: ByteArray): Cipher {
        if (locked) throw KeyUnavailableException("the fake keystore is locked")
        val key = keys[alias] ?: throw KeyInvalidatedException("no key $alias")
        return Cipher.getInstance("AES/GCM/NoPadding").apply {
            init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, iv))
        }
    }

    override fun deleteKey(alias: String) {
        keys.remove(alias)
    }
}

/** A clock that moves only when the test advances it, and runs the timers that fall due. */
class ManualTime(private var now: Long = 1_767_225_600_000) : Clock, Scheduler {
    private class Timer(val dueMillis: Long, val action: () -> Unit) {
        var cancelled = false
    }

    private val timers = mutableListOf<Timer>()

    override fun nowMillis(): Long = now

    override fun schedule(delayMillis: Long, action: () -> Unit): Subscription {
        val timer = Timer(now + delayMillis, action)
        timers.add(timer)
        return Subscription { timer.cancelled = true }
    }

    /** The timers still waiting to run. */
    val pending: Int
        get() = timers.count { !it.cancelled }

    /** Moves the clock by [millis], running each timer at its due time in order. */
    fun advance(millis: Long) {
        val end = now + millis
        while (true) {
            val next = timers.filter { !it.cancelled && it.dueMillis <= end }.minByOrNull { it.dueMillis } ?: break
            timers.remove(next)
            now = maxOf(now, next.dueMillis)
            next.action()
        }
        timers.removeAll { it.cancelled }
        now = end
    }
}

/** Records the URLs the app asked the browser to open, then runs [onOpen] for each. */
class RecordingBrowser(private val onOpen: (String) -> Unit = {}) : BrowserLauncher {
    val opened = mutableListOf<String>()

    override fun open(url: String) {
        opened.add(url)
        onOpen(url)
    }
}
