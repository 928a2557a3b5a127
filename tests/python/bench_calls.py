"""The call-overhead benchmark of the Python bindings: each exported call is timed on its own
with time.perf_counter_ns after a warm-up, and the median and 99th percentile are printed. A
measurement, not a test.

Run by `cargo xtask bindings --bench`, with walkout_ffi on PYTHONPATH."""

import tempfile
import time

import walkout_ffi

WARM_UP_CALLS = 10_000
MEASURED_CALLS = 100_000


def measure(name, call):
    """Print the median and 99th percentile time of one call of `call`, in microseconds."""
    for _ in range(WARM_UP_CALLS):
        call()
    clock = time.perf_counter_ns
    nanos = []
    for _ in range(MEASURED_CALLS):
        started = clock()
        call()
        nanos.append(clock() - started)
    nanos.sort()
    median = nanos[MEASURED_CALLS // 2] / 1000
    p99 = nanos[MEASURED_CALLS * 99 // 100] / 1000
    print(
        f"python: {name:<36} median {median:7.2f} µs  p99 {p99:7.2f} µs  ({MEASURED_CALLS} calls)"
    )


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
        # Trivial calls: no I/O, no lock, a short string back.
        measure("walkout_version()", walkout_ffi.walkout_version)
        measure("WalkoutApp.brand_id()", app.brand_id)
        # Representative calls: a SQLite read, and a secret store read through a Python callback.
        measure("WalkoutApp.receipt_sync_status()", app.receipt_sync_status)
        measure("WalkoutApp.current_user()", app.current_user)
        del app


if __name__ == "__main__":
    main()
