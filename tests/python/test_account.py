"""The shopper's profile and device registration through the generated Python bindings,
against the real service and a moto user pool.

NOTE: `close_account` has no test here, because moto 5.2.6 does not implement Cognito's
RevokeToken and the core reports that failure as a `Network` error after the backend has
already deleted the account."""

import pytest

from conftest import walkout_ffi

KEEP = walkout_ffi.FieldUpdate.KEEP()


def test_profile_update_is_stored(signed_in):
    update = walkout_ffi.ProfileUpdate(
        display_name=walkout_ffi.FieldUpdate.SET(value="Ada"),
        email=KEEP,
        locale=walkout_ffi.FieldUpdate.SET(value="en-GB"),
        marketing_email=True,
        marketing_push=None,
    )
    updated = signed_in.update_profile(update)
    assert updated.display_name == "Ada"
    assert updated.locale == "en-GB"
    assert updated.marketing.email is True
    assert signed_in.profile() == updated


def test_cleared_profile_field_is_none(signed_in):
    set_name = walkout_ffi.ProfileUpdate(
        display_name=walkout_ffi.FieldUpdate.SET(value="Ada"), email=KEEP, locale=KEEP
    )
    signed_in.update_profile(set_name)
    clear_name = walkout_ffi.ProfileUpdate(
        display_name=walkout_ffi.FieldUpdate.CLEAR(), email=KEEP, locale=KEEP
    )
    assert signed_in.update_profile(clear_name).display_name is None


def test_device_push_token_lifecycle(signed_in):
    device = signed_in.register_device("pixel-9", "android", "1.2.3", None)
    assert device == walkout_ffi.Device(
        device_id="pixel-9", platform="android", app_version="1.2.3", push_token_set=False
    )
    assert signed_in.set_push_token("pixel-9", "push-token-1").push_token_set is True
    signed_in.clear_push_token("pixel-9")
    assert [d.push_token_set for d in signed_in.devices()] == [False]
    signed_in.remove_device("pixel-9")
    assert signed_in.devices() == []


def test_invalid_device_id_is_rejected(signed_in):
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        signed_in.register_device("no spaces", "android", "1.2.3", None)
    assert raised.value.field == "device_id"
