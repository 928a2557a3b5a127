// The receipts view models over the real core, and over a fake source for paging, which
// needs more stored receipts than a new shopper has.

import XCTest
@testable import WalkoutKit

private func summary(_ index: Int) -> ReceiptSummary {
    ReceiptSummary(
        receiptId: "r\(index)",
        version: 1,
        receiptNumber: "N\(index)",
        dateTime: "2026-12-04T10:00:00Z",
        storeId: "UK-LON-001",
        storeName: "Demo store",
        total: Money(amountMinor: Int64(100 * index), currency: "GBP"),
        itemCount: 1,
        isTest: false
    )
}

/// A fake store of `count` receipts, newest first, that never syncs anything new.
private final class FakeReceiptSource: ReceiptSource {
    let all: [ReceiptSummary]
    var syncError: Error?

    init(count: Int) {
        all = (0..<count).map(summary)
    }

    func syncReceipts() throws -> SyncReport {
        if let syncError { throw syncError }
        return SyncReport(pages: 1, applied: 0, deleted: 0, skipped: 0, cursor: nil)
    }

    func receipts(limit: UInt32, before: String?) throws -> [ReceiptSummary] {
        let start = before.flatMap { id in all.firstIndex { $0.receiptId == id }.map { $0 + 1 } } ?? 0
        return Array(all[min(start, all.count)...].prefix(Int(limit)))
    }

    func receipt(receiptId: String) throws -> ReceiptDetail? {
        nil
    }
}

final class ReceiptsViewModelTests: XCTestCase {
    func testNewShopperHasNoReceipts() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = ReceiptsViewModel(source: app, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.receipts, [])
        XCTAssertFalse(model.state.isSyncing)
        XCTAssertNil(model.state.errorMessage)
        XCTAssertFalse(model.state.hasMore)
    }

    func testSyncWhileSignedOutShowsError() throws {
        let app = try makeApp(try TestServices.require())
        let model = ReceiptsViewModel(source: app, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.errorMessage, WalkoutFfiError.NotSignedIn.description)
        XCTAssertFalse(model.state.isOffline)
    }

    func testUnknownReceiptIsNotFound() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = ReceiptDetailViewModel(receiptId: "no-such-receipt", source: app, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.phase, .notFound)
    }

    func testOfflineSyncKeepsListAndFlagsOffline() {
        let source = FakeReceiptSource(count: 3)
        source.syncError = WalkoutFfiError.Offline(retryAfterSeconds: 30)
        let model = ReceiptsViewModel(source: source, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.receipts.map(\.receiptId), ["r0", "r1", "r2"])
        XCTAssertTrue(model.state.isOffline)
        XCTAssertEqual(model.state.errorMessage, "The backend is busy; try again in 30 seconds.")
    }

    func testPagesAppendOlderReceipts() {
        let model = ReceiptsViewModel(source: FakeReceiptSource(count: 5), worker: InlineWorker(), pageSize: 2)
        model.appear()
        XCTAssertEqual(model.state.receipts.map(\.receiptId), ["r0", "r1"])
        XCTAssertTrue(model.state.hasMore)
        model.loadMore()
        model.loadMore()
        XCTAssertEqual(model.state.receipts.map(\.receiptId), ["r0", "r1", "r2", "r3", "r4"])
        XCTAssertFalse(model.state.hasMore)
    }

    func testChangesAreReported() {
        let model = ReceiptsViewModel(source: FakeReceiptSource(count: 1), worker: InlineWorker())
        var seen: [ReceiptsState] = []
        model.onChange = { seen.append($0) }
        model.refresh()
        XCTAssertEqual(seen.first?.isSyncing, true)
        XCTAssertEqual(seen.last?.isSyncing, false)
        XCTAssertEqual(seen.last?.receipts.count, 1)
    }
}
