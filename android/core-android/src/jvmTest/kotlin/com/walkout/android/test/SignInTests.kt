// SignInViewModel over the real core and the moto user pool.

package com.walkout.android.test

import com.walkout.android.viewmodel.Dispatch
import com.walkout.android.viewmodel.SignInForm
import com.walkout.android.viewmodel.SignInViewModel
import com.walkout.android.viewmodel.UiError

fun signInTests(): List<TestCase> = listOf(
    TestCase("sign-up asks for confirmation code") {
        val model = SignInViewModel(Device().app, Dispatch.immediate)
        val email = newEmail()
        model.signUp(email, PASSWORD)
        val form = model.state.value.form
        expect(form is SignInForm.ConfirmSignUp) { "form: $form" }
        expectEqual(email, (form as SignInForm.ConfirmSignUp).email, "email")
    },
    TestCase("confirmation signs shopper in") {
        val device = Device()
        val model = SignInViewModel(device.app, Dispatch.immediate)
        val email = newEmail()
        model.signUp(email, PASSWORD)
        model.confirmSignUp("000000")
        val form = model.state.value.form
        expect(form is SignInForm.SignedIn) { "form: $form, error: ${model.state.value.error}" }
        expectEqual(device.app.currentUser(), (form as SignInForm.SignedIn).user, "user")
        expectEqual(false, model.state.value.busy, "busy")
    },
    TestCase("sign-in with password succeeds") {
        val device = Device()
        val email = newEmail()
        signUpAndSignIn(device, email)
        device.app.signOut()
        val model = SignInViewModel(device.app, Dispatch.immediate)
        model.signIn(" $email ", PASSWORD)
        val form = model.state.value.form
        expect(form is SignInForm.SignedIn) { "form: $form, error: ${model.state.value.error}" }
    },
    // moto's SRP accepts any password proof, so a wrong password cannot be tested against it;
    // an account that does not exist is rejected.
    TestCase("unknown account shows error") {
        val model = SignInViewModel(Device().app, Dispatch.immediate)
        model.signIn(newEmail(), PASSWORD)
        expectEqual<SignInForm>(SignInForm.Credentials, model.state.value.form, "form")
        expect(model.state.value.error != null) { "no error shown" }
        expectEqual(false, model.state.value.busy, "busy")
    },
    TestCase("empty password names field") {
        val model = SignInViewModel(Device().app, Dispatch.immediate)
        model.signIn(newEmail(), "")
        val error = model.state.value.error
        expectEqual(UiError.Kind.INVALID_INPUT, error?.kind, "kind")
        expectEqual("password", error?.field, "field")
    },
    TestCase("restore finds stored session") {
        val device = Device()
        signUpAndSignIn(device)
        val model = SignInViewModel(device.restart(), Dispatch.immediate)
        model.restore()
        expect(model.state.value.form is SignInForm.SignedIn) { "form: ${model.state.value.form}" }
    },
    TestCase("restore without session shows credentials") {
        val model = SignInViewModel(Device().app, Dispatch.immediate)
        model.restore()
        expectEqual<SignInForm>(SignInForm.Credentials, model.state.value.form, "form")
    },
    TestCase("restore with locked keystore asks to unlock") {
        val device = Device()
        signUpAndSignIn(device)
        device.keystore.locked = true
        val model = SignInViewModel(device.restart(), Dispatch.immediate)
        model.restore()
        expectEqual(UiError.Kind.SECRET_STORE_UNAVAILABLE, model.state.value.error?.kind, "kind")
    },
)
