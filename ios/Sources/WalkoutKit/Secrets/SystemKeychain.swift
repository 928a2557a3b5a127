// `KeychainBackend` over the Security framework. Apple platforms only: nothing here is built or
// tested on Linux, where `KeychainSecretStore` runs against a fake.

#if canImport(Security)
import Foundation
import Security

/// The device's Keychain, through `SecItem` calls on generic-password items.
public final class SystemKeychain: KeychainBackend {
    public init() {}

    public func read(_ item: KeychainItem) -> (KeychainStatus, Data?) {
        var query = baseQuery(item)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        return (Self.status(status), result as? Data)
    }

    public func add(_ item: KeychainItem, data: Data) -> KeychainStatus {
        var query = baseQuery(item)
        query[kSecValueData as String] = data
        query[kSecAttrAccessible as String] = Self.accessibility(item.accessibility)
        return Self.status(SecItemAdd(query as CFDictionary, nil))
    }

    public func update(_ item: KeychainItem, data: Data) -> KeychainStatus {
        let changes: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: Self.accessibility(item.accessibility),
        ]
        return Self.status(SecItemUpdate(baseQuery(item) as CFDictionary, changes as CFDictionary))
    }

    public func delete(_ item: KeychainItem) -> KeychainStatus {
        Self.status(SecItemDelete(baseQuery(item) as CFDictionary))
    }

    private func baseQuery(_ item: KeychainItem) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: item.service,
            kSecAttrAccount as String: item.account,
            // On macOS, use the iOS-style Keychain, which honours access groups.
            kSecUseDataProtectionKeychain as String: true,
        ]
        if let group = item.accessGroup {
            query[kSecAttrAccessGroup as String] = group
        }
        return query
    }

    private static func accessibility(_ value: KeychainAccessibility) -> CFString {
        switch value {
        case .afterFirstUnlockThisDeviceOnly:
            return kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        }
    }

    private static func status(_ status: OSStatus) -> KeychainStatus {
        switch status {
        case errSecSuccess: return .success
        case errSecItemNotFound: return .itemNotFound
        case errSecDuplicateItem: return .duplicateItem
        case errSecInteractionNotAllowed: return .interactionNotAllowed
        default: return .failed(status)
        }
    }
}

extension KeychainSecretStore {
    /// Creates the store of `brandId` over the device's Keychain.
    public static func system(brandId: String, teamId: String?) throws -> KeychainSecretStore {
        try KeychainSecretStore(brandId: brandId, teamId: teamId, backend: SystemKeychain())
    }
}
#endif
