// The core's secret store over the iOS Keychain: one generic-password item per key, in a
// service and access group of the brand's own, readable after the first unlock following a
// restart and never synced or moved to another device.
//
// The Keychain calls sit behind `KeychainBackend`, so this mapping of Keychain outcomes to
// the core's three lookup results (found, absent, unavailable now) runs in tests on Linux
// against a fake.
// A locked device must surface as "unavailable", never as "absent": the core deletes the
// session when a token is absent, but waits when the store is unavailable.

import Foundation

/// When a Keychain item can be read.
public enum KeychainAccessibility: String, Equatable {
    /// From the first unlock after a restart until the next restart, on this device only
    /// (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`), so background receipt sync and
    /// token refresh work while the phone is locked in a pocket.
    case afterFirstUnlockThisDeviceOnly
}

/// The address and protection class of one Keychain item.
public struct KeychainItem: Hashable {
    public var service: String
    public var account: String
    public var accessGroup: String?
    public var accessibility: KeychainAccessibility
}

/// The outcome of a Keychain call, reduced to the cases the store treats differently.
public enum KeychainStatus: Equatable {
    case success
    case itemNotFound
    case duplicateItem
    /// The device is locked and the item's protection class forbids reading it now.
    case interactionNotAllowed
    /// Any other `OSStatus`.
    case failed(Int32)
}

/// Generic-password operations on the Keychain, or on a fake in tests.
public protocol KeychainBackend: AnyObject {
    func read(_ item: KeychainItem) -> (KeychainStatus, Data?)
    func add(_ item: KeychainItem, data: Data) -> KeychainStatus
    func update(_ item: KeychainItem, data: Data) -> KeychainStatus
    func delete(_ item: KeychainItem) -> KeychainStatus
}

/// The brand's secret store for `WalkoutApp`. Two brands on one phone use different services
/// and access groups, so neither can read the other's tokens.
public final class KeychainSecretStore: SecretStore, @unchecked Sendable {
    /// The Keychain service of every item: `walkout.<brand id>`.
    public let service: String
    /// `<team id>.walkout.<brand id>`, or nil to use the app's default access group.
    public let accessGroup: String?

    private let backend: KeychainBackend
    /// Makes the add-then-update of `set` one step for other callers in this process.
    private let lock = NSLock()

    /// Creates the store of `brandId`. `teamId` is the Apple developer team prefix of the
    /// access group; pass nil where the app has no Keychain sharing entitlement.
    public init(brandId: String, teamId: String?, backend: KeychainBackend) throws {
        guard Self.isValidBrandId(brandId) else {
            throw WalkoutFfiError.InvalidInput(
                field: "brand",
                reason: "expected 1 to 40 lower-case ASCII letters, digits or '-'"
            )
        }
        self.service = "walkout.\(brandId)"
        self.accessGroup = teamId.map { "\($0).walkout.\(brandId)" }
        self.backend = backend
    }

    public func get(key: String) throws -> SecretLookup {
        let (status, data) = backend.read(item(key))
        switch status {
        case .success:
            guard let data else { throw WalkoutFfiError.Storage }
            return .found(value: data)
        case .itemNotFound:
            return .absent
        case .interactionNotAllowed:
            return .unavailable(reason: "the Keychain is locked until the device is unlocked")
        case .duplicateItem, .failed:
            throw WalkoutFfiError.Storage
        }
    }

    public func set(key: String, value: Data) throws {
        let item = item(key)
        lock.lock()
        defer { lock.unlock() }
        var status = backend.add(item, data: value)
        if status == .duplicateItem {
            status = backend.update(item, data: value)
        }
        try check(status)
    }

    public func delete(key: String) throws {
        let status = backend.delete(item(key))
        if status == .itemNotFound {
            return
        }
        try check(status)
    }

    private func item(_ key: String) -> KeychainItem {
        KeychainItem(
            service: service,
            account: key,
            accessGroup: accessGroup,
            accessibility: .afterFirstUnlockThisDeviceOnly
        )
    }

    private func check(_ status: KeychainStatus) throws {
        switch status {
        case .success:
            return
        case .interactionNotAllowed:
            throw WalkoutFfiError.SecretStoreUnavailable
        case .itemNotFound, .duplicateItem, .failed:
            throw WalkoutFfiError.Storage
        }
    }

    /// Checks the core's brand id rule here too, because the id names Keychain items.
    static func isValidBrandId(_ id: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        return (1...40).contains(id.count) && id.allSatisfy { allowed.contains($0) }
    }
}
