"""Peer of the Rust SRP benchmark: pycognito computing the PASSWORD_VERIFIER response for the
same inputs as core/benches/srp.rs (pool, user, password, salt, secret block, instant, the
private value a of 128 bytes of 0x5a, and B = g^b mod N for b of 128 bytes of 0x3c).

Only `process_challenge` is timed; A = g^a is computed once beforehand, as in the Rust
benchmark. Prints one JSON object with the median time per response in microseconds and the
signature, so the two implementations can be checked to agree.
"""

import datetime
import json
import statistics
import sys
import time

from pycognito import aws_srp

POOL_ID = "eu-west-2_Walkout1"
USER_ID = "shopper-0001"
PASSWORD = "correct horse battery staple"
SALT_HEX = "c8a1f00dc8a1f00dc8a1f00dc8a1f00d"
SECRET_BLOCK = "c2VjcmV0LWJsb2NrLWZvci10aGUtYmVuY2htYXJr"
UNIX_SECS = 1_767_225_600


class FixedClock:
    """Stands in for datetime.datetime in aws_srp so TIMESTAMP is the fixed instant."""

    @classmethod
    def utcnow(cls):
        return datetime.datetime.fromtimestamp(UNIX_SECS, datetime.timezone.utc).replace(tzinfo=None)


class ClockModule:
    datetime = FixedClock


class NoClient:
    """pycognito wants an AWS client object; process_challenge never calls it."""


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    aws_srp.datetime = ClockModule
    modulus = int(aws_srp.N_HEX, 16)
    server_b = pow(2, int("3c" * 128, 16), modulus)
    params = {
        "SALT": SALT_HEX,
        "SRP_B": format(server_b, "x"),
        "SECRET_BLOCK": SECRET_BLOCK,
        "USER_ID_FOR_SRP": USER_ID,
        "USERNAME": USER_ID,
    }
    srp = aws_srp.AWSSRP(USER_ID, PASSWORD, POOL_ID, "client-id", client=NoClient())
    srp.small_a_value = int("5a" * 128, 16)
    srp.large_a_value = srp.calculate_a()

    for _ in range(min(20, runs)):
        srp.process_challenge(params, {"USERNAME": USER_ID})
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        response = srp.process_challenge(params, {"USERNAME": USER_ID})
        samples.append(time.perf_counter_ns() - started)
    print(json.dumps({
        "median_us": statistics.median(samples) / 1000.0,
        "runs": runs,
        "signature": response["PASSWORD_CLAIM_SIGNATURE"],
        "timestamp": response["TIMESTAMP"],
    }))


if __name__ == "__main__":
    main()
