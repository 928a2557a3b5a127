"""The shopper journey through the generated Python bindings, against the real service and a
moto user pool: configuration errors, status, sign-in, cards, entry codes and receipts.

The tests also check the FFI rules. A panic becomes an exception, foreign code may re-enter
the API, and a locked secret store does not sign the shopper out."""

import io
import socket
import threading

import pytest

from conftest import PASSWORD, MapSecretStore, make_config, signed_up_email, walkout_ffi

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SANDBOX_VISA = "4242424242424242"


def unused_loopback_url():
    """Return the URL of a loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_version_is_returned():
    assert walkout_ffi.walkout_version() == "0.1.0"


def test_invalid_brand_is_rejected(tmp_path):
    config = make_config(tmp_path, "http://127.0.0.1:1", brand_id="Not A Brand")
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        walkout_ffi.WalkoutApp(config, MapSecretStore())
    assert raised.value.field == "brand"


def test_invalid_backend_url_is_rejected(tmp_path):
    config = make_config(tmp_path, "not a url")
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        walkout_ffi.WalkoutApp(config, MapSecretStore())
    assert raised.value.field == "backend_url"


def test_status_reports_ready(app, backend_url):
    report = app.backend_health()
    assert report.backend_url == backend_url
    assert report.live
    assert report.ready
    assert report.schema_version is not None


def test_unreachable_backend_is_offline(tmp_path):
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, unused_loopback_url()), MapSecretStore())
    with pytest.raises(walkout_ffi.WalkoutFfiError.Offline):
        app.backend_health()


def test_signed_out_calls_raise_not_signed_in(app):
    assert app.current_user() is None
    with pytest.raises(walkout_ffi.WalkoutFfiError.NotSignedIn):
        app.cards()


def test_debug_panic_raises_and_process_continues():
    with pytest.raises(walkout_ffi.InternalError) as raised:
        walkout_ffi.debug_panic()
    assert "debug_panic" in str(raised.value)
    assert walkout_ffi.walkout_version() == "0.1.0"


def test_sign_in_stores_session_in_foreign_store(signed_in, secrets):
    user = signed_in.current_user()
    assert user is not None
    assert user.sub
    assert "cognito.session" in secrets.values


def test_unavailable_store_keeps_session(signed_in, tmp_path, backend_url, pool, secrets):
    # A second app object over the same storage reads the session from the store, as the
    # app does after a restart.
    secrets.locked = True
    restarted = walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url, pool), secrets)
    with pytest.raises(walkout_ffi.WalkoutFfiError.SecretStoreUnavailable):
        restarted.current_user()
    secrets.locked = False
    assert restarted.current_user() == signed_in.current_user()


def test_locked_store_during_sign_in_is_written_later(tmp_path, backend_url, pool, secrets):
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url, pool), secrets)
    email = signed_up_email(app)
    secrets.locked = True
    assert app.sign_in_start(email, PASSWORD).is_SIGNED_IN()
    assert app.current_user() is not None
    assert "cognito.session" not in secrets.values
    secrets.locked = False
    app.current_user()
    assert "cognito.session" in secrets.values


def test_observer_may_reenter_api(tmp_path, backend_url, pool, secrets):
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url, pool), secrets)
    seen = []

    class ReenteringObserver(walkout_ffi.SessionObserver):
        def session_changed(self, event):
            # Calls back into the core from inside its notification.
            seen.append((event, app.current_user()))

    app.add_session_observer(ReenteringObserver())
    email = signed_up_email(app)

    worker = threading.Thread(target=app.sign_in_start, args=(email, PASSWORD))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "sign-in with a re-entering observer did not finish"

    assert len(seen) == 1
    event, user = seen[0]
    assert event.is_SIGNED_IN()
    assert user is not None


def test_sign_out_notifies_observer(signed_in):
    events = []

    class Recorder(walkout_ffi.SessionObserver):
        def session_changed(self, event):
            events.append(event)

    signed_in.add_session_observer(Recorder())
    signed_in.sign_out()
    assert signed_in.current_user() is None
    assert events == [walkout_ffi.SessionEvent.SIGNED_OUT()]


def test_log_sink_receives_core_events(tmp_path, backend_url):
    records = []

    class ListSink(walkout_ffi.LogSink):
        def log(self, level, target, message):
            records.append((level, target, message))

    walkout_ffi.set_log_sink(ListSink(), walkout_ffi.LogLevel.INFO)
    try:
        walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url), MapSecretStore())
    finally:
        walkout_ffi.clear_log_sink()
    started = [r for r in records if r[2].startswith("walkout core started")]
    assert len(started) == 1
    level, target, _ = started[0]
    assert level == walkout_ffi.LogLevel.INFO
    assert target.startswith("walkout_core")


def test_entry_code_renders_after_enrollment(signed_in):
    info = signed_in.enroll_device()
    assert len(info.credential_id) == 16
    assert signed_in.entry_credential() == info

    code = signed_in.entry_code()
    assert len(code.text) == 38
    assert code.text.startswith("W1")
    assert 1 <= code.seconds_until_rotation <= info.period_secs

    png = signed_in.entry_code_png(4)
    assert png.startswith(PNG_MAGIC)
    svg = signed_in.entry_code_svg(4)
    assert svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml")


def test_entry_code_png_decodes_to_code(signed_in):
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    signed_in.enroll_device()
    text = signed_in.entry_code().text
    png = signed_in.entry_code_png(8)
    results = zxingcpp.read_barcodes(image_module.open(io.BytesIO(png)))
    # A rotation between the two calls would change the code; the period is far longer.
    assert [result.text for result in results] == [text]


def test_entry_code_without_enrollment_fails(signed_in):
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        signed_in.entry_code()
    assert raised.value.field == "entry_credential"


def test_invalid_pixels_per_module_is_rejected(signed_in):
    signed_in.enroll_device()
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        signed_in.entry_code_png(0)
    assert raised.value.field == "pixels_per_module"


def test_card_is_added_listed_and_removed(signed_in):
    card = signed_in.add_card(SANDBOX_VISA, 12, 2040, "123")
    assert card.last4 == "4242"
    assert [c.id for c in signed_in.cards()] == [card.id]
    signed_in.set_default_card(card.id)
    assert signed_in.cached_cards()[0].is_default
    signed_in.remove_card(card.id)
    assert signed_in.cards() == []


def test_invalid_card_number_names_field(signed_in):
    with pytest.raises(walkout_ffi.WalkoutFfiError.InvalidInput) as raised:
        signed_in.check_card("4242424242424241", 12, 2040, "123")
    assert raised.value.field == "number"


def test_new_shopper_balance_is_settled(signed_in):
    balance = signed_in.balance()
    assert balance.is_settled
    assert balance.outstanding.amount_minor == 0


def test_receipt_sync_of_new_shopper_is_empty(signed_in):
    report = signed_in.sync_receipts()
    assert report.applied == 0
    assert signed_in.receipts(10, None) == []
    assert signed_in.receipt("no-such-receipt") is None
    assert signed_in.receipt_sync_status().receipt_count == 0
