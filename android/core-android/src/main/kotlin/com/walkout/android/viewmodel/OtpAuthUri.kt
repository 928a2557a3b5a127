// The otpauth:// URI that authenticator apps read (as a link or a QR code) to add a TOTP
// account, built from the Base32 secret of the MFA setup step. It is a pure function and keeps
// nothing: the secret appears only in the returned string, which the setup screen shows.
//
// Format: otpauth://totp/<issuer>:<account>?secret=<BASE32>&issuer=<issuer>. The label's two
// parts and the issuer parameter are percent-encoded as UTF-8, and only the RFC 3986
// unreserved characters stay as they are. So spaces become %20 (never '+'), '@' becomes %40,
// and a ':' inside the issuer cannot be read as the separator. The algorithm, digits and
// period are left out because Cognito uses the defaults (SHA-1, 6 digits, 30 seconds).

package com.walkout.android.viewmodel

object OtpAuthUri {
    private const val BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    private const val HEX_DIGITS = "0123456789ABCDEF"

    /**
     * Builds the URI for [secret] (Base32; case, spaces and '=' padding are ignored), the
     * shopper's [account] (their email) and the brand's display name [issuer]. A blank
     * [issuer] is left out. Returns null when [secret] is empty or not Base32, or [account]
     * is blank.
     */
    fun build(secret: String, account: String, issuer: String): String? {
        val normalized = normalizeSecret(secret) ?: return null
        val accountName = account.trim()
        if (accountName.isEmpty()) return null
        val issuerName = issuer.trim()

        val label = if (issuerName.isEmpty()) {
            percentEncode(accountName)
        } else {
            percentEncode(issuerName) + ":" + percentEncode(accountName)
        }
        val query = StringBuilder("secret=").append(normalized)
        if (issuerName.isNotEmpty()) query.append("&issuer=").append(percentEncode(issuerName))
        return "otpauth://totp/$label?$query"
    }

    /**
     * Returns [secret] in upper case without spaces, hyphens or '=' padding, or null when
     * nothing is left or a character is outside the Base32 alphabet.
     */
    fun normalizeSecret(secret: String): String? {
        val cleaned = secret.filterNot { it == ' ' || it == '-' || it == '=' }.uppercase()
        if (cleaned.isEmpty() || cleaned.any { it !in BASE32_ALPHABET }) return null
        return cleaned
    }

    /** Percent-encodes [text] as UTF-8, leaving only `A-Z a-z 0-9 - . _ ~` unencoded. */
    fun percentEncode(text: String): String {
        val out = StringBuilder()
        for (byte in text.toByteArray(Charsets.UTF_8)) {
            val value = byte.toInt() and 0xFF
            val char = value.toChar()
            if (isUnreserved(char)) {
                out.append(char)
            } else {
                out.append('%').append(HEX_DIGITS[value shr 4]).append(HEX_DIGITS[value and 0x0F])
            }
        }
        return out.toString()
    }

    private fun isUnreserved(char: Char): Boolean =
        char in 'A'..'Z' || char in 'a'..'z' || char in '0'..'9' || char == '-' || char == '.' || char == '_' || char == '~'
}
