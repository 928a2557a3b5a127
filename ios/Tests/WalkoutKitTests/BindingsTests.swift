// The generated bindings over the real core, without services.

import XCTest
@testable import WalkoutKit

final class BindingsTests: XCTestCase {
    func testVersionIsReturned() throws {
        XCTAssertFalse(try walkoutVersion().isEmpty)
    }

    func testInvalidBrandIsRejected() throws {
        let config = makeConfig(
            storageDir: try makeTemporaryDirectory(),
            backendUrl: unusedLoopbackUrl(),
            brandId: "Not A Brand"
        )
        let store = try KeychainSecretStore(brandId: "acme", teamId: nil, backend: FakeKeychain())
        XCTAssertThrowsError(try WalkoutApp(config: config, secretStore: store)) { error in
            guard case .InvalidInput(let field, _) = error as? WalkoutFfiError else {
                return XCTFail("expected InvalidInput, got \(error)")
            }
            XCTAssertEqual(field, "brand")
        }
    }

    func testPanicBecomesErrorAndProcessContinues() throws {
        XCTAssertThrowsError(try debugPanic())
        XCTAssertFalse(try walkoutVersion().isEmpty)
    }

    func testUnreachableBackendIsOffline() throws {
        let config = makeConfig(storageDir: try makeTemporaryDirectory(), backendUrl: unusedLoopbackUrl())
        let store = try KeychainSecretStore(brandId: "acme", teamId: nil, backend: FakeKeychain())
        let app = try WalkoutApp(config: config, secretStore: store)
        XCTAssertThrowsError(try app.backendHealth()) { error in
            XCTAssertTrue(isOffline(error), "expected Offline, got \(error)")
        }
    }

    func testErrorMessageIsCoreSentence() {
        XCTAssertEqual(
            errorMessage(for: WalkoutFfiError.NotSignedIn),
            "No shopper is signed in; sign in first."
        )
    }

    func testSignedOutAppHasNoUser() throws {
        let config = makeConfig(storageDir: try makeTemporaryDirectory(), backendUrl: unusedLoopbackUrl())
        let store = try KeychainSecretStore(brandId: "acme", teamId: nil, backend: FakeKeychain())
        let app = try WalkoutApp(config: config, secretStore: store)
        XCTAssertNil(try app.currentUser())
    }
}
