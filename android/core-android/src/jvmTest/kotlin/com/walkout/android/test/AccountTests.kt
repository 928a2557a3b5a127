// The wallet, receipts and settings view models over the real core and the service.

package com.walkout.android.test

import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.ReceiptDetailViewModel
import com.walkout.android.viewmodel.ReceiptsViewModel
import com.walkout.android.viewmodel.SettingsViewModel
import com.walkout.android.viewmodel.UiError
import com.walkout.android.viewmodel.WalletViewModel

private const val SANDBOX_VISA = "4242424242424242"

fun accountTests(): List<TestCase> = listOf(
    TestCase("wallet adds sandbox card") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = WalletViewModel(device.app, Dispatch.immediate)
        model.load()
        expectEqual(0, model.state.value.cards.size, "cards before adding")
        model.addCard(SANDBOX_VISA, 12u, 2035u, "123")
        val cards = model.state.value.cards
        expect(model.state.value.error == null) { "error: ${model.state.value.error}" }
        expectEqual(1, cards.size, "cards after adding")
        expectEqual("4242", cards[0].last4, "last 4 digits")
        expectEqual(false, model.state.value.busy, "busy")
    },
    TestCase("wallet shows settled balance") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = WalletViewModel(device.app, Dispatch.immediate)
        model.load()
        expectEqual(true, model.state.value.balance?.isSettled, "settled")
        expectEqual(0L, model.state.value.balance?.outstanding?.amountMinor, "outstanding")
    },
    TestCase("invalid card number names field") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = WalletViewModel(device.app, Dispatch.immediate)
        model.checkCard("4242424242424241", 12u, 2035u, "123")
        expectEqual(UiError.Kind.INVALID_INPUT, model.state.value.error?.kind, "kind")
        expectEqual("number", model.state.value.error?.field, "field")
    },
    TestCase("card check detects brand") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = WalletViewModel(device.app, Dispatch.immediate)
        model.checkCard(SANDBOX_VISA, 12u, 2035u, "123")
        expectEqual("visa", model.state.value.detectedBrand?.lowercase(), "brand")
    },
    TestCase("new shopper receipts are empty") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = ReceiptsViewModel(device.app, Dispatch.immediate)
        model.load()
        val state = model.state.value
        expect(state.error == null) { "error: ${state.error}" }
        expectEqual(0, state.receipts.size, "receipts")
        expectEqual(false, state.syncing, "syncing")
        expect(state.status?.lastSuccessAtMillis != null) { "no successful sync recorded: ${state.status}" }
        expectEqual(0uL, state.status?.receiptCount, "stored receipts")
    },
    TestCase("offline receipts keep list") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = ReceiptsViewModel(device.restart(unusedLoopbackUrl()), Dispatch.immediate)
        model.load()
        expectEqual(UiError.Kind.OFFLINE, model.state.value.error?.kind, "kind")
        expectEqual(0, model.state.value.receipts.size, "receipts")
        expectEqual(false, model.state.value.syncing, "syncing")
    },
    TestCase("unknown receipt is not found") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = ReceiptDetailViewModel(device.app, Dispatch.immediate, "no-such-receipt")
        model.load()
        expectEqual(true, model.state.value.notFound, "not found")
        expectEqual(null, model.state.value.error, "error")
    },
    TestCase("settings shows brand and user") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = SettingsViewModel(device.app, Dispatch.immediate)
        model.load()
        expectEqual(BRAND, model.state.value.brandId, "brand")
        expectEqual(device.app.currentUser(), model.state.value.user, "user")
        expectEqual(false, model.state.value.needsSignIn, "needs sign-in")
    },
    TestCase("sign-out returns to sign-in") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = SettingsViewModel(device.app, Dispatch.immediate)
        model.load()
        model.signOut()
        expectEqual(null, model.state.value.user, "user")
        expectEqual(true, model.state.value.needsSignIn, "needs sign-in")
        expectEqual(null, device.app.currentUser(), "core's current user")
        expect(model.state.value.lastSignOut != null) { "no sign-out outcome" }
    },
    TestCase("sign-out elsewhere reaches settings") {
        val device = Device().also { signUpAndSignIn(it) }
        val model = SettingsViewModel(device.app, Dispatch.immediate)
        model.load()
        device.app.signOut()
        expectEqual(true, model.state.value.needsSignIn, "needs sign-in")
        expectEqual(null, model.state.value.user, "user")
    },
)
