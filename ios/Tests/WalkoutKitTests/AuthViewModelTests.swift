// Sign-up and sign-in view models against the moto user pool through the real core, and over
// fakes where moto 5.2.6 differs from Cognito: it accepts any password in SRP sign-in.

import XCTest
@testable import WalkoutKit

final class AuthViewModelTests: XCTestCase {
    func testSignUpThenConfirm() throws {
        let app = try makeApp(try TestServices.require())
        let model = SignUpViewModel(auth: app, worker: InlineWorker())
        model.setEmail("swift-\(UUID().uuidString.prefix(12).lowercased())@example.com")
        model.setPassword(testPassword)
        model.signUp()
        guard case .needsConfirmation = model.state.phase else {
            return XCTFail("expected needsConfirmation, got \(model.state.phase)")
        }
        XCTAssertEqual(model.state.password, "")
        model.confirm(code: "000000")
        XCTAssertEqual(model.state.phase, .confirmed)
        XCTAssertNil(model.state.errorMessage)
    }

    func testRejectedEmailStaysEditing() throws {
        let app = try makeApp(try TestServices.require())
        let model = SignUpViewModel(auth: app, worker: InlineWorker())
        model.setEmail("not-an-email")
        model.setPassword(testPassword)
        model.signUp()
        XCTAssertEqual(model.state.phase, .editing)
        XCTAssertEqual(
            model.state.errorMessage,
            WalkoutFfiError.Denied(reasonSlug: "invalid-parameter").description
        )
    }

    func testSignInReachesSignedIn() throws {
        let app = try makeApp(try TestServices.require())
        let email = try signUpShopper(app)
        let model = SignInViewModel(auth: app, worker: InlineWorker())
        model.setEmail(" \(email) ")
        model.setPassword(testPassword)
        model.signIn()
        guard case .signedIn(let user) = model.state.phase else {
            return XCTFail("expected signedIn, got \(model.state.phase)")
        }
        // moto puts the user's sub in the email claim, so compare with the stored session.
        XCTAssertEqual(try app.currentUser(), user)
        XCTAssertFalse(user.sub.isEmpty)
        XCTAssertEqual(model.state.password, "")
    }

    func testRejectedPasswordStaysEditing() {
        let auth = FakeAuthService()
        auth.signInError = WalkoutFfiError.Unauthorized
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.setEmail("a@example.com")
        model.setPassword("Wrong-Horse-8")
        model.signIn()
        XCTAssertEqual(model.state.phase, .editing)
        XCTAssertEqual(model.state.errorMessage, WalkoutFfiError.Unauthorized.description)
    }

    func testMistypedCodeKeepsCodeStep() {
        let auth = FakeAuthService()
        auth.firstStep = .emailMfaCode(destination: "a***@example.com")
        auth.respondError = WalkoutFfiError.InvalidInput(field: "code", reason: "the code is wrong")
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.submitCode("000000")
        XCTAssertEqual(model.state.phase, .needsCode(destination: "a***@example.com"))
        XCTAssertNotNil(model.state.errorMessage)
    }

    func testAuthenticatorSetupSendsSetupCode() {
        let auth = FakeAuthService()
        auth.firstStep = .mfaSetup(secretCode: "JBSWY3DP")
        let model = SignInViewModel(auth: auth, worker: InlineWorker())
        model.signIn()
        model.submitCode("123456", deviceName: "Phone")
        XCTAssertEqual(auth.responses, [.mfaSetupCode(code: "123456", friendlyDeviceName: "Phone")])
    }

    func testStepsMapToPhases() {
        let cases: [(SignInStep, SignInState.Phase)] = [
            (.smsMfaCode(destination: "+44***00"), .needsCode(destination: "+44***00")),
            (.emailMfaCode(destination: nil), .needsCode(destination: nil)),
            (.softwareTokenMfaCode, .needsCode(destination: nil)),
            (.newPasswordRequired(requiredAttributes: ["name"]), .needsNewPassword(requiredAttributes: ["name"])),
            (.selectMfaType(options: ["SMS_MFA"]), .needsFactorChoice(options: ["SMS_MFA"])),
            (.mfaSetup(secretCode: "JBSWY3DP"), .needsAuthenticatorSetup(secretCode: "JBSWY3DP")),
        ]
        for (step, phase) in cases {
            XCTAssertEqual(SignInViewModel.phase(for: step), phase, "\(step)")
        }
    }
}

/// A fake `AuthService` whose sign-in results are set by the test.
private final class FakeAuthService: AuthService {
    var signInError: Error?
    var firstStep: SignInStep = .softwareTokenMfaCode
    var respondError: Error?
    private(set) var responses: [SignInResponse] = []

    func signUp(email: String, password: String) throws -> SignUpOutcome {
        SignUpOutcome(userConfirmed: false, userSub: nil, codeDelivery: nil)
    }

    func confirmSignUp(email: String, code: String) throws {}

    func resendCode(email: String) throws -> CodeDelivery? { nil }

    func signInStart(email: String, password: String) throws -> SignInStep {
        if let signInError { throw signInError }
        return firstStep
    }

    func signInRespond(response: SignInResponse) throws -> SignInStep {
        responses.append(response)
        if let respondError { throw respondError }
        return .softwareTokenMfaCode
    }

    func forgotPassword(email: String) throws -> CodeDelivery? { nil }

    func confirmForgotPassword(email: String, code: String, newPassword: String) throws {}
}
