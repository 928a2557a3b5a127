//! Format-1 entry codes: fixed vectors, step boundaries, clock skew, and the server-side parser
//! and verifier.

use data_encoding::BASE32_NOPAD;
use ring::hmac;
use walkout_core::entry::{
    CodeError, DeriveError, EntryCredential, ParsedCode, StepError, accepted_step_window,
    code_text, derive_code, parse_code, verify_tag,
};

/// One fixed vector: inputs and the exact code they give.
struct Vector {
    credential_id: [u8; 8],
    secret: [u8; 32],
    period_secs: u32,
    clock_offset_secs: i64,
    device_unix_millis: i64,
    step: u32,
    text: &'static str,
}

fn counting_bytes<const N: usize>() -> [u8; N] {
    std::array::from_fn(|i| i as u8)
}

fn vectors() -> Vec<Vector> {
    let mut last_bit_secret = [0u8; 32];
    last_bit_secret[31] = 1;
    vec![
        Vector {
            credential_id: counting_bytes(),
            secret: counting_bytes(),
            period_secs: 30,
            clock_offset_secs: 0,
            device_unix_millis: 1_700_000_000_000,
            step: 56_666_666,
            text: "W1AAAQEAYEAUDAOA3AVIVFMF7YML7OGIT77QWA",
        },
        Vector {
            credential_id: *b"shopper1",
            secret: *b"12345678901234567890123456789012",
            period_secs: 30,
            clock_offset_secs: 0,
            device_unix_millis: 0,
            step: 0,
            text: "W1ONUG64DQMVZDCAAAAAAHS7OVP47W4PUY6D6Q",
        },
        Vector {
            credential_id: [0xFF; 8],
            secret: [0xFF; 32],
            period_secs: 60,
            clock_offset_secs: 0,
            // The last millisecond of step u32::MAX.
            device_unix_millis: 4_294_967_295 * 60_000 + 59_999,
            step: u32::MAX,
            text: "W17777777777777777777YVRNJXPUZP3MKRYXA",
        },
        Vector {
            credential_id: [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF],
            secret: last_bit_secret,
            period_secs: 1,
            // The device runs 1000 s slow, so the server instant is 1_234_567_890 s.
            clock_offset_secs: 1_000,
            device_unix_millis: 1_234_566_890_000,
            step: 1_234_567_890,
            text: "W1AERUKZ4JVPG66SMWALJJF37OOV7FBPDRWIFQ",
        },
    ]
}

fn credential_of(vector: &Vector) -> EntryCredential {
    EntryCredential::new(
        vector.credential_id,
        vector.secret,
        vector.period_secs,
        i64::MAX,
    )
}

fn test_credential(period_secs: u32) -> EntryCredential {
    EntryCredential::new(*b"device01", [0x5A; 32], period_secs, 2_000_000_000)
}

/// Builds a code from the format's definition with ring and data-encoding only.
fn independent_code(credential_id: &[u8; 8], secret: &[u8; 32], step: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut message = b"walkout-entry-v1".to_vec();
    message.extend_from_slice(credential_id);
    message.extend_from_slice(&step.to_be_bytes());
    let tag = hmac::sign(&key, &message);

    let mut payload = credential_id.to_vec();
    payload.extend_from_slice(&step.to_be_bytes());
    payload.extend_from_slice(&tag.as_ref()[..10]);
    format!("W1{}", BASE32_NOPAD.encode(&payload))
}

#[test]
fn pinned_vectors_match() {
    for vector in vectors() {
        let code = derive_code(
            &credential_of(&vector),
            vector.clock_offset_secs,
            vector.device_unix_millis,
        )
        .unwrap();
        assert_eq!(code.step, vector.step, "step for {}", vector.text);
        assert_eq!(code.text, vector.text);
    }
}

#[test]
fn vectors_match_independent_hmac() {
    for vector in vectors() {
        let expected = independent_code(&vector.credential_id, &vector.secret, vector.step);
        assert_eq!(expected, vector.text);
    }
}

#[test]
fn code_text_matches_independent_hmac() {
    let credential = test_credential(30);
    for step in [0, 1, 255, 65_536, 56_666_666, u32::MAX - 1, u32::MAX] {
        let text = code_text(&credential.credential_id, &credential.secret, step);
        let expected = independent_code(&credential.credential_id, &credential.secret, step);
        assert_eq!(text, expected, "step {step}");
    }
}

#[test]
fn step_boundaries() {
    let credential = test_credential(30);
    let boundary = 1_699_999_980_000; // 56_666_666 * 30 s, in milliseconds
    // (device time, step, millis until rotation, seconds until rotation)
    let cases = [
        (boundary - 1, 56_666_665, 1, 1),
        (boundary, 56_666_666, 30_000, 30),
        (boundary + 1, 56_666_666, 29_999, 30),
        (boundary + 999, 56_666_666, 29_001, 30),
        (boundary + 1_000, 56_666_666, 29_000, 29),
        (boundary + 29_000, 56_666_666, 1_000, 1),
        (boundary + 29_999, 56_666_666, 1, 1),
        (boundary + 30_000, 56_666_667, 30_000, 30),
    ];
    for (device_millis, step, millis, seconds) in cases {
        let code = derive_code(&credential, 0, device_millis).unwrap();
        assert_eq!(code.step, step, "step at {device_millis}");
        assert_eq!(
            code.millis_until_rotation, millis,
            "millis at {device_millis}"
        );
        assert_eq!(
            code.seconds_until_rotation, seconds,
            "seconds at {device_millis}"
        );
    }
}

#[test]
fn code_changes_only_at_step_boundary() {
    let credential = test_credential(30);
    let boundary = 1_699_999_980_000;
    let first = derive_code(&credential, 0, boundary).unwrap();
    let last = derive_code(&credential, 0, boundary + 29_999).unwrap();
    let next = derive_code(&credential, 0, boundary + 30_000).unwrap();
    assert_eq!(first.text, last.text);
    assert_ne!(last.text, next.text);
}

#[test]
fn skewed_device_with_measured_offset_matches_server() {
    let credential = test_credential(30);
    let server_millis = 1_700_000_012_345;
    let server_code = derive_code(&credential, 0, server_millis).unwrap();

    // The device clock is two hours off in either direction, and the offset corrects it.
    for skew_secs in [-7_200_i64, 7_200] {
        let device_millis = server_millis + skew_secs * 1_000;
        let device_code = derive_code(&credential, -skew_secs, device_millis).unwrap();
        assert_eq!(device_code, server_code, "skew {skew_secs} s");
    }
}

#[test]
fn skewed_code_passes_gate_checks() {
    let credential = test_credential(30);
    let server_secs = 1_700_000_012;
    // The device runs 2 h 0.4 s fast, so the whole-second offset leaves 0.4 s of error.
    let device_millis = (server_secs + 7_200) * 1_000 + 400;
    let code = derive_code(&credential, -7_200, device_millis).unwrap();

    let parsed = parse_code(&code.text).unwrap();
    let window = accepted_step_window(server_secs, credential.period_secs).unwrap();
    assert!(
        window.contains(&parsed.step),
        "step {} outside {window:?}",
        parsed.step
    );
    assert!(verify_tag(&credential.secret, &parsed));
}

#[test]
fn codes_are_38_alphanumeric_characters() {
    let credential = test_credential(30);
    for step in (0..2_000).map(|i| i * 2_147_483) {
        let text = code_text(&credential.credential_id, &credential.secret, step);
        assert_eq!(text.len(), 38, "length at step {step}");
        assert!(text.starts_with("W1"), "prefix at step {step}");
        let outside = text[2..]
            .chars()
            .find(|c| !matches!(c, 'A'..='Z' | '2'..='7'));
        assert_eq!(
            outside, None,
            "payload character outside A-Z2-7 at step {step}"
        );
    }
}

#[test]
fn zero_period_is_rejected() {
    let result = derive_code(&test_credential(0), 0, 1_700_000_000_000);
    assert_eq!(result, Err(DeriveError::Step(StepError::ZeroPeriod)));
}

#[test]
fn time_before_epoch_is_rejected() {
    let result = derive_code(&test_credential(30), -10, 5_000);
    assert_eq!(
        result,
        Err(DeriveError::Step(StepError::BeforeEpoch {
            unix_millis: -5_000
        }))
    );
}

#[test]
fn step_overflow_is_rejected() {
    let first_overflowing_millis = (u32::MAX as i64 + 1) * 1_000;
    let credential = EntryCredential::new([1; 8], [2; 32], 1, i64::MAX);
    let result = derive_code(&credential, 0, first_overflowing_millis);
    assert_eq!(
        result,
        Err(DeriveError::Step(StepError::StepOverflow { step: 1 << 32 }))
    );
}

#[test]
fn expired_credential_is_rejected() {
    let credential = test_credential(30);
    let expiry_millis = credential.expires_at_unix * 1_000;
    assert!(derive_code(&credential, 0, expiry_millis - 1).is_ok());
    assert_eq!(
        derive_code(&credential, 0, expiry_millis),
        Err(DeriveError::CredentialExpired {
            expires_at_unix: 2_000_000_000
        })
    );
}

#[test]
fn expiry_uses_server_time() {
    let credential = test_credential(30);
    // The device clock reads one minute before expiry but runs two minutes slow.
    let device_millis = (credential.expires_at_unix - 60) * 1_000;
    let result = derive_code(&credential, 120, device_millis);
    assert!(matches!(result, Err(DeriveError::CredentialExpired { .. })));
}

#[test]
fn parse_round_trips() {
    for vector in vectors() {
        let parsed = parse_code(vector.text).unwrap();
        assert_eq!(parsed.credential_id, vector.credential_id);
        assert_eq!(parsed.step, vector.step);
        assert!(
            verify_tag(&vector.secret, &parsed),
            "tag of {}",
            vector.text
        );
    }
}

#[test]
fn malformed_codes_are_rejected() {
    let valid = "W1AAAQEAYEAUDAOA3AVIVFMF7YML7OGIT77QWA";
    let lower = valid.replace("VIV", "ViV");
    let cases: Vec<(String, CodeError)> = vec![
        (String::new(), CodeError::WrongLength { found: 0 }),
        (valid[..37].to_owned(), CodeError::WrongLength { found: 37 }),
        (format!("{valid}A"), CodeError::WrongLength { found: 39 }),
        (valid.to_lowercase(), CodeError::LowerCase { position: 0 }),
        (lower, CodeError::LowerCase { position: 19 }),
        (valid.replacen("W1", "W2", 1), CodeError::WrongPrefix),
        (valid.replacen("W1", "X1", 1), CodeError::WrongPrefix),
        (
            valid.replacen("W1A", "W10", 1),
            CodeError::NotBase32 { position: 2 },
        ),
        (
            valid.replacen("7Y", "8Y", 1),
            CodeError::NotBase32 { position: 24 },
        ),
        (
            valid.replacen("QWA", "QW=", 1),
            CodeError::NotBase32 { position: 37 },
        ),
        (
            valid.replacen("AAAQ", "AA Q", 1),
            CodeError::NotBase32 { position: 4 },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_code(&text), Err(expected), "text {text:?}");
    }
}

#[test]
fn code_errors_do_not_echo_text() {
    let text = "W1AAAQEAYEAUDAOA3AVIVFMF7YML7OGIT77QW=";
    let message = parse_code(text).unwrap_err().to_string();
    assert!(!message.contains("AAAQEAYE"), "{message}");
}

#[test]
fn wrong_secret_fails_verification() {
    let vector = &vectors()[0];
    let parsed = parse_code(vector.text).unwrap();
    let mut other_secret = vector.secret;
    other_secret[0] ^= 1;
    assert!(!verify_tag(&other_secret, &parsed));
}

#[test]
fn altered_fields_fail_verification() {
    let vector = &vectors()[0];
    let parsed = parse_code(vector.text).unwrap();
    let altered = [
        ParsedCode {
            step: parsed.step + 1,
            ..parsed.clone()
        },
        ParsedCode {
            credential_id: [9; 8],
            ..parsed.clone()
        },
        ParsedCode {
            tag: {
                let mut tag = parsed.tag;
                tag[9] ^= 0x80;
                tag
            },
            ..parsed.clone()
        },
    ];
    for (index, code) in altered.iter().enumerate() {
        assert!(!verify_tag(&vector.secret, code), "altered field {index}");
    }
}

#[test]
fn window_spans_one_step_each_side() {
    let window = accepted_step_window(1_700_000_000, 30).unwrap();
    assert_eq!(window, 56_666_665..=56_666_667);
}

#[test]
fn window_is_clamped_at_range_ends() {
    assert_eq!(accepted_step_window(0, 30).unwrap(), 0..=1);
    let last_step_secs = i64::from(u32::MAX) * 30;
    assert_eq!(
        accepted_step_window(last_step_secs, 30).unwrap(),
        u32::MAX - 1..=u32::MAX
    );
}

#[test]
fn window_rejects_invalid_input() {
    assert_eq!(
        accepted_step_window(1_700_000_000, 0),
        Err(StepError::ZeroPeriod)
    );
    assert_eq!(
        accepted_step_window(-1, 30),
        Err(StepError::BeforeEpoch {
            unix_millis: -1_000
        })
    );
    assert!(matches!(
        accepted_step_window(i64::MAX, 1),
        Err(StepError::StepOverflow { .. })
    ));
}

#[test]
fn neighbouring_steps_verify_and_far_steps_fall_outside() {
    let credential = test_credential(30);
    let server_secs = 1_700_000_000;
    let window = accepted_step_window(server_secs, credential.period_secs).unwrap();
    for step in [56_666_664, 56_666_665, 56_666_666, 56_666_667, 56_666_668] {
        let text = code_text(&credential.credential_id, &credential.secret, step);
        let parsed = parse_code(&text).unwrap();
        assert!(
            verify_tag(&credential.secret, &parsed),
            "tag at step {step}"
        );
        let inside = (56_666_665..=56_666_667).contains(&step);
        assert_eq!(
            window.contains(&parsed.step),
            inside,
            "window at step {step}"
        );
    }
}
