// The call-overhead benchmark: many calls of trivial exported functions, timed with
// System.nanoTime after a warm-up. It is a measurement, not a test, and asserts nothing.

import java.nio.file.Files
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.WalkoutApp
import uniffi.walkout_ffi.walkoutVersion

private const val WARM_UP_CALLS = 10_000
private const val MEASURED_CALLS = 100_000

private fun measure(name: String, call: () -> Unit) {
    repeat(WARM_UP_CALLS) { call() }
    val started = System.nanoTime()
    repeat(MEASURED_CALLS) { call() }
    val perCallMicros = (System.nanoTime() - started) / 1_000.0 / MEASURED_CALLS
    println("kotlin: $name: %.2f µs per call (%d calls)".format(perCallMicros, MEASURED_CALLS))
}

fun runBench() {
    val dir = Files.createTempDirectory("walkout-bench-")
    val app = WalkoutApp(
        AppConfig(
            brandId = "bench",
            backendUrl = "http://127.0.0.1:1",
            storageDir = dir.toString(),
            cognitoRegion = "eu-west-2",
            cognitoUserPoolId = "eu-west-2_unused",
            cognitoClientId = "unused-client",
        ),
        MapSecretStore(),
    )
    measure("walkoutVersion()") { walkoutVersion() }
    measure("WalkoutApp.brandId()") { app.brandId() }
    app.close()
    dir.toFile().deleteRecursively()
}
