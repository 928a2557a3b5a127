// The receipts list, newest first, from the core's local store, and one receipt's text when
// the shopper taps it. Pulling new receipts is the model's sync; the list shows while offline.

package com.walkout.shopper.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.ReceiptDetailViewModel
import com.walkout.android.viewmodel.ReceiptsViewModel
import com.walkout.android.viewmodel.formatMoney
import com.walkout.shopper.R
import com.walkout.android.R as CoreR
import com.walkout.shopper.WalkoutApplication

@Composable
fun ReceiptsScreen(model: ReceiptsViewModel, modifier: Modifier = Modifier) {
    LaunchedEffect(model) { model.load() }
    val state by model.state.observeAsState()
    var openId by remember { mutableStateOf<String?>(null) }
    openId?.let { id ->
        ReceiptDetail(id, modifier) { openId = null }
        return
    }
    Column(modifier.padding(16.dp)) {
        Text(stringResource(R.string.receipts_title), style = MaterialTheme.typography.headlineMedium)
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
        LazyColumn {
            items(state.receipts, key = { it.receiptId }) { receipt ->
                Column(Modifier.fillMaxWidth().clickable { openId = receipt.receiptId }.padding(vertical = 8.dp)) {
                    Text(receipt.storeName)
                    Text(receipt.dateTime, style = MaterialTheme.typography.bodySmall)
                    Text(stringResource(R.string.receipt_total, formatMoney(receipt.total)))
                }
            }
        }
        if (state.hasMore) TextButton(onClick = { model.loadMore() }) { Text(stringResource(CoreR.string.receipts_load_more)) }
    }
}

@Composable
private fun ReceiptDetail(receiptId: String, modifier: Modifier, close: () -> Unit) {
    val application = LocalContext.current.applicationContext as WalkoutApplication
    val model = remember(receiptId) { ReceiptDetailViewModel(application.core, application.dispatch, receiptId) }
    LaunchedEffect(model) { model.load() }
    val state by model.state.observeAsState()
    Column(modifier.padding(16.dp)) {
        TextButton(onClick = close) { Text(stringResource(R.string.receipts_title)) }
        state.text?.let { Text(it, fontFamily = FontFamily.Monospace) }
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
    }
}
