// The entry code at full width with its countdown, and the current trip's status under it.
// The model starts when the screen appears and stops when it leaves, which also clears the
// window flags (see MainActivity).

package com.walkout.shopper.ui

import android.graphics.BitmapFactory
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.FilterQuality
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.EntryCodeViewModel
import com.walkout.android.viewmodel.TripViewModel
import com.walkout.shopper.R

@Composable
fun EntryScreen(model: EntryCodeViewModel, trips: TripViewModel, modifier: Modifier = Modifier) {
    DisposableEffect(model) {
        model.start()
        trips.load()
        onDispose { model.stop() }
    }
    val state by model.state.observeAsState()
    val trip by trips.state.observeAsState()
    Column(
        modifier = modifier.padding(24.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        Text(stringResource(R.string.entry_title), style = MaterialTheme.typography.headlineMedium)
        val png = state.codePng
        if (png != null) {
            val bitmap = remember(png) { BitmapFactory.decodeByteArray(png, 0, png.size).asImageBitmap() }
            // Nearest-neighbour scaling keeps the modules sharp for the gate's scanner.
            Image(
                bitmap = bitmap,
                contentDescription = stringResource(R.string.entry_title),
                filterQuality = FilterQuality.None,
                modifier = Modifier.fillMaxWidth(),
            )
            Text(stringResource(R.string.entry_refresh, state.secondsUntilRotation.toString()))
        }
        Text(stringResource(R.string.entry_hint))
        if (state.offline) Text(stringResource(R.string.error_offline))
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
        trip.trip?.let { Text(it.state.wireName.replace('_', ' ')) }
        trip.outstandingText?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
}
