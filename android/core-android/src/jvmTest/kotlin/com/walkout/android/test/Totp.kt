// The authenticator app's side of TOTP (RFC 6238 over HMAC-SHA1, RFC 4226 truncation), so the
// MFA tests can enter the code an app would show for the secret that Cognito handed out.

package com.walkout.android.test

import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

object Totp {
    /** The code's lifetime and the number of digits, as Cognito uses them. */
    const val STEP_SECONDS = 30L
    const val DIGITS = 6

    /** The margin kept before a step ends, so a code computed now is still valid when the server checks it. */
    private const val MARGIN_SECONDS = 4L

    /** Returns the [digits]-digit code for [key] at Unix time [epochSeconds]. */
    fun code(key: ByteArray, epochSeconds: Long, digits: Int = DIGITS): String {
        val counter = epochSeconds / STEP_SECONDS
        val message = ByteArray(8) { index -> (counter shr (8 * (7 - index))).toByte() }
        val mac = Mac.getInstance("HmacSHA1").apply { init(SecretKeySpec(key, "HmacSHA1")) }
        val hash = mac.doFinal(message)
        val offset = hash[hash.size - 1].toInt() and 0x0F
        val binary = ((hash[offset].toInt() and 0x7F) shl 24) or
            ((hash[offset + 1].toInt() and 0xFF) shl 16) or
            ((hash[offset + 2].toInt() and 0xFF) shl 8) or
            (hash[offset + 3].toInt() and 0xFF)
        var modulus = 1
        repeat(digits) { modulus *= 10 }
        return (binary % modulus).toString().padStart(digits, '0')
    }

    /**
     * Returns the current code for the Base32 [secret]. When the current step ends within a
     * few seconds, it first waits for the next step, because moto accepts only the current one.
     */
    fun currentCode(secret: String): String {
        val key = base32Decode(secret)
        var now = System.currentTimeMillis() / 1000
        val left = STEP_SECONDS - now % STEP_SECONDS
        if (left <= MARGIN_SECONDS) {
            Thread.sleep(left * 1000 + 200)
            now = System.currentTimeMillis() / 1000
        }
        return code(key, now)
    }

    /** Returns a 6-digit code that differs from the current one for [secret]. */
    fun wrongCode(secret: String): String {
        val right = currentCode(secret)
        return if (right == "123456") "654321" else "123456"
    }

    /** Decodes RFC 4648 Base32, ignoring case, spaces and '=' padding; leftover bits are dropped. */
    fun base32Decode(text: String): ByteArray {
        val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        val out = java.io.ByteArrayOutputStream()
        var buffer = 0
        var bits = 0
        for ((position, char) in text.uppercase().withIndex()) {
            if (char == '=' || char == ' ') continue
            val value = alphabet.indexOf(char)
            require(value >= 0) { "invalid Base32 character at position $position" }
            buffer = (buffer shl 5) or value
            bits += 5
            if (bits >= 8) {
                bits -= 8
                out.write((buffer shr bits) and 0xFF)
            }
        }
        return out.toByteArray()
    }
}
