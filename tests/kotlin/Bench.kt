// The call-overhead benchmark: each exported call is timed on its own with System.nanoTime
// after a warm-up, and the median and 99th percentile are printed. It is a measurement, not a
// test, and asserts nothing. Run it with `cargo xtask bindings --bench`.

import java.nio.file.Files
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.IntegrityCheckingUniffiLib
import uniffi.walkout_ffi.UniffiRustCallStatus
import uniffi.walkout_ffi.WalkoutApp
import uniffi.walkout_ffi.walkoutVersion

private const val WARM_UP_CALLS = 20_000
private const val MEASURED_CALLS = 100_000

/** Times `MEASURED_CALLS` calls of `call` one by one; prints the median and p99 in µs. */
private fun measure(name: String, call: () -> Unit) {
    repeat(WARM_UP_CALLS) { call() }
    val nanos = LongArray(MEASURED_CALLS)
    for (i in 0 until MEASURED_CALLS) {
        val started = System.nanoTime()
        call()
        nanos[i] = System.nanoTime() - started
    }
    nanos.sort()
    val median = nanos[MEASURED_CALLS / 2] / 1_000.0
    val p99 = nanos[MEASURED_CALLS * 99 / 100] / 1_000.0
    println("kotlin: %-36s median %7.2f µs  p99 %7.2f µs  (%d calls)".format(name, median, p99, MEASURED_CALLS))
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
    // The parts of one call, from the generated code: a native call through JNA's direct
    // mapping that returns an Int, and the JNA Structure that every call allocates for its
    // status. A string result adds a RustBuffer Structure and a second native call to free it.
    measure("JNA direct call, Int result") { IntegrityCheckingUniffiLib.uniffi_walkout_ffi_checksum_func_walkout_version() }
    measure("JNA Structure for the call status") { UniffiRustCallStatus() }
    // Trivial calls: no I/O, no lock, a short string back.
    measure("walkoutVersion()") { walkoutVersion() }
    measure("WalkoutApp.brandId()") { app.brandId() }
    // Representative calls: a SQLite read, and a secret store read through a Kotlin callback.
    measure("WalkoutApp.receiptSyncStatus()") { app.receiptSyncStatus() }
    measure("WalkoutApp.currentUser()") { app.currentUser() }
    app.close()
    dir.toFile().deleteRecursively()
}
