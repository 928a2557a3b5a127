// The app's screens and the navigation between them: sign-in until a shopper is signed in,
// then tabs for the entry code, receipts, wallet, offers and settings.

package com.walkout.shopper.ui

import androidx.compose.foundation.layout.padding
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import com.walkout.android.viewmodel.FederatedState
import com.walkout.android.viewmodel.SignInForm
import com.walkout.shopper.R
import com.walkout.shopper.ScreenModels

private enum class Tab { ENTRY, RECEIPTS, WALLET, OFFERS, SETTINGS }

@Composable
fun WalkoutScreens(models: ScreenModels) {
    val signIn by models.signIn.state.observeAsState()
    val federated by models.federated.state.observeAsState()
    val settings by models.settings.state.observeAsState()
    LaunchedEffect(Unit) { models.signIn.restore() }

    val signedIn = (signIn.form is SignInForm.SignedIn || federated is FederatedState.SignedIn) && !settings.needsSignIn
    if (!signedIn) {
        SignInScreen(models.signIn, models.federated)
        return
    }

    var tab by remember { mutableStateOf(Tab.ENTRY) }
    Scaffold(
        bottomBar = {
            NavigationBar {
                Tab.entries.forEach { item ->
                    NavigationBarItem(
                        selected = tab == item,
                        onClick = { tab = item },
                        icon = {},
                        label = { Text(tabLabel(item)) },
                    )
                }
            }
        },
    ) { padding ->
        val modifier = Modifier.padding(padding)
        when (tab) {
            Tab.ENTRY -> EntryScreen(models.entry, models.trip, modifier)
            Tab.RECEIPTS -> ReceiptsScreen(models.receipts, modifier)
            Tab.WALLET -> WalletScreen(models.wallet, modifier)
            Tab.OFFERS -> OffersScreen(models.offers, modifier)
            Tab.SETTINGS -> SettingsScreen(models.settings, modifier)
        }
    }
}

@Composable
private fun tabLabel(tab: Tab): String = when (tab) {
    Tab.ENTRY -> stringResource(R.string.entry_title)
    Tab.RECEIPTS -> stringResource(R.string.receipts_title)
    Tab.WALLET -> stringResource(R.string.wallet_add_card)
    Tab.OFFERS -> stringResource(R.string.offers_title)
    Tab.SETTINGS -> stringResource(R.string.support_title)
}
