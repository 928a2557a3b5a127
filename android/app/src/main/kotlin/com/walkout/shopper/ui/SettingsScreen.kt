// The signed-in shopper, support links from the brand, sign-out and account deletion (after a
// confirmation dialog).

package com.walkout.shopper.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.SettingsViewModel
import com.walkout.shopper.R
import com.walkout.android.R as CoreR

@Composable
fun SettingsScreen(model: SettingsViewModel, modifier: Modifier = Modifier) {
    LaunchedEffect(model) { model.load() }
    val state by model.state.observeAsState()
    var confirmDelete by remember { mutableStateOf(false) }
    Column(modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        state.user?.email?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
        Text(stringResource(R.string.support_title))
        Text(stringResource(R.string.brand_support_email))
        Text(stringResource(R.string.brand_support_phone))
        Button(enabled = !state.busy, onClick = { model.signOut() }) { Text(stringResource(CoreR.string.settings_sign_out)) }
        OutlinedButton(enabled = !state.busy, onClick = { confirmDelete = true }) {
            Text(stringResource(CoreR.string.settings_delete_account))
        }
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
    }
    if (confirmDelete) {
        AlertDialog(
            onDismissRequest = { confirmDelete = false },
            confirmButton = {
                TextButton(onClick = {
                    confirmDelete = false
                    model.deleteAccount()
                }) { Text(stringResource(CoreR.string.settings_delete_account)) }
            },
            dismissButton = { TextButton(onClick = { confirmDelete = false }) { Text(stringResource(CoreR.string.action_cancel)) } },
            text = { Text(stringResource(CoreR.string.settings_delete_confirm)) },
        )
    }
}
