// The challenge forms' side of SignInViewModel over a scripted core: required attributes of a
// new password, the second-factor choice, the authenticator-setup URI and leaving a step. The
// real core's responses to these steps are tested against moto in ChallengeStepTests.

import XCTest
@testable import WalkoutKit

/// An `AuthService` that returns `steps` in order, one per sign-in call, and records responses.
final class ScriptedAuthService: AuthService {
    private var steps: [SignInStep]
    private(set) var responses: [SignInResponse] = []
    private(set) var starts = 0

    init(steps: [SignInStep]) {
        self.steps = steps
    }

    private func nextStep() -> SignInStep {
        steps.isEmpty ? .softwareTokenMfaCode : steps.removeFirst()
    }

    func signUp(email: String, password: String) throws -> SignUpOutcome {
        SignUpOutcome(userConfirmed: false, userSub: nil, codeDelivery: nil)
    }

    func confirmSignUp(email: String, code: String) throws {}

    func resendCode(email: String) throws -> CodeDelivery? { nil }

    func signInStart(email: String, password: String) throws -> SignInStep {
        starts += 1
        return nextStep()
    }

    func signInRespond(response: SignInResponse) throws -> SignInStep {
        responses.append(response)
        return nextStep()
    }

    func forgotPassword(email: String) throws -> CodeDelivery? { nil }

    func confirmForgotPassword(email: String, code: String, newPassword: String) throws {}
}

private let user = CurrentUser(sub: "sub-2", username: "sub-2", email: "b@example.com", emailVerified: true)

final class SignInFormTests: XCTestCase {
    func testMissingAttributeKeepsForm() {
        let auth = ScriptedAuthService(steps: [.newPasswordRequired(requiredAttributes: ["given_name"])])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.submitNewPassword("Brand-New-Pass-2", attributes: ["given_name": "  "])
        XCTAssertEqual(model.state.phase, .needsNewPassword(requiredAttributes: ["given_name"]))
        XCTAssertEqual(model.state.errorMessage, "Enter your first name.")
        XCTAssertEqual(auth.responses, [])
    }

    func testAttributesAreSent() {
        let auth = ScriptedAuthService(steps: [
            .newPasswordRequired(requiredAttributes: ["name"]), .signedIn(user: user),
        ])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.submitNewPassword("Brand-New-Pass-2", attributes: ["name": "Jane Shopper"])
        XCTAssertEqual(auth.responses, [.newPassword(password: "Brand-New-Pass-2", attributes: ["name": "Jane Shopper"])])
        XCTAssertEqual(model.state.phase, .signedIn(user))
    }

    func testOfferedFactorIsSent() {
        let auth = ScriptedAuthService(steps: [.selectMfaType(options: ["SMS_MFA", "SOFTWARE_TOKEN_MFA"])])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.chooseFactor("SOFTWARE_TOKEN_MFA")
        XCTAssertEqual(auth.responses, [.mfaType(mfaType: "SOFTWARE_TOKEN_MFA")])
        XCTAssertEqual(model.state.phase, .needsCode(destination: nil))
    }

    func testUnofferedFactorIsIgnored() {
        let auth = ScriptedAuthService(steps: [.selectMfaType(options: ["SMS_MFA"])])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.chooseFactor("EMAIL_OTP")
        XCTAssertEqual(auth.responses, [])
        XCTAssertEqual(model.state.phase, .needsFactorChoice(options: ["SMS_MFA"]))
    }

    func testSetupUriUsesTypedEmail() {
        let auth = ScriptedAuthService(steps: [.mfaSetup(secretCode: "JBSWY3DPEHPK3PXP")])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        XCTAssertNil(model.authenticatorSetupUri(issuer: "Acme"))
        model.setEmail(" jane@example.com ")
        model.signIn()
        XCTAssertEqual(
            model.authenticatorSetupUri(issuer: "Acme Stores"),
            "otpauth://totp/Acme%20Stores:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Stores"
        )
    }

    func testStartOverReturnsToForm() {
        let auth = ScriptedAuthService(steps: [.smsMfaCode(destination: "+44***00"), .signedIn(user: user)])
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.setPassword("Correct-Horse-7")
        model.signIn()
        model.startOver()
        XCTAssertEqual(model.state.phase, .editing)
        XCTAssertEqual(model.state.password, "")
        XCTAssertNil(model.state.errorMessage)
        XCTAssertEqual(auth.starts, 1)
    }
}

final class SignInLabelsTests: XCTestCase {
    func testFactorLabels() {
        let cases: [(String, String)] = [
            ("SMS_MFA", "Text message"),
            ("SOFTWARE_TOKEN_MFA", "Authenticator app"),
            ("EMAIL_OTP", "Email"),
            ("WEB_AUTHN", "Web authn"),
            ("", ""),
        ]
        for (option, label) in cases {
            XCTAssertEqual(SignInLabels.factor(option), label, option)
        }
    }

    func testAttributeLabels() {
        let cases: [(String, String)] = [
            ("given_name", "First name"),
            ("family_name", "Last name"),
            ("phone_number", "Phone number"),
            ("custom:store_id", "Store id"),
            ("nickname", "Nickname"),
        ]
        for (name, label) in cases {
            XCTAssertEqual(SignInLabels.attribute(name), label, name)
        }
    }
}

final class FederatedProviderTests: XCTestCase {
    private func brand(_ providers: [String]) throws -> BrandSettings {
        let json: [String: Any] = [
            "id": "acme", "display_name": "Acme", "entry": ["brightness": "max"],
            "features": ["federated_providers": providers, "offers": false],
        ]
        return try BrandSettings.decode(try JSONSerialization.data(withJSONObject: json))
    }

    func testBrandOrderAndTitles() throws {
        let providers = FederatedProvider.list(
            brand: try brand(["SignInWithApple", "Google", " Google ", "", "Facebook"]),
            openIdConfigured: true
        )
        XCTAssertEqual(providers.map(\.name), ["SignInWithApple", "Google", "Facebook"])
        XCTAssertEqual(providers.map(\.title), ["Sign in with Apple", "Continue with Google", "Continue with Facebook"])
    }

    func testNoOpenIdHidesButtons() throws {
        let providers = FederatedProvider.list(brand: try brand(["Google"]), openIdConfigured: false)
        XCTAssertEqual(providers, [])
    }
}

final class OtpAuthUriTests: XCTestCase {
    func testUriTable() {
        let cases: [(secret: String, account: String, issuer: String, uri: String)] = [
            ("JBSWY3DPEHPK3PXP", "jane@example.com", "Acme",
             "otpauth://totp/Acme:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme"),
            ("jbsw y3dp ehpk 3pxp====", "jane@example.com", "Acme",
             "otpauth://totp/Acme:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme"),
            ("ABC", "a+b@example.com", "Fresh & Go",
             "otpauth://totp/Fresh%20%26%20Go:a%2Bb%40example.com?secret=ABC&issuer=Fresh%20%26%20Go"),
            ("ABC", "jane@example.com", "Shop:One?x=1#y",
             "otpauth://totp/Shop%3AOne%3Fx%3D1%23y:jane%40example.com?secret=ABC&issuer=Shop%3AOne%3Fx%3D1%23y"),
            ("ABC", "jane@example.com", "Café",
             "otpauth://totp/Caf%C3%A9:jane%40example.com?secret=ABC&issuer=Caf%C3%A9"),
            ("ABC", "jane@example.com", "  ",
             "otpauth://totp/jane%40example.com?secret=ABC"),
            ("ABC", "", "Acme",
             "otpauth://totp/Acme:?secret=ABC&issuer=Acme"),
        ]
        for entry in cases {
            XCTAssertEqual(
                OtpAuthUri.totp(secret: entry.secret, account: entry.account, issuer: entry.issuer),
                entry.uri,
                "\(entry.account) / \(entry.issuer)"
            )
        }
    }

    func testUriParsesAsUrl() throws {
        let text = OtpAuthUri.totp(secret: "ABC", account: "a b@example.com", issuer: "Fresh & Go")
        let components = try XCTUnwrap(URLComponents(string: text))
        XCTAssertEqual(components.scheme, "otpauth")
        XCTAssertEqual(components.host, "totp")
        XCTAssertEqual(components.path, "/Fresh & Go:a b@example.com")
        XCTAssertEqual(components.queryItems?.first { $0.name == "issuer" }?.value, "Fresh & Go")
        XCTAssertEqual(components.queryItems?.first { $0.name == "secret" }?.value, "ABC")
    }
}
