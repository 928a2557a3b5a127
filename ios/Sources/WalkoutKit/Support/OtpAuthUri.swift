// The `otpauth://` URI of authenticator-app setup, in the Key URI format that authenticator
// apps read from a QR code or a link: `otpauth://totp/ISSUER:ACCOUNT?secret=SECRET&issuer=ISSUER`.
// Cognito's TOTP is the format's default (SHA-1, 6 digits, 30 seconds), so those parameters
// are left out. The URI contains the secret, so it must never be logged.

import Foundation

public enum OtpAuthUri {
    /// The characters left as they are: RFC 3986's unreserved set. Everything else, including
    /// `:`, `@`, `&`, `=` and spaces, is percent-encoded as UTF-8, so an issuer or account can
    /// never end the label or add a query parameter.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    /// Builds the URI for `secret` (Base32), labelled with `issuer` (the brand's name) and
    /// `account` (the shopper's email). Spaces and `=` padding are removed from the secret and
    /// its letters upper-cased. A blank issuer is left out of both the label and the query.
    public static func totp(secret: String, account: String, issuer: String) -> String {
        let cleanSecret = secret
            .filter { !$0.isWhitespace && $0 != "=" }
            .uppercased()
        let cleanIssuer = issuer.trimmingCharacters(in: .whitespaces)
        let cleanAccount = account.trimmingCharacters(in: .whitespaces)

        var label = encode(cleanAccount)
        var query = "secret=\(encode(cleanSecret))"
        if !cleanIssuer.isEmpty {
            label = "\(encode(cleanIssuer)):\(label)"
            query += "&issuer=\(encode(cleanIssuer))"
        }
        return "otpauth://totp/\(label)?\(query)"
    }

    private static func encode(_ text: String) -> String {
        // Percent-encoding with a fixed ASCII set fails only for text that is not valid Unicode.
        // A Swift String is always valid Unicode, so the empty fallback is not reached.
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
