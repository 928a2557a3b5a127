// The shopper's offers and the consent switch for targeted offers. When the brand turns offers
// off, the screen shows nothing and the model never calls the backend.

package com.walkout.shopper.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.Consent
import com.walkout.android.viewmodel.OffersViewModel
import com.walkout.shopper.R
import com.walkout.android.R as CoreR

@Composable
fun OffersScreen(model: OffersViewModel, modifier: Modifier = Modifier) {
    LaunchedEffect(model) { model.load() }
    val state by model.state.observeAsState()
    if (!state.enabled) return
    Column(modifier.padding(16.dp)) {
        Text(stringResource(R.string.offers_title), style = MaterialTheme.typography.headlineMedium)
        Row {
            Text(stringResource(CoreR.string.offers_consent), modifier = Modifier.weight(1f))
            Switch(checked = state.consent == Consent.GRANTED, onCheckedChange = { model.setConsent(it) })
        }
        state.offers.forEach { offer ->
            Text(offer.title, style = MaterialTheme.typography.titleMedium)
            Text(offer.description)
            offer.reason?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        }
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
    }
}
