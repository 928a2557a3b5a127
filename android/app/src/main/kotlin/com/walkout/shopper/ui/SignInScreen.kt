// Email and password sign-in and sign-up, the confirmation code, the extra steps Cognito may
// require (their forms are in ChallengeForms.kt), and a button per federated provider of the
// brand. The fields keep what the shopper types only in this screen.

package com.walkout.shopper.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import com.walkout.android.viewmodel.FederatedSignInViewModel
import com.walkout.android.viewmodel.FederatedState
import com.walkout.android.viewmodel.SignInForm
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.shopper.R
import com.walkout.android.R as CoreR

@Composable
fun SignInScreen(model: SignInViewModel, federated: FederatedSignInViewModel) {
    val state by model.state.observeAsState()
    val hosted by federated.state.observeAsState()
    Column(
        modifier = Modifier.fillMaxSize().padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Text(stringResource(R.string.welcome_title), style = MaterialTheme.typography.headlineMedium)
        when (val form = state.form) {
            is SignInForm.Credentials -> CredentialsForm(model, state.busy)
            is SignInForm.ConfirmSignUp -> CodeForm(form.destination, state.busy) { model.confirmSignUp(it) }
            is SignInForm.Challenge -> ChallengeForm(model, form, state.busy)
            is SignInForm.ResetPassword -> ResetForm(form.destination, state.busy) { code, password ->
                model.confirmForgotPassword(code, password)
            }
            is SignInForm.SignedIn -> Unit
        }
        state.error?.let { Text(signInErrorText(it), color = MaterialTheme.colorScheme.error) }
        (hosted as? FederatedState.Failed)?.let { Text(it.error.message, color = MaterialTheme.colorScheme.error) }
        val hostedBusy = hosted is FederatedState.WaitingForBrowser || hosted is FederatedState.Completing
        federated.providers.forEach { provider ->
            OutlinedButton(onClick = { federated.start(provider) }, enabled = !hostedBusy) { Text(provider) }
        }
    }
}

@Composable
private fun CredentialsForm(model: SignInViewModel, busy: Boolean) {
    var email by remember { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    OutlinedTextField(
        value = email,
        onValueChange = { email = it },
        label = { Text(stringResource(R.string.email_label)) },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
    )
    OutlinedTextField(
        value = password,
        onValueChange = { password = it },
        label = { Text(stringResource(R.string.password_label)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
    )
    Button(enabled = !busy, onClick = { model.signIn(email, password) }) { Text(stringResource(R.string.sign_in_button)) }
    OutlinedButton(enabled = !busy, onClick = { model.signUp(email, password) }) {
        Text(stringResource(R.string.sign_up_button))
    }
}

@Composable
private fun CodeForm(destination: String?, busy: Boolean, submit: (String) -> Unit) {
    var code by remember { mutableStateOf("") }
    destination?.let { Text(it) }
    OutlinedTextField(
        value = code,
        onValueChange = { code = it },
        label = { Text(stringResource(CoreR.string.code_label)) },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    )
    Button(enabled = !busy && code.isNotBlank(), onClick = { submit(code) }) { Text(stringResource(CoreR.string.action_ok)) }
}

@Composable
private fun ResetForm(destination: String?, busy: Boolean, submit: (String, String) -> Unit) {
    var code by remember { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    destination?.let { Text(it) }
    OutlinedTextField(
        value = code,
        onValueChange = { code = it },
        label = { Text(stringResource(CoreR.string.code_label)) },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    )
    OutlinedTextField(
        value = password,
        onValueChange = { password = it },
        label = { Text(stringResource(CoreR.string.new_password_label)) },
        visualTransformation = PasswordVisualTransformation(),
    )
    Button(enabled = !busy && code.isNotBlank(), onClick = { submit(code, password) }) {
        Text(stringResource(CoreR.string.action_ok))
    }
}
