// Labels for the names that Cognito's sign-in challenges carry: the second factors of
// `SELECT_MFA_TYPE` and the attributes that `NEW_PASSWORD_REQUIRED` asks for. A name without a
// label here is shown in a readable form of itself, so a new factor or a custom attribute
// still gets a button or a field.

import Foundation

public enum SignInLabels {
    /// Returns the button label for a second factor such as `SOFTWARE_TOKEN_MFA`.
    public static func factor(_ option: String) -> String {
        switch option {
        case "SMS_MFA":
            return "Text message"
        case "SOFTWARE_TOKEN_MFA":
            return "Authenticator app"
        case "EMAIL_OTP":
            return "Email"
        default:
            return readable(option)
        }
    }

    /// Returns the field label for a standard OpenID Connect attribute such as `given_name`,
    /// or for a custom one such as `custom:store_id` ("Store id").
    public static func attribute(_ name: String) -> String {
        switch name {
        case "name":
            return "Name"
        case "given_name":
            return "First name"
        case "family_name":
            return "Last name"
        case "phone_number":
            return "Phone number"
        case "birthdate":
            return "Date of birth"
        case "preferred_username":
            return "Username"
        default:
            let bare = name.hasPrefix("custom:") ? String(name.dropFirst("custom:".count)) : name
            return readable(bare)
        }
    }

    /// Turns `SOME_NAME` or `some_name` into `Some name`.
    private static func readable(_ name: String) -> String {
        let words = name.replacingOccurrences(of: "_", with: " ").lowercased()
        guard let first = words.first else { return name }
        return first.uppercased() + words.dropFirst()
    }
}
