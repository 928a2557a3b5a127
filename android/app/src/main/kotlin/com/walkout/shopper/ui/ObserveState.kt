// Bridges the view models' StateHolder to Compose state: the screen recomposes on each new value
// and unsubscribes when it leaves the composition.

package com.walkout.shopper.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.State
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import com.walkout.android.viewmodel.StateHolder

@Composable
fun <T> StateHolder<T>.observeAsState(): State<T> {
    val state = remember(this) { mutableStateOf(value) }
    DisposableEffect(this) {
        val subscription = observe { state.value = it }
        onDispose { subscription.cancel() }
    }
    return state
}
