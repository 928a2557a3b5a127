// The brand pack's settings that the shell reads at start-up, from `Brand.json`, which the
// brand tool writes into the app's resources.

import Foundation

public struct BrandSettings: Decodable, Equatable {
    public struct Entry: Decodable, Equatable {
        /// `max` raises the screen to full brightness while the entry code shows.
        public var brightness: String
    }

    public struct Features: Decodable, Equatable {
        public var federatedProviders: [String]
        public var offers: Bool

        enum CodingKeys: String, CodingKey {
            case federatedProviders = "federated_providers"
            case offers
        }
    }

    public var id: String
    public var displayName: String
    public var entry: Entry
    public var features: Features

    enum CodingKeys: String, CodingKey {
        case id
        case displayName = "display_name"
        case entry
        case features
    }

    /// True when the entry screen requests full brightness.
    public var entryFullBrightness: Bool {
        entry.brightness == "max"
    }

    /// Decodes `Brand.json`; unknown keys are ignored.
    public static func decode(_ data: Data) throws -> BrandSettings {
        try JSONDecoder().decode(BrandSettings.self, from: data)
    }
}
