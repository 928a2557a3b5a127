// Checks of the test target's own tools against published vectors, so a failing sign-in test
// points at the product and not at the TOTP code or the test browser's cookie handling.

import Foundation
import XCTest

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

final class TotpTests: XCTestCase {
    func testSha1Vectors() {
        let cases: [(String, String)] = [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ]
        for (message, digest) in cases {
            XCTAssertEqual(hex(Sha1.digest(Array(message.utf8))), digest, message)
        }
    }

    /// Test cases 1, 2 and 6 of RFC 2202.
    func testHmacVectors() {
        let cases: [([UInt8], String, String)] = [
            ([UInt8](repeating: 0x0b, count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
            (Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            ([UInt8](repeating: 0xaa, count: 80), "Test Using Larger Than Block-Size Key - Hash Key First",
             "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        ]
        for (key, message, mac) in cases {
            XCTAssertEqual(hex(Sha1.hmac(key: key, message: Array(message.utf8))), mac, message)
        }
    }

    /// The SHA-1 rows of RFC 6238's test vectors.
    func testTotpVectors() {
        let key = Array("12345678901234567890".utf8)
        let cases: [(TimeInterval, String)] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ]
        for (seconds, code) in cases {
            let time = Date(timeIntervalSince1970: seconds)
            XCTAssertEqual(Totp.code(key: key, time: time, digits: 8), code, "\(seconds)")
        }
        XCTAssertEqual(Totp.code(key: key, time: Date(timeIntervalSince1970: 59)), "287082")
    }

    func testBase32Decoding() {
        XCTAssertEqual(Totp.base32Decode("MZXW6YTBOI======"), Array("foobar".utf8))
        XCTAssertEqual(Totp.base32Decode("mzxw 6ytb oi"), Array("foobar".utf8))
        XCTAssertEqual(Totp.base32Decode("JBSWY3DPEHPK3PXP"), Array("Hello!".utf8) + [0xde, 0xad, 0xbe, 0xef])
        XCTAssertNil(Totp.base32Decode("MZXW1"))
    }
}

final class CookieJarTests: XCTestCase {
    func testJoinedHeaderIsSplit() {
        let header = "_interaction=abc; path=/interaction/abc; expires=Sat, 05 Dec 2026 10:00:00 GMT; httponly, "
            + "_interaction_resume=def; path=/auth/abc; expires=Sat, 05 Dec 2026 10:00:00 GMT"
        let lines = CookieJar.splitSetCookie(header)
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasSuffix("GMT; httponly"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix(" _interaction_resume=def"), lines[1])
    }

    func testCookiesGoUnderTheirPath() throws {
        var jar = CookieJar()
        let base = try XCTUnwrap(URL(string: "http://127.0.0.1:3000/auth"))
        jar.store(setCookie: "_interaction=abc; path=/interaction/abc, _session=s1; path=/", from: base)
        let interaction = try XCTUnwrap(URL(string: "http://127.0.0.1:3000/interaction/abc/login"))
        let other = try XCTUnwrap(URL(string: "http://127.0.0.1:3000/interaction/abcd"))
        XCTAssertEqual(jar.header(for: interaction), "_interaction=abc; _session=s1")
        XCTAssertEqual(jar.header(for: other), "_session=s1")
    }

    func testEmptyValueRemovesCookie() throws {
        var jar = CookieJar()
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:3000/auth/abc"))
        jar.store(setCookie: "_interaction_resume=def; path=/auth/abc", from: url)
        jar.store(setCookie: "_interaction_resume=; path=/auth/abc; expires=Thu, 01 Jan 1970 00:00:00 GMT", from: url)
        XCTAssertNil(jar.header(for: url))
    }

    func testFormActionIsRead() {
        let page = #"<form method="post" action="/interaction/x1_Y/login"><input name="login"></form>"#
        XCTAssertEqual(BrowserAuthenticator.formAction(in: page), "/interaction/x1_Y/login")
        XCTAssertNil(BrowserAuthenticator.formAction(in: "<p>no form</p>"))
    }
}
