// Money for display. Amounts stay integer minor units until the last step, where BigDecimal
// places the decimal point from the currency's ISO 4217 fraction digits; no floating point.

package com.walkout.android.viewmodel

import java.math.BigDecimal
import java.text.NumberFormat
import java.util.Currency
import java.util.Locale
import uniffi.walkout_ffi.Money

/**
 * Formats [amountMinor] minor units of [currencyCode] for [locale], such as `£12.34` for 1234
 * GBP in `en-GB`. An unknown code is shown as `<amount> <code>` with two decimals.
 */
fun formatMoney(amountMinor: Long, currencyCode: String, locale: Locale = Locale.getDefault()): String {
    val currency = try {
        Currency.getInstance(currencyCode)
    } catch (unknown: IllegalArgumentException) {
        return "${BigDecimal.valueOf(amountMinor, 2).toPlainString()} $currencyCode"
    }
    val digits = currency.defaultFractionDigits.coerceAtLeast(0)
    val format = NumberFormat.getCurrencyInstance(locale)
    format.currency = currency
    format.minimumFractionDigits = digits
    format.maximumFractionDigits = digits
    return format.format(BigDecimal.valueOf(amountMinor, digits))
}

/** Formats [money] for [locale]. */
fun formatMoney(money: Money, locale: Locale = Locale.getDefault()): String =
    formatMoney(money.amountMinor, money.currency, locale)
