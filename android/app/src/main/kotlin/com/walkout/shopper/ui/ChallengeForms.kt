// The forms of the extra sign-in steps that Cognito may require: a new password (with any
// required attributes), the choice of a second factor, authenticator app setup, and the MFA
// codes. Typed passwords and codes live only in these composables' remembered fields and go
// straight to the view model's helpers. The setup secret is shown and copied, never stored.

package com.walkout.shopper.ui

import android.content.ActivityNotFoundException
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.PersistableBundle
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import com.walkout.android.viewmodel.OtpAuthUri
import com.walkout.android.viewmodel.SignInForm
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.android.viewmodel.UiError
import com.walkout.shopper.R
import com.walkout.android.R as CoreR
import uniffi.walkout_ffi.SignInStep

/**
 * Returns the text for a sign-in [error]: a sentence of this app for the refusals a shopper
 * fixes by typing again, else the core's own message.
 */
@Composable
fun signInErrorText(error: UiError): String = when (error.reasonSlug) {
    "invalid-password" -> stringResource(CoreR.string.error_invalid_new_password)
    "code-mismatch" -> stringResource(CoreR.string.error_code_mismatch)
    "expired-code" -> stringResource(CoreR.string.error_code_expired)
    else -> error.message
}

/** Shows the form for [form]'s step; the brand's app name is the issuer in the authenticator app. */
@Composable
fun ChallengeForm(model: SignInViewModel, form: SignInForm.Challenge, busy: Boolean) {
    when (val step = form.step) {
        is SignInStep.NewPasswordRequired -> NewPasswordForm(step.requiredAttributes, busy) { password, attributes ->
            model.submitNewPassword(password, attributes)
        }
        is SignInStep.SelectMfaType -> SelectMfaForm(step.options, busy) { model.chooseMfa(it) }
        is SignInStep.MfaSetup -> MfaSetupForm(step.secretCode, form.account, busy) { model.submitMfaSetupCode(it) }
        is SignInStep.SmsMfaCode ->
            MfaCodeForm(stringResource(CoreR.string.mfa_code_sms, step.destination ?: ""), busy) { model.submitMfaCode(it) }
        is SignInStep.EmailMfaCode ->
            MfaCodeForm(stringResource(CoreR.string.mfa_code_email, step.destination ?: ""), busy) { model.submitMfaCode(it) }
        is SignInStep.SoftwareTokenMfaCode ->
            MfaCodeForm(stringResource(CoreR.string.mfa_code_app), busy) { model.submitMfaCode(it) }
        is SignInStep.SignedIn -> Unit
    }
}

@Composable
private fun NewPasswordForm(requiredAttributes: List<String>, busy: Boolean, submit: (String, Map<String, String>) -> Unit) {
    var password by remember { mutableStateOf("") }
    val values = remember { mutableStateMapOf<String, String>() }
    Text(stringResource(CoreR.string.new_password_required))
    OutlinedTextField(
        value = password,
        onValueChange = { password = it },
        label = { Text(stringResource(CoreR.string.new_password_label)) },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
    )
    requiredAttributes.forEach { attribute ->
        OutlinedTextField(
            value = values[attribute] ?: "",
            onValueChange = { values[attribute] = it },
            label = { Text(attributeLabel(attribute)) },
        )
    }
    val complete = password.isNotEmpty() && requiredAttributes.all { !values[it].isNullOrBlank() }
    Button(enabled = !busy && complete, onClick = { submit(password, values.toMap()) }) {
        Text(stringResource(CoreR.string.action_ok))
    }
}

/** Turns a Cognito attribute name such as `given_name` or `custom:loyalty_id` into a field label. */
private fun attributeLabel(attribute: String): String =
    attribute.substringAfter("custom:").replace('_', ' ').replaceFirstChar { it.uppercase() }

@Composable
private fun SelectMfaForm(options: List<String>, busy: Boolean, choose: (String) -> Unit) {
    Text(stringResource(CoreR.string.mfa_choose_title))
    options.forEach { option ->
        OutlinedButton(enabled = !busy, onClick = { choose(option) }) { Text(mfaOptionLabel(option)) }
    }
}

@Composable
private fun mfaOptionLabel(option: String): String = when (option) {
    "SOFTWARE_TOKEN_MFA" -> stringResource(CoreR.string.mfa_option_app)
    "SMS_MFA" -> stringResource(CoreR.string.mfa_option_sms)
    "EMAIL_OTP" -> stringResource(CoreR.string.mfa_option_email)
    else -> option
}

@Composable
private fun MfaSetupForm(secret: String, account: String?, busy: Boolean, submit: (String) -> Unit) {
    val context = LocalContext.current
    val issuer = stringResource(R.string.app_name)
    val uri = account?.let { OtpAuthUri.build(secret, it, issuer) }
    val grouped = (OtpAuthUri.normalizeSecret(secret) ?: secret).chunked(4).joinToString(" ")

    Text(stringResource(CoreR.string.mfa_setup_instructions))
    Text(stringResource(CoreR.string.mfa_setup_secret_label), style = MaterialTheme.typography.labelMedium)
    SelectionContainer { Text(grouped, fontFamily = FontFamily.Monospace) }
    OutlinedButton(onClick = { copySensitive(context, grouped.replace(" ", "")) }) {
        Text(stringResource(CoreR.string.action_copy))
    }
    if (uri != null) {
        Text(stringResource(CoreR.string.mfa_setup_uri_label), style = MaterialTheme.typography.labelMedium)
        SelectionContainer { Text(uri, fontFamily = FontFamily.Monospace) }
        OutlinedButton(onClick = { copySensitive(context, uri) }) { Text(stringResource(CoreR.string.action_copy)) }
        OutlinedButton(onClick = { openAuthenticator(context, uri) }) {
            Text(stringResource(CoreR.string.mfa_setup_open_app))
        }
    }
    MfaCodeForm(stringResource(CoreR.string.mfa_setup_code_prompt), busy, submit)
}

@Composable
private fun MfaCodeForm(prompt: String, busy: Boolean, submit: (String) -> Unit) {
    var code by remember { mutableStateOf("") }
    Text(prompt)
    OutlinedTextField(
        value = code,
        onValueChange = { typed -> code = typed.filter { it.isDigit() }.take(8) },
        label = { Text(stringResource(CoreR.string.code_label)) },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
    )
    Button(enabled = !busy && code.length >= 6, onClick = { submit(code) }) { Text(stringResource(CoreR.string.action_ok)) }
}

/**
 * Copies [text] to the clipboard marked as sensitive, so Android 13 and later hide it from
 * the copy preview and keyboard suggestions. The extra's key is spelled out because the
 * constant `ClipDescription.EXTRA_IS_SENSITIVE` exists only from API 33; older versions ignore it.
 */
private fun copySensitive(context: Context, text: String) {
    val clipboard = context.getSystemService(ClipboardManager::class.java) ?: return
    val clip = ClipData.newPlainText("", text)
    clip.description.extras = PersistableBundle().apply { putBoolean("android.content.extra.IS_SENSITIVE", true) }
    clipboard.setPrimaryClip(clip)
}

/** Opens [uri] in an installed authenticator app; does nothing when none handles otpauth links. */
private fun openAuthenticator(context: Context, uri: String) {
    try {
        context.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(uri)))
    } catch (error: ActivityNotFoundException) {
        // The shopper can still copy the secret or the link by hand.
    }
}
