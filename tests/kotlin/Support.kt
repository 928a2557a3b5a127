// Fixtures for the Kotlin binding tests: a map-backed secret store, the services that
// `cargo xtask test` starts (read from environment variables), and a signed-in app.

import java.nio.file.Files
import java.nio.file.Path
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.SecretLookup
import uniffi.walkout_ffi.SecretStore
import uniffi.walkout_ffi.SignInStep
import uniffi.walkout_ffi.WalkoutApp
import uniffi.walkout_ffi.WalkoutFfiException

const val PASSWORD = "Correct-Horse-7"

/** A secret store over a map that can be switched to "unavailable", as a locked device is. */
class MapSecretStore : SecretStore {
    val values = ConcurrentHashMap<String, ByteArray>()

    @Volatile
    var locked = false

    override fun get(key: String): SecretLookup {
        if (locked) return SecretLookup.Unavailable("device locked")
        val value = values[key] ?: return SecretLookup.Absent
        return SecretLookup.Found(value)
    }

    override fun set(key: String, value: ByteArray) {
        if (locked) throw WalkoutFfiException.SecretStoreUnavailable()
        values[key] = value
    }

    override fun delete(key: String) {
        if (locked) throw WalkoutFfiException.SecretStoreUnavailable()
        values.remove(key)
    }
}

/** Returns the environment variable `name`, or skips the test (fails it under CI=true). */
fun requireEnv(name: String): String {
    val value = System.getenv(name)
    if (!value.isNullOrEmpty()) return value
    val message = "$name is not set; `cargo xtask test` sets it after starting the service"
    if (System.getenv("CI") == "true") throw AssertionError(message)
    throw SkipTest(message)
}

/** The moto user pool that `cargo xtask test` created and the service trusts. */
class Pool {
    val endpoint = requireEnv("WALKOUT_COGNITO_ENDPOINT")
    val region = requireEnv("WALKOUT_COGNITO_REGION")
    val poolId = requireEnv("WALKOUT_COGNITO_POOL_ID")
    val clientId = requireEnv("WALKOUT_COGNITO_CLIENT_ID")
}

/**
 * Builds a configuration with a new storage folder, under `WALKOUT_TEST_DIR` when it is set
 * (`cargo xtask test` empties that folder on each run). Without a pool, Cognito is never called.
 */
fun config(backendUrl: String, pool: Pool? = null, brandId: String = "acme"): AppConfig {
    val base = System.getenv("WALKOUT_TEST_DIR")
    val dir = if (base.isNullOrEmpty()) {
        Files.createTempDirectory("walkout-kotlin-")
    } else {
        Files.createTempDirectory(Files.createDirectories(Path.of(base)), "walkout-kotlin-")
    }
    return AppConfig(
        brandId = brandId,
        backendUrl = backendUrl,
        storageDir = dir.toString(),
        cognitoRegion = pool?.region ?: "eu-west-2",
        cognitoEndpointUrl = pool?.endpoint,
        cognitoUserPoolId = pool?.poolId ?: "eu-west-2_unused",
        cognitoClientId = pool?.clientId ?: "unused-client",
    )
}

/** Returns a new shopper's email address, unique in the pool. */
fun newEmail(): String = "kt-${UUID.randomUUID().toString().take(12)}@example.com"

/** Signs up `email` (moto accepts any confirmation code) and signs in. */
fun signUpAndSignIn(app: WalkoutApp, email: String) {
    app.signUp(email, PASSWORD)
    app.confirmSignUp(email, "000000")
    val step = app.signInStart(email, PASSWORD)
    expect(step is SignInStep.SignedIn) { "expected SignedIn, got $step" }
}

/** An app whose new shopper is signed in, with its configuration and secret store. */
class SignedIn(val app: WalkoutApp, val config: AppConfig, val secrets: MapSecretStore)

/** Signs a new shopper in on a new app. */
fun signedInApp(): SignedIn {
    val backend = requireEnv("WALKOUT_BACKEND_URL")
    val config = config(backend, Pool())
    val secrets = MapSecretStore()
    val app = WalkoutApp(config, secrets)
    signUpAndSignIn(app, newEmail())
    return SignedIn(app, config, secrets)
}
