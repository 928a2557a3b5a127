//! The Cognito `TIMESTAMP` format: English names, day without a leading zero, 24-hour clock.

use time::macros::datetime;
use time::{OffsetDateTime, PrimitiveDateTime};
use walkout_core::auth::srp::{format_timestamp, parse_timestamp};

fn unix(at: PrimitiveDateTime) -> i64 {
    at.assume_utc().unix_timestamp()
}

#[test]
fn timestamp_matches_published_table() {
    let cases = [
        (
            datetime!(2022-01-01 00:00:00),
            "Sat Jan 1 00:00:00 UTC 2022",
        ),
        (
            datetime!(2022-01-02 12:00:00),
            "Sun Jan 2 12:00:00 UTC 2022",
        ),
        (
            datetime!(2022-01-03 09:00:00),
            "Mon Jan 3 09:00:00 UTC 2022",
        ),
        (
            datetime!(2022-12-31 23:59:59),
            "Sat Dec 31 23:59:59 UTC 2022",
        ),
        (
            datetime!(2025-02-10 18:30:12),
            "Mon Feb 10 18:30:12 UTC 2025",
        ),
    ];
    for (at, expected) in cases {
        assert_eq!(format_timestamp(unix(at)), expected, "{at}");
    }
}

#[test]
fn timestamp_day_unpadded_every_month() {
    let cases = [
        (
            datetime!(2024-01-05 07:08:09),
            "Fri Jan 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-02-05 07:08:09),
            "Mon Feb 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-03-05 07:08:09),
            "Tue Mar 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-04-05 07:08:09),
            "Fri Apr 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-05-05 07:08:09),
            "Sun May 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-06-05 07:08:09),
            "Wed Jun 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-07-05 07:08:09),
            "Fri Jul 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-08-05 07:08:09),
            "Mon Aug 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-09-05 07:08:09),
            "Thu Sep 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-10-05 07:08:09),
            "Sat Oct 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-11-05 07:08:09),
            "Tue Nov 5 07:08:09 UTC 2024",
        ),
        (
            datetime!(2024-12-05 07:08:09),
            "Thu Dec 5 07:08:09 UTC 2024",
        ),
    ];
    for (at, expected) in cases {
        assert_eq!(format_timestamp(unix(at)), expected, "{at}");
    }
}

#[test]
fn timestamp_handles_calendar_edges() {
    let cases = [
        (
            datetime!(1970-01-01 00:00:00),
            "Thu Jan 1 00:00:00 UTC 1970",
        ),
        (
            datetime!(1969-12-31 23:59:59),
            "Wed Dec 31 23:59:59 UTC 1969",
        ),
        (
            datetime!(2024-02-29 13:00:00),
            "Thu Feb 29 13:00:00 UTC 2024",
        ),
        (
            datetime!(2100-03-01 00:00:00),
            "Mon Mar 1 00:00:00 UTC 2100",
        ),
        (
            datetime!(2000-02-29 22:22:22),
            "Tue Feb 29 22:22:22 UTC 2000",
        ),
    ];
    for (at, expected) in cases {
        assert_eq!(format_timestamp(unix(at)), expected, "{at}");
    }
}

#[test]
fn timestamp_agrees_with_time_crate() {
    // Every 7 hours 13 minutes 17 seconds from 1990 to about 2060.
    let step = 7 * 3600 + 13 * 60 + 17;
    let mut at = unix(datetime!(1990-01-01 00:00:00));
    for _ in 0..85_000 {
        let reference = OffsetDateTime::from_unix_timestamp(at).unwrap();
        let expected = format!(
            "{} {} {} {:02}:{:02}:{:02} UTC {}",
            &reference.weekday().to_string()[..3],
            &reference.month().to_string()[..3],
            reference.day(),
            reference.hour(),
            reference.minute(),
            reference.second(),
            reference.year(),
        );
        assert_eq!(format_timestamp(at), expected, "unix {at}");
        at += step;
    }
}

#[test]
fn timestamp_extremes_do_not_panic() {
    for at in [i64::MIN, i64::MIN + 1, -1, i64::MAX - 1, i64::MAX] {
        assert!(format_timestamp(at).contains(" UTC "), "unix {at}");
    }
}

#[test]
fn parse_timestamp_round_trips() {
    let at = unix(datetime!(2025-02-10 18:30:12));

    assert_eq!(parse_timestamp("Mon Feb 10 18:30:12 UTC 2025"), Some(at));
}

#[test]
fn parse_timestamp_rejects_near_misses() {
    let cases = [
        ("padded day", "Wed Sep 05 10:00:00 UTC 2018"),
        ("wrong weekday", "Tue Feb 10 18:30:12 UTC 2025"),
        ("lower case month", "Mon feb 10 18:30:12 UTC 2025"),
        ("12-hour clock", "Mon Feb 10 6:30:12 UTC 2025"),
        ("hour 24", "Mon Feb 10 24:00:00 UTC 2025"),
        ("day 30 in February", "Sun Feb 30 00:00:00 UTC 2025"),
        ("GMT instead of UTC", "Mon Feb 10 18:30:12 GMT 2025"),
        ("double space", "Mon Feb  10 18:30:12 UTC 2025"),
        ("trailing space", "Mon Feb 10 18:30:12 UTC 2025 "),
        ("ISO format", "2025-02-10T18:30:12Z"),
        ("empty", ""),
    ];
    for (name, text) in cases {
        assert_eq!(parse_timestamp(text), None, "{name}");
    }
}
