// The receipts list: stored receipts first (they need no network), then a sync that brings
// in new ones. A failed sync keeps the stored list on screen and shows why.

import Foundation

public struct ReceiptsState: Equatable {
    /// Stored receipts, newest first.
    public var receipts: [ReceiptSummary] = []
    public var isSyncing = false
    /// True while older stored receipts may exist beyond `receipts`.
    public var hasMore = false
    /// The reason the last sync or read failed; the list stays as it was.
    public var errorMessage: String?
    /// The last sync failed because the backend could not be reached.
    public var isOffline = false
}

public final class ReceiptsViewModel: ViewModel<ReceiptsState> {
    private let source: ReceiptSource
    private let worker: Worker
    private let pageSize: UInt32

    public init(source: ReceiptSource, worker: Worker, pageSize: UInt32 = 50) {
        self.source = source
        self.worker = worker
        self.pageSize = max(pageSize, 1)
        super.init(state: ReceiptsState())
    }

    /// Shows the stored receipts, then syncs and shows them again.
    public func appear() {
        reloadStored()
        refresh()
    }

    /// Syncs receipts from the backend, then shows the first page of stored receipts.
    public func refresh() {
        guard !state.isSyncing else { return }
        update { $0.isSyncing = true }
        let source = self.source
        worker.perform({ try source.syncReceipts() }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                update {
                    $0.isSyncing = false
                    $0.errorMessage = nil
                    $0.isOffline = false
                }
                reloadStored()
            case .failure(let error):
                update {
                    $0.isSyncing = false
                    $0.errorMessage = errorMessage(for: error)
                    $0.isOffline = isOffline(error)
                }
            }
        }
    }

    /// Appends the next page of older stored receipts.
    public func loadMore() {
        guard state.hasMore, let last = state.receipts.last else { return }
        let source = self.source
        let limit = pageSize
        worker.perform({ try source.receipts(limit: limit, before: last.receiptId) }) { [weak self] result in
            self?.apply(result, appending: true)
        }
    }

    private func reloadStored() {
        let source = self.source
        let limit = pageSize
        worker.perform({ try source.receipts(limit: limit, before: nil) }) { [weak self] result in
            self?.apply(result, appending: false)
        }
    }

    private func apply(_ result: Result<[ReceiptSummary], Error>, appending: Bool) {
        switch result {
        case .success(let page):
            update {
                $0.receipts = appending ? $0.receipts + page : page
                $0.hasMore = page.count == Int(pageSize)
            }
        case .failure(let error):
            update { $0.errorMessage = errorMessage(for: error) }
        }
    }
}

public struct ReceiptDetailState: Equatable {
    public enum Phase: Equatable {
        case loading
        case loaded(ReceiptDetail)
        /// The receipt is not stored on this device (deleted, or not synced yet).
        case notFound
        case failed(message: String)
    }

    public var phase: Phase = .loading
}

/// One stored receipt. It reads the local store only, so it works offline.
public final class ReceiptDetailViewModel: ViewModel<ReceiptDetailState> {
    private let source: ReceiptSource
    private let worker: Worker
    public let receiptId: String

    public init(receiptId: String, source: ReceiptSource, worker: Worker) {
        self.receiptId = receiptId
        self.source = source
        self.worker = worker
        super.init(state: ReceiptDetailState())
    }

    public func appear() {
        update { $0.phase = .loading }
        let source = self.source
        let id = receiptId
        worker.perform({ try source.receipt(receiptId: id) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(.some(let detail)):
                update { $0.phase = .loaded(detail) }
            case .success(.none):
                update { $0.phase = .notFound }
            case .failure(let error):
                update { $0.phase = .failed(message: errorMessage(for: error)) }
            }
        }
    }
}
