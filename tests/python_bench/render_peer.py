"""Peer of the Rust entry-code benchmark: derive the same format-1 entry code and render it
to PNG with segno, at the same settings (version 2, error correction M, 8 pixels per module,
a 4-module quiet zone).

The inputs match core/benches/entry_code.rs: credential id 8 bytes of 0x07, secret 32 bytes
of 0x2a, a 30 s period, a clock offset of -7 s and the device instant 2026-01-01T00:00:00Z.
Prints one JSON object: the median time per derive + render in microseconds, and the payload.
"""

import base64
import hashlib
import hmac
import io
import json
import statistics
import struct
import sys
import time

import segno

CREDENTIAL_ID = bytes([0x07] * 8)
SECRET = bytes([0x2A] * 32)
PERIOD_SECS = 30
CLOCK_OFFSET_SECS = -7
DEVICE_UNIX_MILLIS = 1_767_225_600_000


def derive_code():
    """Return "W1" + Base32(credential id, u32 big-endian step, first 10 bytes of the tag)."""
    server_millis = DEVICE_UNIX_MILLIS + 1000 * CLOCK_OFFSET_SECS
    step = server_millis // (PERIOD_SECS * 1000)
    step_bytes = struct.pack(">I", step)
    tag = hmac.new(SECRET, b"walkout-entry-v1" + CREDENTIAL_ID + step_bytes, hashlib.sha256).digest()
    payload = CREDENTIAL_ID + step_bytes + tag[:10]
    return "W1" + base64.b32encode(payload).decode("ascii").rstrip("=")


def derive_and_render():
    code = derive_code()
    symbol = segno.make_qr(code, error="m", version=2, boost_error=False)
    buffer = io.BytesIO()
    symbol.save(buffer, kind="png", scale=8, border=4)
    return code, buffer.getvalue()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for _ in range(min(200, runs)):
        derive_and_render()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        derive_and_render()
        samples.append(time.perf_counter_ns() - started)
    code, png = derive_and_render()
    print(json.dumps({
        "median_us": statistics.median(samples) / 1000.0,
        "runs": runs,
        "payload": code,
        "png_bytes": len(png),
        "segno": segno.__version__,
    }))


if __name__ == "__main__":
    main()
