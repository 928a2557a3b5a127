// The Kotlin binding tests: the generated bindings over the real library, against the service
// and the moto user pool that `cargo xtask test` starts.

import java.net.ServerSocket
import java.util.Collections
import uniffi.walkout_ffi.InternalException
import uniffi.walkout_ffi.LogLevel
import uniffi.walkout_ffi.LogSink
import uniffi.walkout_ffi.SessionEvent
import uniffi.walkout_ffi.SessionObserver
import uniffi.walkout_ffi.WalkoutApp
import uniffi.walkout_ffi.WalkoutFfiException
import uniffi.walkout_ffi.clearLogSink
import uniffi.walkout_ffi.debugPanic
import uniffi.walkout_ffi.setLogSink
import uniffi.walkout_ffi.walkoutVersion

private val PNG_MAGIC = byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)

/** Returns the URL of a loopback port that nothing listens on. */
private fun unusedLoopbackUrl(): String {
    val port = ServerSocket(0).use { it.localPort }
    return "http://127.0.0.1:$port"
}

fun bindingTests(): List<TestCase> = listOf(
    TestCase("version is returned") {
        expectEqual("0.1.0", walkoutVersion(), "version")
    },
    TestCase("invalid brand is rejected") {
        val error = expectThrows<WalkoutFfiException.InvalidInput> {
            WalkoutApp(config("http://127.0.0.1:1", brandId = "Not A Brand"), MapSecretStore())
        }
        expectEqual("brand", error.field, "field")
    },
    TestCase("status reports ready") {
        val backend = requireEnv("WALKOUT_BACKEND_URL")
        val report = WalkoutApp(config(backend), MapSecretStore()).backendHealth()
        expectEqual(backend, report.backendUrl, "backend URL")
        expect(report.live) { "backend is not live: $report" }
        expect(report.ready) { "backend is not ready: $report" }
    },
    TestCase("offline error reads as sentence") {
        val app = WalkoutApp(config(unusedLoopbackUrl()), MapSecretStore())
        val error = expectThrows<WalkoutFfiException.Offline> { app.backendHealth() }
        val text = error.toString()
        expect(text.first().isUpperCase()) { "message does not start a sentence: $text" }
        expect(text.endsWith(".")) { "message does not end a sentence: $text" }
    },
    TestCase("debug panic becomes exception") {
        val error = expectThrows<InternalException> { debugPanic() }
        expect(error.message.orEmpty().contains("debug_panic")) { "panic message: $error" }
        expectEqual("0.1.0", walkoutVersion(), "version after the panic")
    },
    TestCase("sign-in stores session in foreign store") {
        val signedIn = signedInApp()
        val user = signedIn.app.currentUser()
        expect(user?.sub?.isNotEmpty() == true) { "current user: $user" }
        expect(signedIn.secrets.values.containsKey("cognito.session")) {
            "no session in ${signedIn.secrets.values.keys}"
        }
    },
    TestCase("unavailable store keeps session") {
        val signedIn = signedInApp()
        // A second app over the same storage reads the session from the store, as after a
        // restart of the app.
        signedIn.secrets.locked = true
        val restarted = WalkoutApp(signedIn.config, signedIn.secrets)
        expectThrows<WalkoutFfiException.SecretStoreUnavailable> { restarted.currentUser() }
        signedIn.secrets.locked = false
        expectEqual(signedIn.app.currentUser(), restarted.currentUser(), "user after unlocking")
    },
    TestCase("observer may re-enter API") {
        val backend = requireEnv("WALKOUT_BACKEND_URL")
        val app = WalkoutApp(config(backend, Pool()), MapSecretStore())
        val seen = Collections.synchronizedList(mutableListOf<Pair<SessionEvent, Boolean>>())
        app.addSessionObserver(object : SessionObserver {
            override fun sessionChanged(event: SessionEvent) {
                // Calls back into the core from inside its notification.
                seen.add(Pair(event, app.currentUser() != null))
            }
        })
        val email = newEmail()
        app.signUp(email, PASSWORD)
        app.confirmSignUp(email, "000000")
        val worker = Thread { app.signInStart(email, PASSWORD) }
        worker.start()
        worker.join(30_000)
        expect(!worker.isAlive) { "sign-in with a re-entering observer did not finish" }
        expectEqual(1, seen.size, "notifications")
        expect(seen[0].first is SessionEvent.SignedIn) { "event: ${seen[0].first}" }
        expect(seen[0].second) { "the observer saw no current user" }
    },
    TestCase("entry code renders after enrollment") {
        val app = signedInApp().app
        val info = app.enrollDevice()
        expectEqual(16, info.credentialId.length, "credential id length")
        val code = app.entryCode()
        expectEqual(38, code.text.length, "code length")
        expect(code.text.startsWith("W1")) { "code prefix" }
        expect(code.secondsUntilRotation in 1u..info.periodSecs) {
            "seconds until rotation: ${code.secondsUntilRotation}"
        }
        val png = app.entryCodePng(4u)
        expect(png.take(8) == PNG_MAGIC.toList()) { "not a PNG" }
        expect(app.entryCodeSvg(4u).contains("<svg")) { "not an SVG document" }
    },
    TestCase("log sink receives core events") {
        val backend = requireEnv("WALKOUT_BACKEND_URL")
        val records = Collections.synchronizedList(mutableListOf<Triple<LogLevel, String, String>>())
        setLogSink(object : LogSink {
            override fun log(level: LogLevel, target: String, message: String) {
                records.add(Triple(level, target, message))
            }
        }, LogLevel.INFO)
        try {
            WalkoutApp(config(backend), MapSecretStore())
        } finally {
            clearLogSink()
        }
        val started = records.filter { it.third.startsWith("walkout core started") }
        expectEqual(1, started.size, "start events")
        expectEqual(LogLevel.INFO, started[0].first, "level")
        expect(started[0].second.startsWith("walkout_core")) { "target: ${started[0].second}" }
    },
)
