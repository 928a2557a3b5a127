//! Cross-check against an independent implementation: PyPI's `pycognito` (its `aws_srp`
//! module), run by the Python interpreter that `WALKOUT_PYTHON` names.
//!
//! Both sides get the same fixed a, B, SALT, SECRET_BLOCK and instant, and must produce the same
//! `SRP_A`, signature, `TIMESTAMP`, `USERNAME` and `SECRET_HASH`, and the same device verifier
//! for the same random bytes. Without `WALKOUT_PYTHON` the test fails under `CI=true` and is
//! skipped elsewhere.

use std::io::Write as _;
use std::process::{Command, Stdio};

use num_bigint::BigUint;
use serde_json::{Value, json};
use walkout_core::auth::srp::{
    DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig, DeviceSrpClient,
    PasswordVerifierChallenge, SrpClient, format_timestamp,
};

/// Reads cases as JSON on stdin and prints pycognito's responses as JSON on stdout. The
/// module's clock and random source are replaced so the output is reproducible.
const PYCOGNITO_SCRIPT: &str = r#"
import base64, datetime, json, sys
from pycognito import aws_srp

class FixedClock:
    instant = None
    @classmethod
    def utcnow(cls):
        return cls.instant

class ClockModule:
    datetime = FixedClock

aws_srp.datetime = ClockModule

class NoBoto:
    pass

def respond_user(case):
    FixedClock.instant = datetime.datetime.fromtimestamp(case["unix"], datetime.timezone.utc).replace(tzinfo=None)
    srp = aws_srp.AWSSRP(case["username"], case["password"], case["pool_id"], case["client_id"],
                         client=NoBoto(), client_secret=case.get("client_secret"))
    srp.small_a_value = int(case["a"], 16)
    srp.large_a_value = srp.calculate_a()
    params = {"SALT": case["salt"], "SRP_B": case["srp_b"], "SECRET_BLOCK": case["secret_block"],
              "USER_ID_FOR_SRP": case["user_id_for_srp"], "USERNAME": case["username"]}
    response = srp.process_challenge(params, {"USERNAME": case["username"]})
    response["SRP_A"] = srp.get_auth_params()["SRP_A"]
    return response

def respond_device(case):
    FixedClock.instant = datetime.datetime.fromtimestamp(case["unix"], datetime.timezone.utc).replace(tzinfo=None)
    srp = aws_srp.AWSSRP(case["username"], "unused", case["pool_id"], case["client_id"],
                         client=NoBoto(), device_key=case["device_key"],
                         device_group_key=case["device_group_key"],
                         device_password=case["device_password"])
    srp.small_a_value = int(case["a"], 16)
    srp.large_a_value = srp.calculate_a()
    params = {"SALT": case["salt"], "SRP_B": case["srp_b"], "SECRET_BLOCK": case["secret_block"],
              "USERNAME": case["username"], "DEVICE_KEY": case["device_key"]}
    response = srp.process_device_challenge(params)
    response["SRP_A"] = srp.get_auth_params()["SRP_A"]
    return response

def build_verifier(case):
    queue = [bytes.fromhex(case["password_bytes"]), bytes.fromhex(case["salt_bytes"])]
    aws_srp.os.urandom = lambda n: queue.pop(0)
    password, config = aws_srp.generate_hash_device(case["device_group_key"], case["device_key"])
    return {"device_password": password, "PasswordVerifier": config["PasswordVerifier"], "Salt": config["Salt"]}

handlers = {"user": respond_user, "device": respond_device, "verifier": build_verifier}
cases = json.load(sys.stdin)
json.dump([handlers[case["kind"]](case) for case in cases], sys.stdout)
"#;

const SECRET_BLOCK: &str = "9ae77ec7154c14dcc487b47707fee4b4920cb96d8a8c045e4c8df879a7b375524aa736acdec6c9ad4ea606774d00621b";

/// 2025-02-10 18:30:12 UTC and 2024-03-05 07:08:09 UTC (a single-digit day).
const INSTANTS: [i64; 2] = [1_739_212_212, 1_709_622_489];

fn a_hex(fill: u8) -> String {
    hex::encode([fill; 128])
}

fn user_cases() -> Vec<Value> {
    let high_b = "f".repeat(700);
    let rows = [
        (
            "us-west-2_abc",
            "user_id",
            "password",
            "36ef01c6dde9fe503da333b1acc758ba",
            "36ef01c6dde9fe503da333b1acc758ba",
            0x01,
            None,
        ),
        (
            "eu-west-2_Walkout1",
            "8c1f5a2e-3b7d",
            "Grüße 🛒 Ĳ",
            "c8a1f00d",
            "c8a1f00dc8a1f00dc8a1f00dc8a1f00d",
            0x7f,
            None,
        ),
        (
            "eu-west-2_Walkout1",
            "shopper",
            "P@ss: w0rd!",
            high_b.as_str(),
            "abc",
            0xa5,
            Some("s3cr3t"),
        ),
        (
            "us-east-1_x",
            "u",
            "",
            "123",
            "0f0f",
            0xff,
            Some("other secret"),
        ),
    ];
    let mut cases = Vec::new();
    for (pool_id, user_id, password, srp_b, salt, a_fill, client_secret) in rows {
        for unix in INSTANTS {
            cases.push(json!({
                "kind": "user", "pool_id": pool_id, "client_id": "client-id",
                "client_secret": client_secret, "username": user_id, "user_id_for_srp": user_id,
                "password": password, "a": a_hex(a_fill), "srp_b": srp_b, "salt": salt,
                "secret_block": SECRET_BLOCK, "unix": unix,
            }));
        }
    }
    cases
}

fn device_cases() -> Vec<Value> {
    let rows = [
        (
            "36ef01c6dde9fe503da333b1acc758ba",
            "36ef01c6dde9fe503da333b1acc758ba",
            "password",
            0x01,
        ),
        (
            "c8a1f00d",
            "00c8a1f00d",
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==",
            0x42,
        ),
    ];
    let mut cases = Vec::new();
    for (srp_b, salt, device_password, a_fill) in rows {
        for unix in INSTANTS {
            cases.push(json!({
                "kind": "device", "pool_id": "us-west-2_abc", "client_id": "client-id",
                "username": "user_id", "device_group_key": "-group", "device_key": "us-west-2_device",
                "device_password": device_password, "a": a_hex(a_fill), "srp_b": srp_b,
                "salt": salt, "secret_block": SECRET_BLOCK, "unix": unix,
            }));
        }
    }
    cases
}

fn verifier_cases() -> Vec<Value> {
    let salts = [
        "00112233445566778899aabbccddeeff",
        "c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8",
        "000000000000000000000000000000ff",
    ];
    salts
        .iter()
        .map(|salt| {
            json!({
                "kind": "verifier", "device_group_key": "-group", "device_key": "us-west-2_device",
                "password_bytes": hex::encode([0x5au8; 40]), "salt_bytes": salt,
            })
        })
        .collect()
}

fn run_pycognito(python: &str, cases: &[Value]) -> Vec<Value> {
    let mut child = Command::new(python)
        .args(["-c", PYCOGNITO_SCRIPT])
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("failed to start WALKOUT_PYTHON={python}: {error}"));
    let input = serde_json::to_vec(cases).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();

    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "pycognito script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {value}"))
}

fn our_user_response(case: &Value) -> Value {
    let a = BigUint::parse_bytes(text(case, "a").as_bytes(), 16).unwrap();
    let mut client = SrpClient::new(text(case, "pool_id"), Some(a)).unwrap();
    if let Some(secret) = case["client_secret"].as_str() {
        client = client.with_client_secret(text(case, "client_id"), secret);
    }
    let srp_a = client.srp_a_hex();
    let challenge = PasswordVerifierChallenge {
        salt: text(case, "salt").to_owned(),
        srp_b: text(case, "srp_b").to_owned(),
        secret_block: text(case, "secret_block").to_owned(),
        user_id_for_srp: text(case, "user_id_for_srp").to_owned(),
        username: Some(text(case, "username").to_owned()),
    };
    let timestamp = format_timestamp(case["unix"].as_i64().unwrap());
    let response = client
        .password_verifier_response(&challenge, text(case, "password"), &timestamp)
        .unwrap();

    let mut response_map = json!(response.challenge_responses());
    response_map["SRP_A"] = json!(srp_a);
    response_map
}

fn our_device_response(case: &Value) -> Value {
    let a = BigUint::parse_bytes(text(case, "a").as_bytes(), 16).unwrap();
    let client = DeviceSrpClient::new(
        text(case, "device_group_key"),
        text(case, "device_key"),
        Some(a),
    )
    .unwrap();
    let srp_a = client.srp_a_hex();
    let challenge = DevicePasswordVerifierChallenge {
        salt: text(case, "salt").to_owned(),
        srp_b: text(case, "srp_b").to_owned(),
        secret_block: text(case, "secret_block").to_owned(),
        username: text(case, "username").to_owned(),
    };
    let timestamp = format_timestamp(case["unix"].as_i64().unwrap());
    let response = client
        .device_password_verifier_response(&challenge, text(case, "device_password"), &timestamp)
        .unwrap();

    let mut response_map = json!(response.challenge_responses());
    response_map["SRP_A"] = json!(srp_a);
    response_map
}

fn our_verifier(case: &Value) -> Value {
    let password_bytes = hex::decode(text(case, "password_bytes")).unwrap();
    let device_password =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, password_bytes);
    let salt = BigUint::from_bytes_be(&hex::decode(text(case, "salt_bytes")).unwrap());
    let config = DeviceSecretVerifierConfig::new(
        text(case, "device_group_key"),
        text(case, "device_key"),
        &device_password,
        &salt,
    );
    json!({"device_password": device_password, "PasswordVerifier": config.password_verifier, "Salt": config.salt})
}

#[test]
fn pycognito_agrees_with_srp_module() {
    let Ok(python) = std::env::var("WALKOUT_PYTHON") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "WALKOUT_PYTHON must be set under CI"
        );
        println!("skipped: WALKOUT_PYTHON not set");
        return;
    };
    let cases: Vec<Value> = [user_cases(), device_cases(), verifier_cases()].concat();

    let theirs = run_pycognito(&python, &cases);

    assert_eq!(theirs.len(), cases.len());
    for (case, their_response) in cases.iter().zip(&theirs) {
        let ours = match text(case, "kind") {
            "user" => our_user_response(case),
            "device" => our_device_response(case),
            _ => our_verifier(case),
        };
        assert_eq!(&ours, their_response, "case {case}");
    }
}
