// Sign-in, sign-up with its confirmation code, the extra sign-in steps Cognito may ask for
// (new password, MFA) and password reset. The core runs SRP and stores the session; this model
// only tracks which form the screen shows. It keeps a typed password only between sign-up and
// the automatic sign-in after confirmation, and never puts one into its state.

package com.walkout.android.viewmodel

import uniffi.walkout_ffi.CurrentUser
import uniffi.walkout_ffi.SignInResponse
import uniffi.walkout_ffi.SignInStep
import uniffi.walkout_ffi.WalkoutAppInterface

/** The form the sign-in screen shows. */
sealed interface SignInForm {
    /** Email and password. */
    data object Credentials : SignInForm

    /** The confirmation code sent to [destination] after sign-up of [email]. */
    data class ConfirmSignUp(val email: String, val destination: String?) : SignInForm

    /**
     * A further step that Cognito requires, completed with [SignInViewModel.respond] or its
     * typed helpers. [account] is the email the shopper signed in with, which the MFA setup
     * form puts in the authenticator app's label.
     */
    data class Challenge(val step: SignInStep, val account: String? = null) : SignInForm {
        /** Leaves out the authenticator secret of [SignInStep.MfaSetup], so a logged state never contains it. */
        override fun toString(): String {
            val stepText = if (step is SignInStep.MfaSetup) "MfaSetup(secretCode=<hidden>)" else step.toString()
            return "Challenge(step=$stepText, account=$account)"
        }
    }

    /** The reset code sent to [destination], and a new password for [email]. */
    data class ResetPassword(val email: String, val destination: String?) : SignInForm

    /** Done: [user] is signed in. */
    data class SignedIn(val user: CurrentUser) : SignInForm
}

data class SignInState(
    val form: SignInForm = SignInForm.Credentials,
    val busy: Boolean = false,
    val error: UiError? = null,
)

class SignInViewModel(
    private val app: WalkoutAppInterface,
    dispatch: Dispatch,
) : ViewModel(dispatch) {
    val state = StateHolder(SignInState())

    /** Kept from sign-up until the confirmation signs the shopper in; never in [state]. */
    @Volatile
    private var pendingPassword: String? = null

    /** The email of the sign-in in progress, for [SignInForm.Challenge.account]. */
    @Volatile
    private var account: String? = null

    /** Shows the signed-in form when a stored session exists. Makes no network call. */
    fun restore() = run {
        val user = app.currentUser()
        if (user != null) SignInForm.SignedIn(user) else SignInForm.Credentials
    }

    fun signIn(email: String, password: String) {
        val address = email.trim()
        account = address
        run { formFor(app.signInStart(address, password)) }
    }

    /** Creates the account, then signs in at once or shows the confirmation-code form. */
    fun signUp(email: String, password: String) {
        val address = email.trim()
        account = address
        pendingPassword = password
        run {
            val outcome = app.signUp(address, password)
            if (outcome.userConfirmed) {
                pendingPassword = null
                formFor(app.signInStart(address, password))
            } else {
                SignInForm.ConfirmSignUp(address, outcome.codeDelivery?.destination)
            }
        }
    }

    /** Confirms the account with [code], then signs in with the password from sign-up. */
    fun confirmSignUp(code: String) {
        val form = state.value.form as? SignInForm.ConfirmSignUp ?: return
        run {
            app.confirmSignUp(form.email, code.trim())
            val password = pendingPassword
            pendingPassword = null
            if (password != null) formFor(app.signInStart(form.email, password)) else SignInForm.Credentials
        }
    }

    fun resendCode() {
        val form = state.value.form as? SignInForm.ConfirmSignUp ?: return
        run { form.copy(destination = app.resendCode(form.email)?.destination ?: form.destination) }
    }

    /** Sends the shopper's response to the current [SignInForm.Challenge]. */
    fun respond(response: SignInResponse) = run { formFor(app.signInRespond(response)) }

    /**
     * Responds to [SignInStep.NewPasswordRequired] with [password] and a value for each required
     * attribute. Does nothing unless that step is shown.
     */
    fun submitNewPassword(password: String, attributes: Map<String, String> = emptyMap()) {
        if (currentStep() !is SignInStep.NewPasswordRequired) return
        respond(SignInResponse.NewPassword(password, attributes.mapValues { it.value.trim() }))
    }

    /** Responds to [SignInStep.SelectMfaType] with [mfaType] when it is one of the offered options, else does nothing. */
    fun chooseMfa(mfaType: String) {
        val step = currentStep() as? SignInStep.SelectMfaType ?: return
        if (mfaType !in step.options) return
        respond(SignInResponse.MfaType(mfaType))
    }

    /** Responds to an SMS, email or authenticator code step with [code]. Does nothing on any other step. */
    fun submitMfaCode(code: String) {
        when (currentStep()) {
            is SignInStep.SmsMfaCode, is SignInStep.EmailMfaCode, is SignInStep.SoftwareTokenMfaCode ->
                respond(SignInResponse.MfaCode(code.trim()))
            else -> return
        }
    }

    /**
     * Responds to [SignInStep.MfaSetup] with the first [code] from the authenticator app;
     * [deviceName] names the authenticator in the account's settings.
     */
    fun submitMfaSetupCode(code: String, deviceName: String? = null) {
        if (currentStep() !is SignInStep.MfaSetup) return
        respond(SignInResponse.MfaSetupCode(code.trim(), deviceName?.trim()?.ifEmpty { null }))
    }

    fun forgotPassword(email: String) {
        val address = email.trim()
        account = address
        run { SignInForm.ResetPassword(address, app.forgotPassword(address)?.destination) }
    }

    /** Sets [newPassword] with the reset [code], then signs in with it. */
    fun confirmForgotPassword(code: String, newPassword: String) {
        val form = state.value.form as? SignInForm.ResetPassword ?: return
        run {
            app.confirmForgotPassword(form.email, code.trim(), newPassword)
            formFor(app.signInStart(form.email, newPassword))
        }
    }

    /** Returns to the email and password form, forgetting any pending step. */
    fun backToCredentials() {
        pendingPassword = null
        account = null
        state.update { SignInState() }
    }

    private fun currentStep(): SignInStep? = (state.value.form as? SignInForm.Challenge)?.step

    private fun formFor(step: SignInStep): SignInForm =
        if (step is SignInStep.SignedIn) SignInForm.SignedIn(step.user) else SignInForm.Challenge(step, account)

    /** Runs [call] with the busy flag set, then shows the form it returns or the error. */
    private fun run(call: () -> SignInForm) {
        state.update { it.copy(busy = true, error = null) }
        perform(call) { outcome ->
            when (outcome) {
                is Outcome.Success -> state.update { it.copy(form = outcome.value, busy = false) }
                is Outcome.Failure -> state.update { it.copy(busy = false, error = outcome.error) }
            }
        }
    }
}
