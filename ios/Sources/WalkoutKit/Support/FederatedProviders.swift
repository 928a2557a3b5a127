// The provider buttons of the sign-in screen. The brand pack lists the providers
// (`features.federated_providers` in `Brand.json`), and the app's configuration must have an
// OpenID section for the core to start a hosted sign-in. Without one, the buttons are hidden,
// because every tap would end in "not available".

import Foundation

public struct FederatedProvider: Equatable, Hashable {
    /// The name sent as Cognito's `identity_provider`, such as `Google`.
    public var name: String
    /// The button's label.
    public var title: String

    public init(name: String) {
        self.name = name
        self.title = Self.title(for: name)
    }

    /// Returns the label for `name`. Apple's guidelines fix the wording of its button, and
    /// Cognito's `SignInWithApple` name is not shown as it is spelled.
    static func title(for name: String) -> String {
        switch name {
        case "SignInWithApple":
            return "Sign in with Apple"
        case "LoginWithAmazon":
            return "Continue with Amazon"
        default:
            return "Continue with \(name)"
        }
    }

    /// Returns the buttons to show: the brand's providers in the brand's order without
    /// duplicates or blank names, or none when `openIdConfigured` is false.
    public static func list(brand: BrandSettings, openIdConfigured: Bool) -> [FederatedProvider] {
        guard openIdConfigured else { return [] }
        var seen = Set<String>()
        var providers: [FederatedProvider] = []
        for name in brand.features.federatedProviders {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || !seen.insert(trimmed).inserted {
                continue
            }
            providers.append(FederatedProvider(name: trimmed))
        }
        return providers
    }
}
