// Administrator calls to a moto Cognito server over its JSON API, for the pools and users that
// the challenge tests need. moto checks no signature, so the calls carry only the target header.

package com.walkout.android.test

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.UUID

/** A user pool and an app client in the moto server at [endpoint]. */
data class MotoPool(val endpoint: String, val poolId: String, val clientId: String) {
    /** The region, which moto puts before the '_' of the pool id. */
    val region: String
        get() = poolId.substringBefore('_')
}

class MotoAdmin(private val endpoint: String) {
    private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    /** Calls [operation] with the JSON [body]; fails with moto's reply unless the status is 2xx. */
    fun call(operation: String, body: String): String {
        val request = HttpRequest.newBuilder(URI.create(endpoint))
            .timeout(Duration.ofSeconds(10))
            .header("X-Amz-Target", "AWSCognitoIdentityProviderService.$operation")
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val response = client.send(request, HttpResponse.BodyHandlers.ofString())
        if (response.statusCode() !in 200..299) {
            throw AssertionError("moto $operation failed with HTTP ${response.statusCode()}: ${response.body()}")
        }
        return response.body()
    }

    /**
     * Creates a pool whose MFA setting is [mfa] (`OFF`, `OPTIONAL` or `ON`, with authenticator
     * apps allowed unless `OFF`) and a public client that allows SRP and reads the email
     * attributes, so the ID token carries them.
     */
    fun createPool(mfa: String = "OFF"): MotoPool {
        val name = "android-${UUID.randomUUID().toString().take(8)}"
        val poolId = stringField(call("CreateUserPool", """{"PoolName":"$name"}"""), "Id")
        if (mfa != "OFF") {
            call(
                "SetUserPoolMfaConfig",
                """{"UserPoolId":"$poolId","MfaConfiguration":"$mfa","SoftwareTokenMfaConfiguration":{"Enabled":true}}""",
            )
        }
        val client = call(
            "CreateUserPoolClient",
            """{"UserPoolId":"$poolId","ClientName":"android","GenerateSecret":false,
               |"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"],
               |"ReadAttributes":["email","email_verified"]}""".trimMargin(),
        )
        return MotoPool(endpoint, poolId, stringField(client, "ClientId"))
    }

    /** Creates [email] with a temporary password, as an administrator invites a shopper; sends no message. */
    fun createUser(pool: MotoPool, email: String, temporaryPassword: String) {
        call(
            "AdminCreateUser",
            """{"UserPoolId":"${pool.poolId}","Username":"$email","TemporaryPassword":"$temporaryPassword",
               |"MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"$email"},
               |{"Name":"email_verified","Value":"true"}]}""".trimMargin(),
        )
    }

    /** Makes [password] the permanent password of [email], confirming the account. */
    fun setPermanentPassword(pool: MotoPool, email: String, password: String) {
        call(
            "AdminSetUserPassword",
            """{"UserPoolId":"${pool.poolId}","Username":"$email","Password":"$password","Permanent":true}""",
        )
    }

    /** Turns on SMS MFA for [email] as the preferred second factor. */
    fun preferSmsMfa(pool: MotoPool, email: String) {
        call(
            "AdminSetUserMFAPreference",
            """{"UserPoolId":"${pool.poolId}","Username":"$email","SMSMfaSettings":{"Enabled":true,"PreferredMfa":true}}""",
        )
    }

    private companion object {
        /** Returns the first string value of [key] in [json]; fails when there is none. */
        fun stringField(json: String, key: String): String =
            Regex("\"${Regex.escape(key)}\"\\s*:\\s*\"([^\"]+)\"").find(json)?.groupValues?.get(1)
                ?: throw AssertionError("no \"$key\" in moto's reply: $json")
    }
}
