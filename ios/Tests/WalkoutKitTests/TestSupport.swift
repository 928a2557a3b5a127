// Shared helpers of the WalkoutKit tests: the services that `cargo xtask ios` starts, a fake
// Keychain, a clock moved by hand, and shoppers signed up in the moto user pool.

import Foundation
import XCTest
@testable import WalkoutKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let testPassword = "Correct-Horse-7"
/// Stripe's documented test Visa number, which the backend's sandbox accepts.
let sandboxVisa = "4242424242424242"

/// Returns the environment variable `name`. When it is unset the test is skipped, or fails
/// under `CI=true`, because `cargo xtask ios` sets it after starting the service.
func requireEnv(_ name: String) throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let value = environment[name], !value.isEmpty {
        return value
    }
    let message = "\(name) is not set; `cargo xtask ios` sets it after starting the service"
    if environment["CI"] == "true" {
        XCTFail(message)
    }
    throw XCTSkip(message)
}

/// The moto user pool and the service that trusts it.
struct TestServices {
    let backendUrl: String
    let endpoint: String
    let region: String
    let poolId: String
    let clientId: String

    static func require() throws -> TestServices {
        TestServices(
            backendUrl: try requireEnv("WALKOUT_BACKEND_URL"),
            endpoint: try requireEnv("WALKOUT_COGNITO_ENDPOINT"),
            region: try requireEnv("WALKOUT_COGNITO_REGION"),
            poolId: try requireEnv("WALKOUT_COGNITO_POOL_ID"),
            clientId: try requireEnv("WALKOUT_COGNITO_CLIENT_ID")
        )
    }
}

/// Returns a new empty folder under the temporary folder.
func makeTemporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("walkoutkit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Builds an app configuration; without services, the Cognito settings are well-formed but
/// never called.
func makeConfig(
    storageDir: String,
    backendUrl: String,
    services: TestServices? = nil,
    brandId: String = "acme"
) -> AppConfig {
    AppConfig(
        brandId: brandId,
        backendUrl: backendUrl,
        storageDir: storageDir,
        cognitoRegion: services?.region ?? "eu-west-2",
        cognitoEndpointUrl: services?.endpoint,
        cognitoUserPoolId: services?.poolId ?? "eu-west-2_unused",
        cognitoClientId: services?.clientId ?? "unused-client",
        pspApiBase: nil,
        pspPublishableKey: nil
    )
}

/// Returns `http://127.0.0.1:<port>` for a loopback port that nothing listens on: it binds a
/// free port and closes it again.
func unusedLoopbackUrl() -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
}

/// A fake Keychain in memory, keyed like the real one by service, account and access group.
/// `locked` makes every call return `interactionNotAllowed`, as a locked device does.
final class FakeKeychain: KeychainBackend {
    struct Address: Hashable {
        let service: String
        let account: String
        let accessGroup: String?
    }

    private let lock = NSLock()
    private var items: [Address: (data: Data, accessibility: KeychainAccessibility)] = [:]
    var locked = false

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func address(_ item: KeychainItem) -> Address {
        Address(service: item.service, account: item.account, accessGroup: item.accessGroup)
    }

    func read(_ item: KeychainItem) -> (KeychainStatus, Data?) {
        withLock {
            if locked { return (.interactionNotAllowed, nil) }
            guard let stored = items[address(item)] else { return (.itemNotFound, nil) }
            return (.success, stored.data)
        }
    }

    func add(_ item: KeychainItem, data: Data) -> KeychainStatus {
        withLock {
            if locked { return .interactionNotAllowed }
            if items[address(item)] != nil { return .duplicateItem }
            items[address(item)] = (data, item.accessibility)
            return .success
        }
    }

    func update(_ item: KeychainItem, data: Data) -> KeychainStatus {
        withLock {
            if locked { return .interactionNotAllowed }
            guard items[address(item)] != nil else { return .itemNotFound }
            items[address(item)] = (data, item.accessibility)
            return .success
        }
    }

    func delete(_ item: KeychainItem) -> KeychainStatus {
        withLock {
            if locked { return .interactionNotAllowed }
            return items.removeValue(forKey: address(item)) == nil ? .itemNotFound : .success
        }
    }

    /// The addresses of every stored item.
    var addresses: [Address] {
        withLock { Array(items.keys) }
    }

    func accessibility(of address: Address) -> KeychainAccessibility? {
        withLock { items[address]?.accessibility }
    }
}

/// A clock that moves only when the test calls `advance(by:)`, firing the timers that fall due
/// in order.
final class ManualClock: Clock {
    private final class Timer: ScheduledWork {
        let due: Date
        let action: () -> Void
        var cancelled = false

        init(due: Date, action: @escaping () -> Void) {
            self.due = due
            self.action = action
        }

        func cancel() {
            cancelled = true
        }
    }

    private(set) var now: Date
    private var timers: [Timer] = []

    init(now: Date = Date()) {
        self.now = now
    }

    func schedule(after delay: TimeInterval, _ action: @escaping () -> Void) -> ScheduledWork {
        let timer = Timer(due: now.addingTimeInterval(max(0, delay)), action: action)
        timers.append(timer)
        return timer
    }

    /// Timers scheduled and neither fired nor cancelled.
    var pendingCount: Int {
        timers.filter { !$0.cancelled }.count
    }

    func advance(by interval: TimeInterval) {
        let end = now.addingTimeInterval(interval)
        while let next = timers.filter({ !$0.cancelled && $0.due <= end }).min(by: { $0.due < $1.due }) {
            timers.removeAll { $0 === next }
            now = next.due
            next.action()
        }
        timers.removeAll { $0.cancelled }
        now = end
    }
}

/// Creates an app against the running service with a fake Keychain.
func makeApp(
    _ services: TestServices,
    keychain: FakeKeychain = FakeKeychain(),
    storageDir: String? = nil,
    backendUrl: String? = nil
) throws -> WalkoutApp {
    let store = try KeychainSecretStore(brandId: "acme", teamId: "TEAM123456", backend: keychain)
    let config = makeConfig(
        storageDir: try storageDir ?? makeTemporaryDirectory(),
        backendUrl: backendUrl ?? services.backendUrl,
        services: services
    )
    return try WalkoutApp(config: config, secretStore: store)
}

/// Signs up and confirms a new shopper (moto accepts any code); returns their email.
func signUpShopper(_ app: WalkoutApp) throws -> String {
    let email = "swift-\(UUID().uuidString.prefix(12).lowercased())@example.com"
    _ = try app.signUp(email: email, password: testPassword)
    try app.confirmSignUp(email: email, code: "000000")
    return email
}

/// Signs up a new shopper and signs them in.
func signInNewShopper(_ app: WalkoutApp) throws {
    let email = try signUpShopper(app)
    let step = try app.signInStart(email: email, password: testPassword)
    guard case .signedIn = step else {
        XCTFail("expected signedIn, got \(step)")
        return
    }
}
