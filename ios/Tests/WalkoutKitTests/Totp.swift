// TOTP codes (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1) for the authenticator-setup test, as an
// authenticator app computes them. Foundation on Linux has no CryptoKit or CommonCrypto, so
// SHA-1 (FIPS 180-4) and HMAC (RFC 2104) are written out here. Test code only: SHA-1 must not
// protect anything in the app.

import Foundation

enum Totp {
    /// Returns the `digits`-digit code for `key` at `time`, with 30-second steps from the Unix
    /// epoch.
    static func code(key: [UInt8], time: Date, digits: Int = 6, step: TimeInterval = 30) -> String {
        let counter = UInt64(max(0, time.timeIntervalSince1970) / step)
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
        let mac = Sha1.hmac(key: key, message: message)

        // Dynamic truncation, as RFC 4226 defines it.
        let offset = Int(mac[19] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24)
            | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits {
            modulus *= 10
        }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// Decodes RFC 4648 Base32, ignoring case, spaces and `=` padding. Returns nil for any
    /// other character.
    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased() where character != "=" && !character.isWhitespace {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return bytes
    }
}

enum Sha1 {
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? digest(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = digest(block.map { $0 ^ 0x36 } + message)
        return digest(block.map { $0 ^ 0x5c } + inner)
    }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var padded = message + [0x80]
        while padded.count % 64 != 56 {
            padded.append(0)
        }
        let bitLength = UInt64(message.count) * 8
        padded += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64($0))) }

        for chunk in stride(from: 0, to: padded.count, by: 64) {
            compress(&h, Array(padded[chunk..<chunk + 64]))
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    private static func compress(_ h: inout [UInt32], _ chunk: [UInt8]) {
        var w = [UInt32](repeating: 0, count: 80)
        for i in 0..<16 {
            w[i] = (0..<4).reduce(UInt32(0)) { ($0 << 8) | UInt32(chunk[4 * i + $1]) }
        }
        for i in 16..<80 {
            w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1)
        }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<80 {
            let (f, k) = roundFunction(i, b, c, d)
            let temp = rotate(a, 5) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
        }
        h[0] = h[0] &+ a
        h[1] = h[1] &+ b
        h[2] = h[2] &+ c
        h[3] = h[3] &+ d
        h[4] = h[4] &+ e
    }

    /// Returns the round function's value and constant for round `i` (0 to 79).
    private static func roundFunction(
        _ i: Int, _ b: UInt32, _ c: UInt32, _ d: UInt32
    ) -> (UInt32, UInt32) {
        switch i {
        case 0..<20: return ((b & c) | (~b & d), 0x5A82_7999)
        case 20..<40: return (b ^ c ^ d, 0x6ED9_EBA1)
        case 40..<60: return ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        default: return (b ^ c ^ d, 0xCA62_C1D6)
        }
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value << count) | (value >> (32 - count))
    }
}
