"""The call-overhead benchmark of the Python bindings: many calls of trivial exported
functions, timed with time.perf_counter after a warm-up. A measurement, not a test.

Run by `cargo xtask bindings --bench`, with walkout_ffi on PYTHONPATH."""

import tempfile
import time

import walkout_ffi

WARM_UP_CALLS = 10_000
MEASURED_CALLS = 100_000


def measure(name, call):
    """Print the mean time of one call of `call`, in microseconds."""
    for _ in range(WARM_UP_CALLS):
        call()
    started = time.perf_counter()
    for _ in range(MEASURED_CALLS):
        call()
    per_call_micros = (time.perf_counter() - started) * 1e6 / MEASURED_CALLS
    print(f"python: {name}: {per_call_micros:.2f} µs per call ({MEASURED_CALLS} calls)")


class NoSecrets(walkout_ffi.SecretStore):
    """A store that is always empty, because the benchmark never signs in."""

    def get(self, key):
        return walkout_ffi.SecretLookup.ABSENT()

    def set(self, key, value):
        pass

    def delete(self, key):
        pass


def main():
    with tempfile.TemporaryDirectory(prefix="walkout-bench-") as storage_dir:
        config = walkout_ffi.AppConfig(
            brand_id="bench",
            backend_url="http://127.0.0.1:1",
            storage_dir=storage_dir,
            cognito_region="eu-west-2",
            cognito_user_pool_id="eu-west-2_unused",
            cognito_client_id="unused-client",
        )
        app = walkout_ffi.WalkoutApp(config, NoSecrets())
        measure("walkout_version()", walkout_ffi.walkout_version)
        measure("WalkoutApp.brand_id()", app.brand_id)
        del app


if __name__ == "__main__":
    main()
