"""Fixtures for the tests of the generated Python bindings.

`cargo xtask test` builds the library, generates `walkout_ffi.py`, copies both into one folder
on PYTHONPATH and starts the services these tests use. Each service's address comes from an
environment variable; a test whose variable is missing is skipped, or fails under CI=true.
"""

import os
import threading
import uuid

import pytest

walkout_ffi = pytest.importorskip(
    "walkout_ffi",
    reason="walkout_ffi is not on PYTHONPATH; run these tests with `cargo xtask test`",
)

PASSWORD = "Correct-Horse-7"


def require_env(name):
    """Return the environment variable `name`, or skip (fail under CI) when it is unset."""
    value = os.environ.get(name, "")
    if value:
        return value
    message = f"{name} is not set; `cargo xtask test` sets it after starting the service"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class MapSecretStore(walkout_ffi.SecretStore):
    """A secret store over a dict that can be switched to report "unavailable", as a locked
    device does."""

    def __init__(self):
        self.values = {}
        self.locked = False
        self.lock = threading.Lock()

    def get(self, key):
        if self.locked:
            return walkout_ffi.SecretLookup.UNAVAILABLE(reason="device locked")
        with self.lock:
            value = self.values.get(key)
        if value is None:
            return walkout_ffi.SecretLookup.ABSENT()
        return walkout_ffi.SecretLookup.FOUND(value=value)

    def set(self, key, value):
        if self.locked:
            raise walkout_ffi.WalkoutFfiError.SecretStoreUnavailable()
        with self.lock:
            self.values[key] = bytes(value)

    def delete(self, key):
        if self.locked:
            raise walkout_ffi.WalkoutFfiError.SecretStoreUnavailable()
        with self.lock:
            self.values.pop(key, None)


class Pool:
    """The moto user pool that `cargo xtask test` created and the service trusts."""

    def __init__(self):
        self.endpoint = require_env("WALKOUT_COGNITO_ENDPOINT")
        self.region = require_env("WALKOUT_COGNITO_REGION")
        self.pool_id = require_env("WALKOUT_COGNITO_POOL_ID")
        self.client_id = require_env("WALKOUT_COGNITO_CLIENT_ID")


def make_config(storage_dir, backend_url, pool=None, brand_id="acme"):
    """Build an AppConfig; without a pool, the Cognito settings are well-formed but unused."""
    return walkout_ffi.AppConfig(
        brand_id=brand_id,
        backend_url=backend_url,
        storage_dir=str(storage_dir),
        cognito_region=pool.region if pool else "eu-west-2",
        cognito_endpoint_url=pool.endpoint if pool else None,
        cognito_user_pool_id=pool.pool_id if pool else "eu-west-2_unused",
        cognito_client_id=pool.client_id if pool else "unused-client",
    )


@pytest.fixture
def backend_url():
    return require_env("WALKOUT_BACKEND_URL")


@pytest.fixture
def pool():
    return Pool()


@pytest.fixture
def secrets():
    return MapSecretStore()


@pytest.fixture
def app(tmp_path, backend_url, secrets):
    """An app against the running service, with Cognito settings that are never called."""
    return walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url), secrets)


def signed_up_email(app):
    """Sign up and confirm a new shopper (moto takes any code); return their email."""
    email = f"py-{uuid.uuid4().hex[:12]}@example.com"
    app.sign_up(email, PASSWORD)
    app.confirm_sign_up(email, "000000")
    return email


@pytest.fixture
def signed_in(tmp_path, backend_url, pool, secrets):
    """An app whose new shopper signed up and signed in."""
    app = walkout_ffi.WalkoutApp(make_config(tmp_path, backend_url, pool), secrets)
    email = signed_up_email(app)
    step = app.sign_in_start(email, PASSWORD)
    assert step.is_SIGNED_IN(), f"expected SIGNED_IN, got {step}"
    return app
