//! The `TIMESTAMP` string that Cognito's password claims sign.
//!
//! Cognito expects Java's pattern `EEE MMM d HH:mm:ss 'UTC' yyyy` in English: the day has no
//! leading zero, and a padded day or a weekday that does not match the date fails the claim with
//! `NotAuthorizedException`. The names come from fixed tables, never from a locale, and the
//! caller passes the instant in, so nothing here reads the wall clock.

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const SECONDS_PER_DAY: i64 = 86_400;

/// Formats `unix_secs` (seconds since 1970-01-01T00:00:00Z) as a Cognito `TIMESTAMP`, for
/// example `Mon Feb 10 18:30:12 UTC 2025` or `Sat Jan 1 00:00:00 UTC 2022`.
///
/// Pass the server-corrected time (local clock plus the measured offset).
pub fn format_timestamp(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(SECONDS_PER_DAY);
    let second_of_day = unix_secs.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);

    // 1970-01-01 was a Thursday, index 4 in `WEEKDAYS`.
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1) as usize];

    let hour = second_of_day / 3600;
    let minute = second_of_day % 3600 / 60;
    let second = second_of_day % 60;
    format!("{weekday} {month_name} {day} {hour:02}:{minute:02}:{second:02} UTC {year:04}")
}

/// Parses a `TIMESTAMP` back into Unix seconds; `None` unless `text` is exactly what
/// [`format_timestamp`] produces for that instant.
///
/// The strict round trip rejects padded days, wrong weekdays, out-of-range fields and extra
/// spaces, which is how Cognito treats them. A server-side fake uses this to check claims.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let fields: Vec<&str> = text.split(' ').collect();
    let [_weekday, month_name, day, clock, "UTC", year] = fields.as_slice() else {
        return None;
    };

    let month = MONTHS.iter().position(|name| name == month_name)? as i64 + 1;
    let day = parse_number(day)?;
    let year = parse_number(year)?;
    let [hour, minute, second] = parse_clock(clock)?;
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }

    let days = days_from_civil(year, month, day);
    let unix_secs = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    (format_timestamp(unix_secs) == text).then_some(unix_secs)
}

fn parse_clock(text: &str) -> Option<[i64; 3]> {
    let mut parts = text.split(':');
    let hour = parse_number(parts.next()?)?;
    let minute = parse_number(parts.next()?)?;
    let second = parse_number(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Some([hour, minute, second])
}

/// Parses 1 to 6 ASCII digits; longer or signed fields never occur in a valid timestamp.
fn parse_number(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day), using Howard
/// Hinnant's `civil_from_days` algorithm on 400-year eras.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;

    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Converts a proleptic Gregorian date to days since 1970-01-01 (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
