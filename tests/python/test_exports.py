"""Error messages, sign-in options and trips through the generated Python bindings, against
the real service and a moto user pool."""

import pytest

from conftest import PASSWORD, MapSecretStore, make_config, signed_up_email, walkout_ffi

OFFLINE_SENTENCE = "The backend cannot be reached; check the network connection and try again."

DEFAULT_OPTIONS = walkout_ffi.AuthOptions(
    password_flow=walkout_ffi.PasswordAuthFlow.SRP,
    refresh_method=walkout_ffi.RefreshMethod.GET_TOKENS_FROM_REFRESH_TOKEN,
    username_is_email=True,
    remember_device=False,
    device_name=None,
    refresh_leeway_seconds=120,
    global_sign_out=True,
)


@pytest.mark.parametrize(
    "error, sentence",
    [
        (walkout_ffi.WalkoutFfiError.Offline(retry_after_seconds=None), OFFLINE_SENTENCE),
        (
            walkout_ffi.WalkoutFfiError.Offline(retry_after_seconds=30),
            "The backend is busy; try again in 30 seconds.",
        ),
        (
            walkout_ffi.WalkoutFfiError.InvalidInput(field="email", reason="expected an address"),
            "Invalid email: expected an address.",
        ),
        (
            walkout_ffi.WalkoutFfiError.Denied(reason_slug="outstanding-balance"),
            "A previous purchase is still unpaid; update the card in the wallet to settle it.",
        ),
        (walkout_ffi.WalkoutFfiError.NotSignedIn(), "No shopper is signed in; sign in first."),
    ],
)
def test_error_str_is_core_sentence(error, sentence):
    assert str(error) == sentence


def test_raised_error_str_is_sentence(tmp_path):
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, "http://127.0.0.1:1"), MapSecretStore())
    with pytest.raises(walkout_ffi.WalkoutFfiError.Offline) as raised:
        app.backend_health()
    assert str(raised.value) == OFFLINE_SENTENCE


def test_error_fields_are_kept(tmp_path):
    config = make_config(tmp_path, "http://127.0.0.1:1", brand_id="Not A Brand")
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        walkout_ffi.WalkoutApp(config, MapSecretStore())
    assert raised.value.field == "brand"
    assert str(raised.value).startswith("Invalid brand: ")


def test_auth_options_start_as_defaults(app):
    assert app.auth_options() == DEFAULT_OPTIONS


def test_auth_options_are_replaced(app):
    options = walkout_ffi.AuthOptions(
        password_flow=walkout_ffi.PasswordAuthFlow.USER_PASSWORD,
        refresh_method=walkout_ffi.RefreshMethod.REFRESH_TOKEN_AUTH,
        username_is_email=False,
        remember_device=True,
        device_name="Pixel 9",
        refresh_leeway_seconds=300,
        global_sign_out=False,
    )
    app.set_auth_options(options)
    assert app.auth_options() == options


def test_long_refresh_leeway_is_rejected(app):
    options = walkout_ffi.AuthOptions(
        password_flow=walkout_ffi.PasswordAuthFlow.SRP,
        refresh_method=walkout_ffi.RefreshMethod.GET_TOKENS_FROM_REFRESH_TOKEN,
        username_is_email=True,
        remember_device=False,
        device_name=None,
        refresh_leeway_seconds=3601,
        global_sign_out=True,
    )
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        app.set_auth_options(options)
    assert raised.value.field == "refresh_leeway_seconds"
    assert app.auth_options() == DEFAULT_OPTIONS


def test_user_password_flow_signs_in(tmp_path, backend_url, pool, secrets):
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url, pool), secrets)
    email = signed_up_email(app)
    options = app.auth_options()
    options.password_flow = walkout_ffi.PasswordAuthFlow.USER_PASSWORD
    app.set_auth_options(options)
    assert app.sign_in_start(email, PASSWORD).is_SIGNED_IN()
    assert app.current_user().email == email


def test_signed_out_current_trip_raises_not_signed_in(app):
    with pytest.raises(walkout_ffi.WalkoutFfiError.NotSignedIn):
        app.current_trip()


def test_new_shopper_has_no_trip(signed_in):
    assert signed_in.current_trip() is None
    assert signed_in.cached_trip() is None


def test_unknown_trip_is_not_found(signed_in):
    with pytest.raises(walkout_ffi.WalkoutFfiError.Denied) as raised:
        signed_in.trip("no-such-trip")
    assert raised.value.reason_slug == "not-found"


def test_new_shopper_has_not_consented(signed_in):
    consent = signed_in.consent()
    assert consent.granted is False
    assert consent.history == []


def test_consent_change_is_recorded(signed_in):
    granted = signed_in.set_consent(True)
    assert granted.granted is True
    assert [change.granted for change in granted.history] == [True]
    revoked = signed_in.set_consent(False)
    assert revoked.granted is False
    assert [change.granted for change in revoked.history] == [True, False]


def test_opting_out_empties_cached_offers(signed_in):
    signed_in.offers()
    signed_in.set_consent(False)
    assert signed_in.cached_offers() == []


def test_offers_are_cached(signed_in):
    offers = signed_in.offers()
    assert signed_in.cached_offers() == offers


def test_unknown_offer_is_not_found(signed_in):
    with pytest.raises(walkout_ffi.WalkoutFfiError.Denied) as raised:
        signed_in.activate_offer("no-such-offer")
    assert raised.value.reason_slug == "not-found"


class RecordingBrowser(walkout_ffi.BrowserStep):
    """A browser step that records its calls and reports that the shopper cancelled."""

    def __init__(self):
        self.calls = []

    def authorize(self, authorize_url, redirect_uri):
        self.calls.append((authorize_url, redirect_uri))
        return walkout_ffi.BrowserOutcome.CANCELLED()


def test_hosted_sign_in_without_openid_is_rejected(app):
    browser = RecordingBrowser()
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        app.sign_in_hosted(browser, None, None)
    assert raised.value.field == "openid"
    assert browser.calls == []
