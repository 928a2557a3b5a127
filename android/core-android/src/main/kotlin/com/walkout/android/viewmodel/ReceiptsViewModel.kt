// The receipts list and one receipt's detail. Receipts are read from the core's local store,
// so both screens work offline; a sync fetches changes from the backend and then rereads the
// store. A failed sync keeps the list on screen and shows why.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.ReceiptDetail
import uniffi.walkout_ffi.ReceiptSummary
import uniffi.walkout_ffi.SyncStatus
import uniffi.walkout_ffi.WalkoutAppInterface

data class ReceiptsState(
    val receipts: List<ReceiptSummary> = emptyList(),
    /** More stored receipts follow the last one shown. */
    val hasMore: Boolean = false,
    val syncing: Boolean = false,
    val status: SyncStatus? = null,
    val error: UiError? = null,
)

class ReceiptsViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
    private val pageSize: UInt = 50u,
) : ViewModel(dispatch) {
    val state = StateHolder(ReceiptsState())

    /** Shows the stored receipts, then syncs with the backend. */
    fun load() {
        perform({ readFirstPage() }) { outcome ->
            apply(outcome)
            sync()
        }
    }

    /** Fetches receipt changes, then rereads the first page of stored receipts. */
    fun sync() {
        state.update { it.copy(syncing = true, error = null) }
        perform({ app.syncReceipts() }) { synced ->
            perform({ readFirstPage() }) { read ->
                apply(read)
                if (synced is Outcome.Failure) state.update { it.copy(error = synced.error) }
            }
        }
    }

    /** Appends the next page of stored receipts. Makes no network call. */
    fun loadMore() {
        val last = state.value.receipts.lastOrNull() ?: return
        perform({ app.receipts(pageSize, last.receiptId) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update {
                    it.copy(receipts = it.receipts + outcome.value, hasMore = outcome.value.size.toUInt() == pageSize)
                }
                is Outcome.Failure -> state.update { it.copy(error = outcome.error) }
            }
        }
    }

    /** Reacts to a server-sent event; `receipt-ready` syncs and refreshes the list. */
    fun onServerEvent(kind: String) {
        if (kind == "receipt-ready") sync()
    }

    private fun readFirstPage(): Pair<List<ReceiptSummary>, SyncStatus> =
        Pair(app.receipts(pageSize, null), app.receiptSyncStatus())

    private fun apply(outcome: Outcome<Pair<List<ReceiptSummary>, SyncStatus>>) {
        when (outcome) {
            is Outcome.Success -> {
                val (receipts, status) = outcome.value
                state.update {
                    it.copy(receipts = receipts, hasMore = receipts.size.toUInt() == pageSize, status = status, syncing = false)
                }
            }
            is Outcome.Failure -> state.update { it.copy(syncing = false, error = outcome.error) }
        }
    }
}

data class ReceiptDetailState(
    val receipt: ReceiptDetail? = null,
    /** The receipt as plain text, for sharing. */
    val text: String? = null,
    /** No receipt with this id is stored (for example, it was deleted by a sync). */
    val notFound: Boolean = false,
    val error: UiError? = null,
)

class ReceiptDetailViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
    private val receiptId: String,
) : ViewModel(dispatch) {
    val state = StateHolder(ReceiptDetailState())

    /** Reads the receipt from the local store. Makes no network call. */
    fun load() {
        perform({ Pair(app.receipt(receiptId), app.receiptText(receiptId)) }) { outcome ->
            when (outcome) {
                is Outcome.Success -> {
                    val (receipt, text) = outcome.value
                    state.update { ReceiptDetailState(receipt = receipt, text = text, notFound = receipt == null) }
                }
                is Outcome.Failure -> state.update { it.copy(error = outcome.error) }
            }
        }
    }
}
