// The otpauth:// URI builder and the test's own TOTP generator, over tables of cases. The TOTP
// rows are the SHA-1 vectors of RFC 6238, appendix B, cut to the 6 digits that Cognito uses.

package com.walkout.android.test

import com.walkout.android.viewmodel.OtpAuthUri

private const val SECRET = "JBSWY3DPEHPK3PXP"

/** One row: the inputs and the URI expected, or null when the builder must reject them. */
private class UriCase(val name: String, val secret: String, val account: String, val issuer: String, val expected: String?)

private val uriCases = listOf(
    UriCase("plain", SECRET, "jane@example.com", "Acme", "otpauth://totp/Acme:jane%40example.com?secret=$SECRET&issuer=Acme"),
    UriCase(
        "space in issuer",
        SECRET,
        "jane@example.com",
        "Acme Market",
        "otpauth://totp/Acme%20Market:jane%40example.com?secret=$SECRET&issuer=Acme%20Market",
    ),
    UriCase(
        "plus and at in account",
        SECRET,
        "jane+shop@example.com",
        "Acme",
        "otpauth://totp/Acme:jane%2Bshop%40example.com?secret=$SECRET&issuer=Acme",
    ),
    UriCase(
        "colon and ampersand in issuer",
        SECRET,
        "jane@example.com",
        "Shop: A&B",
        "otpauth://totp/Shop%3A%20A%26B:jane%40example.com?secret=$SECRET&issuer=Shop%3A%20A%26B",
    ),
    UriCase(
        "non-ASCII issuer",
        SECRET,
        "jane@example.com",
        "Café",
        "otpauth://totp/Caf%C3%A9:jane%40example.com?secret=$SECRET&issuer=Caf%C3%A9",
    ),
    UriCase("blank issuer", SECRET, "jane@example.com", "  ", "otpauth://totp/jane%40example.com?secret=$SECRET"),
    UriCase(
        "lower case spaced padded secret",
        "jbsw y3dp ehpk 3pxp====",
        " jane@example.com ",
        " Acme ",
        "otpauth://totp/Acme:jane%40example.com?secret=$SECRET&issuer=Acme",
    ),
    UriCase("unreserved kept", SECRET, "a-b.c_d~e", "Acme", "otpauth://totp/Acme:a-b.c_d~e?secret=$SECRET&issuer=Acme"),
    UriCase("empty secret", "", "jane@example.com", "Acme", null),
    UriCase("only padding", "====", "jane@example.com", "Acme", null),
    UriCase("digit outside Base32", "JBSWY3DPEHPK3PX1", "jane@example.com", "Acme", null),
    UriCase("blank account", SECRET, " ", "Acme", null),
)

/** RFC 6238 appendix B: Unix time and the SHA-1 code's last 6 digits for the ASCII key "12345678901234567890". */
private val totpVectors = listOf(
    59L to "287082",
    1111111109L to "081804",
    1111111111L to "050471",
    1234567890L to "005924",
    2000000000L to "279037",
    20000000000L to "353130",
)

fun otpAuthTests(): List<TestCase> =
    uriCases.map { case ->
        TestCase("otpauth uri ${case.name}") {
            expectEqual(case.expected, OtpAuthUri.build(case.secret, case.account, case.issuer), "URI")
        }
    } + listOf(
        TestCase("totp matches rfc 6238 vectors") {
            val key = "12345678901234567890".toByteArray(Charsets.US_ASCII)
            for ((time, code) in totpVectors) {
                expectEqual(code, Totp.code(key, time), "code at $time")
            }
        },
        TestCase("totp keeps 8 digit vector") {
            val key = "12345678901234567890".toByteArray(Charsets.US_ASCII)
            expectEqual("94287082", Totp.code(key, 59, digits = 8), "8-digit code at 59")
        },
        TestCase("base32 decodes rfc 4648 vectors") {
            val vectors = listOf("" to "", "MY======" to "f", "MZXQ====" to "fo", "MZXW6===" to "foo", "MZXW6YQ=" to "foob", "MZXW6YTB" to "fooba", "MZXW6YTBOI======" to "foobar")
            for ((encoded, decoded) in vectors) {
                expectEqual(decoded, String(Totp.base32Decode(encoded), Charsets.US_ASCII), "decoding $encoded")
            }
        },
    )
