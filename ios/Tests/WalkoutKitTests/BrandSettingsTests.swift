// Decoding of the brand pack's `Brand.json`.

import XCTest
@testable import WalkoutKit

final class BrandSettingsTests: XCTestCase {
    func testBrandFileIsDecoded() throws {
        let json = """
        {"id": "walkout", "display_name": "Walkout", "entry": {"brightness": "max"},
         "features": {"federated_providers": ["Google", "SignInWithApple"], "offers": true},
         "locales": ["en"]}
        """
        let brand = try BrandSettings.decode(Data(json.utf8))
        XCTAssertEqual(brand.id, "walkout")
        XCTAssertTrue(brand.entryFullBrightness)
        XCTAssertEqual(brand.features.federatedProviders, ["Google", "SignInWithApple"])
    }

    func testMissingEntrySectionIsRejected() {
        let json = #"{"id": "walkout", "display_name": "Walkout", "features": {"federated_providers": [], "offers": false}}"#
        XCTAssertThrowsError(try BrandSettings.decode(Data(json.utf8)))
    }
}
