// EntryCodeViewModel over the real core: codes from the stored credential, rotation driven by
// the manual clock, the display flags, and offline use.

package com.walkout.android.test

import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.EntryCodeViewModel
import com.walkout.android.viewmodel.UiError
import uniffi.walkout_ffi.EntryCode
import uniffi.walkout_ffi.WalkoutAppInterface

private val PNG_MAGIC = byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47)

/** Counts the code derivations, to check when the model requests a new code from the core. */
private class CountingApp(private val inner: WalkoutAppInterface) : WalkoutAppInterface by inner {
    var codes = 0
        private set

    override fun entryCode(): EntryCode {
        codes += 1
        return inner.entryCode()
    }
}

private fun signedInDevice(): Device = Device().also { signUpAndSignIn(it) }

fun entryCodeTests(): List<TestCase> = listOf(
    TestCase("entry screen shows code") {
        val time = ManualTime()
        val model = EntryCodeViewModel(signedInDevice().app, Dispatch.immediate, time, time)
        model.start()
        val state = model.state.value
        expect(state.error == null) { "error: ${state.error}" }
        expectEqual(38, state.codeText?.length, "code length")
        expect(state.codeText?.startsWith("W1") == true) { "code prefix" }
        expect(state.codePng?.take(4) == PNG_MAGIC.toList()) { "not a PNG" }
    },
    TestCase("entry screen sets display flags") {
        val time = ManualTime()
        val model = EntryCodeViewModel(signedInDevice().app, Dispatch.immediate, time, time)
        model.start()
        expectEqual(true, model.state.value.fullBrightness, "full brightness")
        expectEqual(true, model.state.value.keepScreenOn, "keep screen on")
    },
    TestCase("brand may keep brightness") {
        val time = ManualTime()
        val model = EntryCodeViewModel(signedInDevice().app, Dispatch.immediate, time, time, maxBrightness = false)
        model.start()
        expectEqual(false, model.state.value.fullBrightness, "full brightness")
        expectEqual(true, model.state.value.keepScreenOn, "keep screen on")
    },
    TestCase("code rotates on clock") {
        val time = ManualTime()
        val app = CountingApp(signedInDevice().app)
        val model = EntryCodeViewModel(app, Dispatch.immediate, time, time)
        model.start()
        expectEqual(1, app.codes, "codes after start")
        val seconds = model.state.value.secondsUntilRotation
        expect(seconds >= 1) { "seconds until rotation: $seconds" }

        // The code is valid for more than (seconds - 1) s and at most seconds s from now.
        time.advance((seconds - 1) * 1_000L)
        expectEqual(1, app.codes, "codes just before the rotation")
        expectEqual(1, model.state.value.secondsUntilRotation, "countdown just before the rotation")
        time.advance(1_000)
        expect(app.codes >= 2) { "no new code after the rotation" }
        expect(model.state.value.secondsUntilRotation >= 1) { "countdown did not restart" }
    },
    TestCase("hidden screen stops rotation") {
        val time = ManualTime()
        val app = CountingApp(signedInDevice().app)
        val model = EntryCodeViewModel(app, Dispatch.immediate, time, time)
        model.start()
        model.stop()
        time.advance(120_000)
        expectEqual(1, app.codes, "codes after stopping")
        expectEqual(0, time.pending, "pending timers")
        expectEqual(null, model.state.value.codeText, "code text")
        expectEqual(false, model.state.value.keepScreenOn, "keep screen on")
        expectEqual(false, model.state.value.fullBrightness, "full brightness")
    },
    TestCase("offline device shows stored code") {
        val device = signedInDevice()
        device.app.enrollDevice()
        val offline = device.restart(unusedLoopbackUrl())
        val time = ManualTime()
        val model = EntryCodeViewModel(offline, Dispatch.immediate, time, time)
        model.start()
        val state = model.state.value
        expect(state.error == null) { "error: ${state.error}" }
        expectEqual(offline.entryCode().text, state.codeText, "code text")
    },
    TestCase("offline device without credential fails") {
        val device = signedInDevice()
        val offline = device.restart(unusedLoopbackUrl())
        val time = ManualTime()
        val model = EntryCodeViewModel(offline, Dispatch.immediate, time, time)
        model.start()
        expectEqual(UiError.Kind.OFFLINE, model.state.value.error?.kind, "kind")
        expectEqual(null, model.state.value.codeText, "code text")
    },
    TestCase("signed-out device shows no code") {
        val time = ManualTime()
        val model = EntryCodeViewModel(Device().app, Dispatch.immediate, time, time)
        model.start()
        expectEqual(UiError.Kind.NOT_SIGNED_IN, model.state.value.error?.kind, "kind")
        expectEqual(null, model.state.value.codeText, "code text")
    },
)
