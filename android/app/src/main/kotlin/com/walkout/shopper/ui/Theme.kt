// The Material 3 theme from the brand's colours (res/values/colors.xml and values-night), which
// the brand tool writes; screens read colours only through MaterialTheme.

package com.walkout.shopper.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.res.colorResource
import com.walkout.shopper.R

@Composable
fun BrandTheme(content: @Composable () -> Unit) {
    val primary = colorResource(R.color.brand_primary)
    val onPrimary = colorResource(R.color.brand_on_primary)
    val background = colorResource(R.color.brand_background)
    val surface = colorResource(R.color.brand_surface)
    val text = colorResource(R.color.brand_text)
    val error = colorResource(R.color.brand_error)
    // The night colours come from values-night, so one scheme builder serves both modes.
    val scheme = if (isSystemInDarkTheme()) {
        darkColorScheme(
            primary = primary, onPrimary = onPrimary, background = background,
            surface = surface, onBackground = text, onSurface = text, error = error,
        )
    } else {
        lightColorScheme(
            primary = primary, onPrimary = onPrimary, background = background,
            surface = surface, onBackground = text, onSurface = text, error = error,
        )
    }
    MaterialTheme(colorScheme = scheme, content = content)
}
