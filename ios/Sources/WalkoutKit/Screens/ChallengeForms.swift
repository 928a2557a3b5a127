// The forms of the sign-in challenge steps: a code, a new password with the attributes the pool
// requires, the choice of a second factor, and authenticator-app setup. Each form holds only
// what is typed and hands it to SignInViewModel. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import SwiftUI
#if canImport(UIKit)
import UIKit
#elseif canImport(AppKit)
import AppKit
#endif

struct CodeForm: View {
    /// The masked phone number or email address the code went to; nil for an authenticator app.
    let destination: String?
    let submit: (String) -> Void
    @SwiftUI.State private var code = ""

    init(destination: String?, submit: @escaping (String) -> Void) {
        self.destination = destination
        self.submit = submit
    }

    var body: some View {
        Section(footer: Text(prompt)) {
            TextField("Code", text: $code).textContentType(.oneTimeCode)
            Button("Continue") { submit(code) }.disabled(code.isEmpty)
        }
    }

    private var prompt: String {
        if let destination {
            return "Enter the code sent to \(destination)."
        }
        return "Enter the code shown in your authenticator app."
    }
}

struct NewPasswordForm: View {
    let requiredAttributes: [String]
    let submit: (String, [String: String]) -> Void
    @SwiftUI.State private var password = ""
    @SwiftUI.State private var values: [String: String] = [:]

    init(requiredAttributes: [String], submit: @escaping (String, [String: String]) -> Void) {
        self.requiredAttributes = requiredAttributes
        self.submit = submit
    }

    var body: some View {
        Section(footer: Text("Your password was set by an administrator. Choose a new one to continue.")) {
            SecureField("New password", text: $password).textContentType(.newPassword)
            ForEach(requiredAttributes, id: \.self) { name in
                TextField(SignInLabels.attribute(name), text: Binding(
                    get: { values[name] ?? "" }, set: { values[name] = $0 }))
            }
            Button("Continue") { submit(password, values) }.disabled(password.isEmpty)
        }
    }
}

struct FactorChoiceForm: View {
    /// Cognito's names, such as `SOFTWARE_TOKEN_MFA`.
    let options: [String]
    let choose: (String) -> Void

    var body: some View {
        Section(footer: Text("Choose how to confirm it is you.")) {
            ForEach(options, id: \.self) { option in
                Button(SignInLabels.factor(option)) { choose(option) }
            }
        }
    }
}

/// Shows the secret as text and as an `otpauth://` link to open or copy, then asks for the
/// app's first code. Neither the secret nor the link is logged.
struct AuthenticatorSetupForm: View {
    let secret: String
    let uri: String
    let submit: (String) -> Void
    @SwiftUI.State private var code = ""

    init(secret: String, uri: String, submit: @escaping (String) -> Void) {
        self.secret = secret
        self.uri = uri
        self.submit = submit
    }

    var body: some View {
        Section(footer: Text("Add this key to your authenticator app, then enter the code it shows.")) {
            Text(secret)
                .font(.system(.body, design: .monospaced))
                .textSelection(.enabled)
            if let url = URL(string: uri) {
                Link("Open in authenticator app", destination: url)
            }
            Button("Copy setup link") { copyToPasteboard(uri) }
            TextField("Code", text: $code).textContentType(.oneTimeCode)
            Button("Continue") { submit(code) }.disabled(code.isEmpty)
        }
    }
}

private func copyToPasteboard(_ text: String) {
    #if canImport(UIKit)
    UIPasteboard.general.string = text
    #elseif canImport(AppKit)
    NSPasteboard.general.clearContents()
    NSPasteboard.general.setString(text, forType: .string)
    #endif
}
#endif
