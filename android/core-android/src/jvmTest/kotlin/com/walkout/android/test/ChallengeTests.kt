// The extra sign-in steps through SignInViewModel, over the real core and a moto server that
// checks TOTP codes: a shopper invited with a temporary password sets a new one, enrols an
// authenticator app and later signs in with its code. moto never sends SELECT_MFA_TYPE and
// accepts any SMS code, so the SMS test checks only that the code form completes sign-in.

package com.walkout.android.test

import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.OtpAuthUri
import com.walkout.android.viewmodel.SignInForm
import com.walkout.android.viewmodel.SignInState
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.android.viewmodel.UiError
import uniffi.walkout_ffi.AppConfig
import uniffi.walkout_ffi.SignInStep

private const val TEMPORARY_PASSWORD = "Temp-Pass-1"
private const val NEW_PASSWORD = "Brand-New-Pass-2"

/** A shopper whom an administrator created with a temporary password, and a model over a new device. */
private class Invited(mfa: String, permanentPassword: String? = null) {
    val admin = MotoAdmin(requireEnv("WALKOUT_MOTO_TOTP_URL"))
    val pool = admin.createPool(mfa)
    val email = newEmail()
    val device: Device
    val model: SignInViewModel

    init {
        admin.createUser(pool, email, TEMPORARY_PASSWORD)
        if (permanentPassword != null) admin.setPermanentPassword(pool, email, permanentPassword)
        device = Device(config = motoConfig(pool))
        model = SignInViewModel(device.app, Dispatch.immediate)
    }

    /** Returns the step the model shows, or fails with the form and error it shows instead. */
    fun step(): SignInStep {
        val state = model.state.value
        val form = state.form as? SignInForm.Challenge
            ?: throw AssertionError("no challenge shown; form: ${state.form}, error: ${state.error}")
        return form.step
    }

    /** Signs in with the temporary password, sets [NEW_PASSWORD], and returns the step shown next. */
    fun setNewPassword(): SignInForm {
        model.signIn(email, TEMPORARY_PASSWORD)
        expect(step() is SignInStep.NewPasswordRequired) { "step: ${step()}" }
        model.submitNewPassword(NEW_PASSWORD)
        return model.state.value.form
    }
}

/** Builds a configuration over [pool], with a backend that nothing listens on, because sign-in never calls it. */
private fun motoConfig(pool: MotoPool): AppConfig =
    AppConfig(
        brandId = BRAND,
        backendUrl = unusedLoopbackUrl(),
        storageDir = newFolder("walkout-android-mfa-").toString(),
        cognitoRegion = pool.region,
        cognitoEndpointUrl = pool.endpoint,
        cognitoUserPoolId = pool.poolId,
        cognitoClientId = pool.clientId,
    )

private fun expectSignedIn(invited: Invited, label: String) {
    val state = invited.model.state.value
    val form = state.form
    expect(form is SignInForm.SignedIn) { "$label: form: $form, error: ${state.error}" }
    expectEqual(invited.email, (form as SignInForm.SignedIn).user.email, "$label: email")
    expectEqual(form.user, invited.device.app.currentUser(), "$label: stored user")
}

/** Checks that the model shows an error and still shows a step of type [T]. */
private inline fun <reified T : SignInStep> expectErrorKeepsStep(invited: Invited, label: String): UiError {
    val state = invited.model.state.value
    val error = state.error ?: throw AssertionError("$label: no error shown; form: ${state.form}")
    expect(invited.step() is T) { "$label: step: ${invited.step()}" }
    expectEqual(false, state.busy, "$label: busy")
    return error
}

/** Enrols an authenticator app for a new invited shopper; returns them signed in, and the secret. */
private fun enrolled(): Pair<Invited, String> {
    val invited = Invited(mfa = "ON")
    invited.setNewPassword()
    val secret = (invited.step() as SignInStep.MfaSetup).secretCode
    invited.model.submitMfaSetupCode(Totp.currentCode(secret), "Test phone")
    expectSignedIn(invited, "after enrolment")
    return invited to secret
}

fun challengeTests(): List<TestCase> = listOf(
    TestCase("temporary password asks for new one") {
        val invited = Invited(mfa = "OFF")
        invited.model.signIn(invited.email, TEMPORARY_PASSWORD)
        expect(invited.step() is SignInStep.NewPasswordRequired) { "step: ${invited.step()}" }
        expectEqual(null, invited.model.state.value.error, "error")
    },
    TestCase("new password signs shopper in") {
        val invited = Invited(mfa = "OFF")
        invited.setNewPassword()
        expectSignedIn(invited, "after new password")

        invited.device.app.signOut()
        invited.model.backToCredentials()
        invited.model.signIn(invited.email, NEW_PASSWORD)
        expectSignedIn(invited, "signing in again")
    },
    TestCase("weak new password keeps form") {
        val invited = Invited(mfa = "OFF")
        invited.model.signIn(invited.email, TEMPORARY_PASSWORD)
        invited.model.submitNewPassword("short1")
        val error = expectErrorKeepsStep<SignInStep.NewPasswordRequired>(invited, "weak password")
        expectEqual(UiError.Kind.DENIED, error.kind, "kind")
        expectEqual("invalid-password", error.reasonSlug, "reason")
        expect("short1" !in error.message) { "message repeats the password: ${error.message}" }

        invited.model.submitNewPassword(NEW_PASSWORD)
        expectSignedIn(invited, "strong password after a weak one")
    },
    TestCase("empty new password names field") {
        val invited = Invited(mfa = "OFF")
        invited.model.signIn(invited.email, TEMPORARY_PASSWORD)
        invited.model.submitNewPassword("")
        val error = expectErrorKeepsStep<SignInStep.NewPasswordRequired>(invited, "empty password")
        expectEqual(UiError.Kind.INVALID_INPUT, error.kind, "kind")
        expectEqual("password", error.field, "field")
    },
    TestCase("required mfa shows setup secret") {
        val invited = Invited(mfa = "ON")
        invited.setNewPassword()
        val step = invited.step()
        expect(step is SignInStep.MfaSetup) { "step: $step" }
        val secret = (step as SignInStep.MfaSetup).secretCode
        expect(OtpAuthUri.normalizeSecret(secret) != null) { "the secret is not Base32" }
        val form = invited.model.state.value.form as SignInForm.Challenge
        expectEqual(invited.email, form.account, "account")
        val uri = OtpAuthUri.build(secret, invited.email, "Walkout")
        expect(uri != null) { "no URI for the secret" }
        expect(uri!!.startsWith("otpauth://totp/Walkout:")) { "URI prefix: ${uri.substringBefore('?')}" }
        expect(secret !in invited.model.state.value.toString()) { "the logged state holds the secret" }
    },
    TestCase("mfa setup code signs shopper in") {
        enrolled()
    },
    TestCase("wrong setup code keeps form") {
        val invited = Invited(mfa = "ON")
        invited.setNewPassword()
        val secret = (invited.step() as SignInStep.MfaSetup).secretCode
        invited.model.submitMfaSetupCode(Totp.wrongCode(secret))
        val error = expectErrorKeepsStep<SignInStep.MfaSetup>(invited, "wrong setup code")
        expectEqual("code-mismatch", error.reasonSlug, "reason")

        invited.model.submitMfaSetupCode(Totp.currentCode(secret))
        expectSignedIn(invited, "right setup code after a wrong one")
    },
    TestCase("authenticator code signs shopper in") {
        val (invited, secret) = enrolled()
        invited.device.app.signOut()
        invited.model.backToCredentials()
        invited.model.signIn(invited.email, NEW_PASSWORD)
        expect(invited.step() is SignInStep.SoftwareTokenMfaCode) { "step: ${invited.step()}" }

        invited.model.submitMfaCode(Totp.wrongCode(secret))
        val error = expectErrorKeepsStep<SignInStep.SoftwareTokenMfaCode>(invited, "wrong code")
        expectEqual("code-mismatch", error.reasonSlug, "reason")

        invited.model.submitMfaCode(" ${Totp.currentCode(secret)} ")
        expectSignedIn(invited, "right code")
    },
    TestCase("sms code form signs shopper in") {
        val invited = Invited(mfa = "OFF", permanentPassword = NEW_PASSWORD)
        invited.admin.preferSmsMfa(invited.pool, invited.email)
        invited.model.signIn(invited.email, NEW_PASSWORD)
        expect(invited.step() is SignInStep.SmsMfaCode) { "step: ${invited.step()}" }
        invited.model.submitMfaCode("123456")
        expectSignedIn(invited, "after SMS code")
    },
    TestCase("challenge helpers ignore other forms") {
        val invited = Invited(mfa = "OFF")
        invited.model.submitNewPassword(NEW_PASSWORD)
        invited.model.chooseMfa("SOFTWARE_TOKEN_MFA")
        invited.model.submitMfaCode("123456")
        invited.model.submitMfaSetupCode("123456")
        expectEqual(SignInState(), invited.model.state.value, "state on the credentials form")

        invited.model.signIn(invited.email, TEMPORARY_PASSWORD)
        val before = invited.model.state.value
        invited.model.submitMfaCode("123456")
        invited.model.chooseMfa("SMS_MFA")
        expectEqual(before, invited.model.state.value, "state on the new password form")
    },
    TestCase("challenge form hides setup secret") {
        val secret = "JBSWY3DPEHPK3PXP"
        val text = SignInForm.Challenge(SignInStep.MfaSetup(secret)).toString()
        expect(secret !in text) { "toString shows the secret: $text" }
    },
)
