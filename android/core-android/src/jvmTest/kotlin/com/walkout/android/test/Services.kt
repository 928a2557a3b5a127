// The services that `cargo xtask test` starts for this stage, read from environment
// variables, and helpers that build a real core over them.

package com.walkout.android.test

import com.walkout.android.secrets.KeystoreSecretStore
import java.net.ServerSocket
import java.nio.file.Files
import java.nio.file.Path
import java.util.UUID
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.SecretStore
import uniffi.walkout_ffi.WalkoutApp

const val PASSWORD = "Correct-Horse-7"
const val BRAND = "acme"

/** Returns the environment variable [name], or skips the test (fails it under CI=true). */
fun requireEnv(name: String): String {
    val value = System.getenv(name)
    if (!value.isNullOrEmpty()) return value
    val message = "$name is not set; `cargo xtask test` sets it after starting the service"
    if (System.getenv("CI") == "true") throw AssertionError(message)
    throw SkipTest(message)
}

/** Creates a new folder under `WALKOUT_TEST_DIR` when set, else in the system's temp folder. */
fun newFolder(prefix: String): Path {
    val base = System.getenv("WALKOUT_TEST_DIR")
    if (base.isNullOrEmpty()) return Files.createTempDirectory(prefix)
    return Files.createTempDirectory(Files.createDirectories(Path.of(base)), prefix)
}

/** Returns the URL of a loopback port that nothing listens on. */
fun unusedLoopbackUrl(): String {
    val port = ServerSocket(0).use { it.localPort }
    return "http://127.0.0.1:$port"
}

/** Builds a configuration over the moto pool and the service, with a new storage folder. */
fun poolConfig(backendUrl: String = requireEnv("WALKOUT_BACKEND_URL")): AppConfig =
    AppConfig(
        brandId = BRAND,
        backendUrl = backendUrl,
        storageDir = newFolder("walkout-android-").toString(),
        cognitoRegion = requireEnv("WALKOUT_COGNITO_REGION"),
        cognitoEndpointUrl = requireEnv("WALKOUT_COGNITO_ENDPOINT"),
        cognitoUserPoolId = requireEnv("WALKOUT_COGNITO_POOL_ID"),
        cognitoClientId = requireEnv("WALKOUT_COGNITO_CLIENT_ID"),
    )

/** Returns a new shopper's email address, unique in the pool. */
fun newEmail(): String = "android-${UUID.randomUUID().toString().take(12)}@example.com"

/** A core over the services, with the Keystore secret store over a fake keystore. */
class Device(
    val config: AppConfig = poolConfig(),
    val keystore: FakeKeystore = FakeKeystore(),
    val secrets: SecretStore = KeystoreSecretStore(BRAND, Path.of(config.storageDir, "secrets"), keystore),
) {
    val app = WalkoutApp(config, secrets)

    /** Opens a second core over this device's storage, as after a restart, reaching [backendUrl]. */
    fun restart(backendUrl: String = config.backendUrl): WalkoutApp =
        WalkoutApp(config.copy(backendUrl = backendUrl), secrets)
}

/** Signs up [email] on [device] (moto accepts any confirmation code) and signs in. */
fun signUpAndSignIn(device: Device, email: String = newEmail()) {
    device.app.signUp(email, PASSWORD)
    device.app.confirmSignUp(email, "000000")
    device.app.signInStart(email, PASSWORD)
    expect(device.app.currentUser() != null) { "no current user after signing in $email" }
}
