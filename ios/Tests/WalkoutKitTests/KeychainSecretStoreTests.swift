// `KeychainSecretStore` over a fake Keychain: the mapping of Keychain outcomes to the core's
// lookup results, item addressing per brand, and the real core storing its session through it.

import XCTest
@testable import WalkoutKit

final class KeychainSecretStoreTests: XCTestCase {
    private func makeStore(_ keychain: FakeKeychain, brand: String = "acme") throws -> KeychainSecretStore {
        try KeychainSecretStore(brandId: brand, teamId: "TEAM123456", backend: keychain)
    }

    func testValueRoundTrips() throws {
        let store = try makeStore(FakeKeychain())
        let value = Data([0, 1, 2, 255])
        try store.set(key: "acme.refresh_token", value: value)
        XCTAssertEqual(try store.get(key: "acme.refresh_token"), .found(value: value))
    }

    func testMissingKeyIsAbsent() throws {
        let store = try makeStore(FakeKeychain())
        XCTAssertEqual(try store.get(key: "acme.refresh_token"), .absent)
    }

    func testSetReplacesExistingValue() throws {
        let store = try makeStore(FakeKeychain())
        try store.set(key: "acme.k", value: Data([1]))
        try store.set(key: "acme.k", value: Data([2]))
        XCTAssertEqual(try store.get(key: "acme.k"), .found(value: Data([2])))
    }

    func testDeleteRemovesValue() throws {
        let store = try makeStore(FakeKeychain())
        try store.set(key: "acme.k", value: Data([1]))
        try store.delete(key: "acme.k")
        XCTAssertEqual(try store.get(key: "acme.k"), .absent)
    }

    func testDeletingMissingKeySucceeds() throws {
        let store = try makeStore(FakeKeychain())
        XCTAssertNoThrow(try store.delete(key: "acme.never-stored"))
    }

    func testLockedKeychainReadIsUnavailable() throws {
        let keychain = FakeKeychain()
        let store = try makeStore(keychain)
        try store.set(key: "acme.k", value: Data([1]))
        keychain.locked = true
        guard case .unavailable = try store.get(key: "acme.k") else {
            return XCTFail("a locked Keychain must not read as absent")
        }
    }

    func testLockedKeychainWriteThrowsUnavailable() throws {
        let keychain = FakeKeychain()
        let store = try makeStore(keychain)
        keychain.locked = true
        XCTAssertThrowsError(try store.set(key: "acme.k", value: Data([1]))) { error in
            XCTAssertEqual(error as? WalkoutFfiError, .SecretStoreUnavailable)
        }
        XCTAssertThrowsError(try store.delete(key: "acme.k")) { error in
            XCTAssertEqual(error as? WalkoutFfiError, .SecretStoreUnavailable)
        }
    }

    func testItemsUseBrandServiceAndAccessGroup() throws {
        let keychain = FakeKeychain()
        let store = try makeStore(keychain)
        try store.set(key: "acme.k", value: Data([1]))
        let expected = FakeKeychain.Address(
            service: "walkout.acme",
            account: "acme.k",
            accessGroup: "TEAM123456.walkout.acme"
        )
        XCTAssertEqual(keychain.addresses, [expected])
        XCTAssertEqual(keychain.accessibility(of: expected), .afterFirstUnlockThisDeviceOnly)
    }

    func testBrandsDoNotShareItems() throws {
        let keychain = FakeKeychain()
        let acme = try makeStore(keychain, brand: "acme")
        let other = try makeStore(keychain, brand: "other")
        try acme.set(key: "shared.k", value: Data([1]))
        XCTAssertEqual(try other.get(key: "shared.k"), .absent)
    }

    func testInvalidBrandIdIsRejected() {
        for brand in ["", "Acme", "acme brand", String(repeating: "a", count: 41)] {
            XCTAssertThrowsError(try makeStore(FakeKeychain(), brand: brand), "brand \(brand)")
        }
    }

    func testSignInStoresSessionInKeychain() throws {
        let services = try TestServices.require()
        let keychain = FakeKeychain()
        let app = try makeApp(services, keychain: keychain)
        try signInNewShopper(app)
        XCTAssertEqual(Set(keychain.addresses.map(\.service)), ["walkout.acme"])
        XCTAssertFalse(keychain.addresses.isEmpty)
    }

    func testSignOutLeavesOnlyQueuedRevocations() throws {
        let services = try TestServices.require()
        let keychain = FakeKeychain()
        let app = try makeApp(services, keychain: keychain)
        try signInNewShopper(app)
        let outcome = try app.signOut()
        // A refresh token that Cognito did not revoke yet stays queued for revocation.
        let queued = keychain.addresses.filter { $0.account.hasPrefix("cognito.revoke.") }
        XCTAssertEqual(UInt64(queued.count), outcome.revocationsPending)
        XCTAssertEqual(keychain.addresses.count, queued.count)
    }

    func testSessionSurvivesRestartThroughKeychain() throws {
        let services = try TestServices.require()
        let keychain = FakeKeychain()
        let storage = try makeTemporaryDirectory()
        var user: CurrentUser?
        do {
            let first = try makeApp(services, keychain: keychain, storageDir: storage)
            try signInNewShopper(first)
            user = try first.currentUser()
        }
        XCTAssertNotNil(user)
        let second = try makeApp(services, keychain: keychain, storageDir: storage)
        XCTAssertEqual(try second.currentUser(), user)
    }
}
