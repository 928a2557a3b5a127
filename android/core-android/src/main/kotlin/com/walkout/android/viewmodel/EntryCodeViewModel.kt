// The entry screen: the rotating QR code the gate scans. The core derives each code on the
// device from the stored entry credential, so the screen works offline once the device is
// enrolled. This model decides when to ask for the next code (on the injected clock and
// scheduler), and which display flags the screen sets while it is visible. The code text is
// kept only while the screen is shown and is never logged.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.WalkoutAppInterface
import uniffi.walkout_ffi.WalkoutFfiException

data class EntryState(
    /** The code's text; the screen shows it only for accessibility services, never in logs. */
    val codeText: String? = null,
    /** The code rendered as a PNG, to draw at full width. */
    val codePng: ByteArray? = null,
    /** Whole seconds until the next code, counted on the injected clock. */
    val secondsUntilRotation: Int = 0,
    /** The screen sets the window to full brightness while this is true. */
    val fullBrightness: Boolean = false,
    /** The screen sets FLAG_KEEP_SCREEN_ON while this is true. */
    val keepScreenOn: Boolean = false,
    /** The backend could not be reached; codes still come from the stored credential. */
    val offline: Boolean = false,
    val loading: Boolean = false,
    val error: UiError? = null,
)

/**
 * @param maxBrightness the brand's choice to show the code at full brightness.
 * @param pixelsPerModule the PNG's scale, 1 to 64.
 */
class EntryCodeViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
    private val clock: Clock,
    private val scheduler: Scheduler,
    private val maxBrightness: Boolean = true,
    private val pixelsPerModule: UInt = 8u,
) : ViewModel(dispatch) {
    val state = StateHolder(EntryState())

    /** When the current code stops being valid, in milliseconds on [clock]. */
    private var rotatesAtMillis = 0L
    private var tick: Subscription? = null
    private var visible = false

    /** Called when the screen becomes visible: checks the credential, then shows codes. */
    fun start() {
        if (visible) return
        visible = true
        state.update { it.copy(fullBrightness = maxBrightness, keepScreenOn = true, loading = true, error = null) }
        perform({ ensureCredential() }) { outcome ->
            when (outcome) {
                is Outcome.Success -> {
                    state.update { it.copy(offline = outcome.value) }
                    refresh()
                }
                is Outcome.Failure -> state.update { it.copy(loading = false, error = outcome.error) }
            }
        }
    }

    /** Called when the screen is hidden: stops the timer, clears the code and the flags. */
    fun stop() {
        visible = false
        tick?.cancel()
        tick = null
        state.update { EntryState(offline = it.offline) }
    }

    override fun close() {
        stop()
        super.close()
    }

    /**
     * Makes sure a credential is stored, enrolling or renewing it when the backend is
     * reachable. Returns whether the device is offline; offline with no stored credential fails.
     */
    private fun ensureCredential(): Boolean =
        try {
            app.ensureEntryCredential()
            false
        } catch (offline: WalkoutFfiException.Offline) {
            app.entryCredential() ?: throw offline
            true
        }

    private fun refresh() {
        if (!visible) return
        perform({ Pair(app.entryCode(), app.entryCodePng(pixelsPerModule)) }) { outcome ->
            if (!visible) return@perform
            when (outcome) {
                is Outcome.Success -> {
                    val (code, png) = outcome.value
                    rotatesAtMillis = clock.nowMillis() + code.millisUntilRotation.toLong()
                    state.update {
                        it.copy(
                            codeText = code.text,
                            codePng = png,
                            secondsUntilRotation = secondsLeft(),
                            loading = false,
                            error = null,
                        )
                    }
                    scheduleTick()
                }
                is Outcome.Failure -> state.update { it.copy(loading = false, error = outcome.error) }
            }
        }
    }

    /** Wakes at the next whole second of the countdown, or at the rotation if sooner. */
    private fun scheduleTick() {
        tick?.cancel()
        val remaining = rotatesAtMillis - clock.nowMillis()
        val untilNextSecond = if (remaining % 1000 == 0L) 1000 else remaining % 1000
        tick = scheduler.schedule(untilNextSecond.coerceIn(1, 1000)) { onTick() }
    }

    private fun onTick() {
        if (!visible) return
        if (clock.nowMillis() >= rotatesAtMillis) {
            refresh()
        } else {
            state.update { it.copy(secondsUntilRotation = secondsLeft()) }
            scheduleTick()
        }
    }

    private fun secondsLeft(): Int {
        val remaining = (rotatesAtMillis - clock.nowMillis()).coerceAtLeast(0)
        return ((remaining + 999) / 1000).toInt()
    }
}
