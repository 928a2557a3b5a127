//! InvoiceDate forms found in copies of the UCI "Online Retail" data.
//!
//! Accepted forms (times may have seconds, hours may have one digit):
//! - ISO: `2010-12-01 08:26:00`, also with `T` between date and time;
//! - month first with slashes: `12/1/10 8:26`, `12/1/2010 8:26`;
//! - month first with dashes: `12-01-11 12:50`.
//!
//! Rule: every form without a 4-digit year in front puts the month first, as the copies of this
//! dataset that write such dates are US spreadsheet exports. Two-digit years are 20YY, since the
//! dataset covers 2010 to 2011. A date that breaks this rule (month 13, say) is rejected, not
//! reinterpreted day first.

use time::{Date, Month, PrimitiveDateTime, Time};

/// Parses an InvoiceDate, or returns `None` for any other form or an impossible date.
pub fn parse_invoice_date(text: &str) -> Option<PrimitiveDateTime> {
    let (date_part, time_part) = text.trim().split_once([' ', 'T'])?;
    let date = parse_date(date_part)?;
    let time = parse_time(time_part.trim())?;
    Some(PrimitiveDateTime::new(date, time))
}

fn parse_date(text: &str) -> Option<Date> {
    let separator = if text.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = text.split(separator).collect();
    let [first, second, third] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if first.len() == 4 {
        (number(first)?, number(second)?, number(third)?)
    } else {
        let year = match third.len() {
            2 => 2000 + number(third)?,
            4 => number(third)?,
            _ => return None,
        };
        (year, number(first)?, number(second)?)
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

fn parse_time(text: &str) -> Option<Time> {
    let parts: Vec<&str> = text.split(':').collect();
    let (hour, minute, second) = match parts.as_slice() {
        [hour, minute] => (number(hour)?, number(minute)?, 0),
        [hour, minute, second] => (number(hour)?, number(minute)?, number(second)?),
        _ => return None,
    };
    Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()
}

/// Parses 1 to 4 ASCII digits.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn date_forms() {
        let cases = [
            ("2010-12-01 08:26:00", datetime!(2010-12-01 08:26:00)),
            ("2010-12-01T08:26:00", datetime!(2010-12-01 08:26:00)),
            ("12/1/10 8:26", datetime!(2010-12-01 08:26:00)),
            ("12/1/2010 8:26", datetime!(2010-12-01 08:26:00)),
            ("12-01-11 12:50", datetime!(2011-12-01 12:50:00)),
            ("1/13/11 17:05:30", datetime!(2011-01-13 17:05:30)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_invoice_date(text), Some(expected), "input {text:?}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for text in [
            "13/1/10 8:26",
            "2010-02-30 08:00",
            "12/1/10",
            "12/1/10 25:00",
            "yesterday 8:26",
            "",
        ] {
            assert_eq!(parse_invoice_date(text), None, "input {text:?}");
        }
    }
}
