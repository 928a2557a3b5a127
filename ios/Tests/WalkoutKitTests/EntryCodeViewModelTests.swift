// The entry screen's view model over the real core (enrolled against the running service)
// and over a fake source for the offline cases the service cannot produce on demand.

import XCTest
@testable import WalkoutKit

/// Passes calls to the real core and counts the code requests.
private final class CountingEntrySource: EntryCodeSource {
    let inner: EntryCodeSource
    private(set) var codeCalls = 0
    private(set) var lastCode: EntryCode?

    init(_ inner: EntryCodeSource) {
        self.inner = inner
    }

    func ensureEntryCredential() throws -> EntryCredentialInfo {
        try inner.ensureEntryCredential()
    }

    func entryCredential() throws -> EntryCredentialInfo? {
        try inner.entryCredential()
    }

    func entryCode() throws -> EntryCode {
        codeCalls += 1
        let code = try inner.entryCode()
        lastCode = code
        return code
    }
}

/// A fake source with fixed results.
private final class FakeEntrySource: EntryCodeSource {
    var ensureError: Error?
    var stored: EntryCredentialInfo?
    var codeResult: Result<EntryCode, Error> = .failure(WalkoutFfiError.Internal)

    func ensureEntryCredential() throws -> EntryCredentialInfo {
        if let ensureError { throw ensureError }
        guard let stored else { throw WalkoutFfiError.Internal }
        return stored
    }

    func entryCredential() throws -> EntryCredentialInfo? {
        stored
    }

    func entryCode() throws -> EntryCode {
        try codeResult.get()
    }
}

private let storedCredential = EntryCredentialInfo(
    credentialId: "0011223344556677",
    periodSecs: 30,
    expiresAtUnix: 4_000_000_000,
    renewAfterUnix: 3_900_000_000
)

final class EntryCodeViewModelTests: XCTestCase {
    private func enrolledSource() throws -> CountingEntrySource {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        return CountingEntrySource(app)
    }

    func testAppearShowsCodeFromCore() throws {
        let source = try enrolledSource()
        let model = EntryCodeViewModel(source: source, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .showing)
        XCTAssertEqual(model.state.codeText?.count, 38)
        XCTAssertEqual(model.state.codeText?.hasPrefix("W1"), true)
        XCTAssertTrue((1...30).contains(model.state.secondsLeft), "\(model.state.secondsLeft)")
        XCTAssertFalse(model.state.isOffline)
    }

    func testScreenFlagsFollowVisibility() throws {
        let clock = ManualClock()
        let model = EntryCodeViewModel(source: try enrolledSource(), clock: clock, worker: InlineWorker())
        model.appear()
        XCTAssertTrue(model.state.wantsFullBrightness)
        XCTAssertTrue(model.state.keepsScreenAwake)
        model.disappear()
        XCTAssertFalse(model.state.wantsFullBrightness)
        XCTAssertFalse(model.state.keepsScreenAwake)
        XCTAssertEqual(clock.pendingCount, 0)
    }

    func testBrandWithoutMaxBrightnessLeavesBrightness() throws {
        let model = EntryCodeViewModel(
            source: try enrolledSource(), clock: ManualClock(), worker: InlineWorker(), fullBrightness: false
        )
        model.appear()
        XCTAssertFalse(model.state.wantsFullBrightness)
        XCTAssertTrue(model.state.keepsScreenAwake)
    }

    func testCountdownFollowsInjectedClock() throws {
        let source = try enrolledSource()
        // The countdown below needs two whole seconds before the core's next rotation.
        _ = try source.inner.ensureEntryCredential()
        let upcoming = try source.inner.entryCode()
        if upcoming.millisUntilRotation < 2_500 {
            Thread.sleep(forTimeInterval: Double(upcoming.millisUntilRotation) / 1000 + 0.1)
        }
        let clock = ManualClock()
        let model = EntryCodeViewModel(source: source, clock: clock, worker: InlineWorker())
        model.appear()
        let first = model.state.secondsLeft
        XCTAssertGreaterThanOrEqual(first, 3)

        clock.advance(by: 1)
        XCTAssertEqual(model.state.secondsLeft, first - 1)
        clock.advance(by: 1)
        XCTAssertEqual(model.state.secondsLeft, first - 2)
        XCTAssertEqual(source.codeCalls, 1)
    }

    func testRotationOnInjectedClockFetchesNewCode() throws {
        let source = try enrolledSource()
        let clock = ManualClock()
        let model = EntryCodeViewModel(source: source, clock: clock, worker: InlineWorker())
        model.appear()
        let millis = try XCTUnwrap(source.lastCode?.millisUntilRotation)

        clock.advance(by: Double(millis) / 1000)
        XCTAssertEqual(source.codeCalls, 2)
        XCTAssertEqual(model.state.phase, .showing)
    }

    /// Waits for the core's real step boundary (at most one period, 30 s by default), because
    /// the core derives codes from the device clock.
    func testCodeChangesAtStepBoundary() throws {
        let source = try enrolledSource()
        let clock = ManualClock()
        let model = EntryCodeViewModel(source: source, clock: clock, worker: InlineWorker())
        model.appear()
        let first = try XCTUnwrap(source.lastCode)

        Thread.sleep(forTimeInterval: Double(first.millisUntilRotation) / 1000 + 0.2)
        clock.advance(by: Double(first.millisUntilRotation) / 1000)
        XCTAssertEqual(model.state.step, first.step + 1)
        XCTAssertNotEqual(model.state.codeText, first.text)
    }

    func testStoredCredentialWorksWithoutBackend() throws {
        let services = try TestServices.require()
        let keychain = FakeKeychain()
        let storage = try makeTemporaryDirectory()
        do {
            let online = try makeApp(services, keychain: keychain, storageDir: storage)
            try signInNewShopper(online)
            _ = try online.enrollDevice()
        }
        let offline = try makeApp(services, keychain: keychain, storageDir: storage, backendUrl: unusedLoopbackUrl())
        let model = EntryCodeViewModel(source: offline, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .showing)
        XCTAssertEqual(model.state.codeText?.count, 38)
    }

    func testOfflineShowsStoredCredentialCodes() {
        let source = FakeEntrySource()
        source.ensureError = WalkoutFfiError.Offline(retryAfterSeconds: nil)
        source.stored = storedCredential
        source.codeResult = .success(
            EntryCode(text: "W1" + String(repeating: "A", count: 36), step: 7, secondsUntilRotation: 12, millisUntilRotation: 11_500)
        )
        let model = EntryCodeViewModel(source: source, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .showing)
        XCTAssertTrue(model.state.isOffline)
        XCTAssertEqual(model.state.secondsLeft, 12)
    }

    func testOfflineWithoutCredentialNeedsConnection() {
        let source = FakeEntrySource()
        let offline = WalkoutFfiError.Offline(retryAfterSeconds: nil)
        source.ensureError = offline
        let model = EntryCodeViewModel(source: source, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .needsConnection(message: offline.description))
        XCTAssertNil(model.state.codeText)
    }

    func testLapsedCredentialNeedsConnection() {
        let source = FakeEntrySource()
        source.ensureError = WalkoutFfiError.Offline(retryAfterSeconds: nil)
        source.stored = storedCredential
        let lapsed = WalkoutFfiError.InvalidInput(
            field: "entry_credential", reason: "it has expired; connect to renew your entry code"
        )
        source.codeResult = .failure(lapsed)
        let model = EntryCodeViewModel(source: source, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .needsConnection(message: lapsed.description))
    }

    func testSignedOutShopperSeesError() throws {
        let app = try makeApp(try TestServices.require())
        let model = EntryCodeViewModel(source: app, clock: ManualClock(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .failed(message: WalkoutFfiError.NotSignedIn.description))
    }
}
