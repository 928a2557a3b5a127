// Saved cards, the outstanding balance, and the add-card form. The form's number and CVC live
// only in this screen's fields; the model passes them to the core, which sends them to the
// payment provider.

package com.walkout.shopper.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
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
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.WalletViewModel
import com.walkout.android.viewmodel.formatMoney
import com.walkout.shopper.R
import com.walkout.android.R as CoreR

@Composable
fun WalletScreen(model: WalletViewModel, modifier: Modifier = Modifier) {
    LaunchedEffect(model) { model.load() }
    val state by model.state.observeAsState()
    Column(modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        state.balance?.takeIf { !it.isSettled }?.let { balance ->
            Text(formatMoney(balance.outstanding), color = MaterialTheme.colorScheme.error)
            Button(onClick = { model.payBalance() }) {
                Text(stringResource(CoreR.string.wallet_pay_balance, formatMoney(balance.outstanding)))
            }
        }
        state.cards.forEach { card ->
            val marker = if (card.isDefault) " ✓" else ""
            TextButton(onClick = { model.setDefault(card.id) }) {
                Text("${card.brand} •••• ${card.last4}  ${card.expMonth}/${card.expYear}$marker")
            }
        }
        AddCardForm(model, state.busy)
        state.error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
    }
}

@Composable
private fun AddCardForm(model: WalletViewModel, busy: Boolean) {
    var number by remember { mutableStateOf("") }
    var month by remember { mutableStateOf("") }
    var year by remember { mutableStateOf("") }
    var cvc by remember { mutableStateOf("") }
    val numeric = KeyboardOptions(keyboardType = KeyboardType.Number)
    OutlinedTextField(number, { number = it }, label = { Text(stringResource(CoreR.string.card_number_label)) }, keyboardOptions = numeric)
    OutlinedTextField(month, { month = it }, label = { Text(stringResource(CoreR.string.card_exp_month_label)) }, keyboardOptions = numeric)
    OutlinedTextField(year, { year = it }, label = { Text(stringResource(CoreR.string.card_exp_year_label)) }, keyboardOptions = numeric)
    OutlinedTextField(
        cvc,
        { cvc = it },
        label = { Text(stringResource(CoreR.string.card_cvc_label)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    )
    Button(
        enabled = !busy,
        onClick = {
            model.addCard(number, month.toUIntOrNull() ?: 0u, year.toUIntOrNull() ?: 0u, cvc)
            number = ""
            cvc = ""
        },
    ) { Text(stringResource(R.string.wallet_add_card)) }
}
