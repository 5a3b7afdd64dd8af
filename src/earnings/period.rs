//! The period a pay statement covers: `[from, to)` in Unix seconds, read
//! from RFC 3339 times (`2026-11-30T08:00:00+01:00`), by default the
//! current day in the city's offset, and at most [`MAX_PERIOD_DAYS`] long.
//! Times are written back in RFC 3339 at the city's offset.
//!
//! Written here rather than taken from a date crate: the service needs
//! one parser and one printer of a fixed format, a few dozen lines over
//! the civil-date arithmetic (days from 1970-01-01) of the proleptic
//! Gregorian calendar.

use std::fmt::Write;

/// The longest period a statement covers.
pub const MAX_PERIOD_DAYS: i64 = 31;
const DAY: i64 = 86_400;

/// A half-open period `[from, to)`, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first second covered.
    pub from: i64,
    /// The first second after it.
    pub to: i64,
}

impl Period {
    /// The period asked for: `from` and `to` as RFC 3339 texts, each
    /// defaulting to the bounds of the day holding `now` at the city's
    /// offset (`to` alone: the day before it; `from` alone: a day from it).
    /// Refuses a bad time, an empty or reversed period, or one longer than
    /// [`MAX_PERIOD_DAYS`], saying which.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        now: i64,
        utc_offset_minutes: i32,
    ) -> Result<Self, String> {
        let read = |name: &str, text: &str| {
            parse_rfc3339(text).map_err(|why| format!("`{name}` is not an RFC 3339 time: {why}"))
        };
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (read("from", f)?, read("to", t)?),
            (Some(f), None) => {
                let from = read("from", f)?;
                (from, from.saturating_add(DAY))
            }
            (None, Some(t)) => {
                let to = read("to", t)?;
                (to.saturating_sub(DAY), to)
            }
            (None, None) => {
                let offset = i64::from(utc_offset_minutes) * 60;
                let midnight = (now + offset).div_euclid(DAY) * DAY - offset;
                (midnight, midnight + DAY)
            }
        };
        if to <= from {
            return Err("`to` must be after `from`".to_owned());
        }
        if to - from > MAX_PERIOD_DAYS * DAY {
            return Err(format!("a period covers at most {MAX_PERIOD_DAYS} days"));
        }
        Ok(Self { from, to })
    }

    /// The period as an SQL range argument.
    pub const fn bounds(self) -> (i64, i64) {
        (self.from, self.to)
    }

    /// Whether `at` lies in the period.
    pub const fn contains(self, at: i64) -> bool {
        self.from <= at && at < self.to
    }

    /// How many of the seconds `[start, end)` lie in the period.
    pub fn overlap(self, start: i64, end: i64) -> i64 {
        (end.min(self.to) - start.max(self.from)).max(0)
    }
}

/// Unix seconds of an RFC 3339 date-time (fractions of a second dropped).
pub fn parse_rfc3339(text: &str) -> Result<i64, &'static str> {
    let b = text.as_bytes();
    let (date, rest) = (
        b.get(..10).ok_or("too short")?,
        b.get(10..).unwrap_or_default(),
    );
    let year = digits(date.get(0..4))?;
    let month = digits(date.get(5..7))?;
    let day = digits(date.get(8..10))?;
    if date.get(4) != Some(&b'-') || date.get(7) != Some(&b'-') {
        return Err("the date must read YYYY-MM-DD");
    }
    if !matches!(rest.first(), Some(b'T' | b't')) {
        return Err("the date and time must be joined by `T`");
    }
    let hour = digits(rest.get(1..3))?;
    let minute = digits(rest.get(4..6))?;
    let second = digits(rest.get(7..9))?;
    if rest.get(3) != Some(&b':') || rest.get(6) != Some(&b':') {
        return Err("the time must read HH:MM:SS");
    }
    let mut tail = rest.get(9..).unwrap_or_default();
    if tail.first() == Some(&b'.') {
        let fraction = tail
            .iter()
            .skip(1)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if fraction == 0 {
            return Err("a fraction of a second needs digits");
        }
        tail = tail.get(1 + fraction..).unwrap_or_default();
    }
    let offset = match tail {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(Some(&[*h1, *h2]))?;
            let minutes = digits(Some(&[*m1, *m2]))?;
            if hours > 23 || minutes > 59 {
                return Err("the offset is out of range");
            }
            let offset = hours * 3_600 + minutes * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err("the offset must be `Z` or ±HH:MM"),
    };
    if !(1969..=9999).contains(&year) {
        return Err("the time must be within 1970 and 9999");
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    // A leap second counts as the last second of its minute.
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time");
    }
    let days = days_from_civil(year, month, day);
    let unix = days * DAY + hour * 3_600 + minute * 60 + second.min(59) - offset;
    if unix < 0 {
        return Err("the time must be within 1970 and 9999");
    }
    Ok(unix)
}

/// `unix` in RFC 3339 at `utc_offset_minutes` (`Z` at zero).
pub fn format_rfc3339(unix: i64, utc_offset_minutes: i32) -> String {
    let offset = i64::from(utc_offset_minutes) * 60;
    let local = unix + offset;
    let (year, month, day) = civil_from_days(local.div_euclid(DAY));
    let secs = local.rem_euclid(DAY);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    );
    if offset == 0 {
        text.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.abs() / 60;
        let _ = write!(text, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    }
    text
}

fn digits(field: Option<&[u8]>) -> Result<i64, &'static str> {
    let field = field.ok_or("too short")?;
    field.iter().try_fold(0_i64, |acc, c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err("a digit was expected")
        }
    })
}

const fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (the inverse of [`days_from_civil`]).
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_read_with_their_offset() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-11-30T21:08:01Z"), Ok(1_796_072_881));
        assert_eq!(
            parse_rfc3339("2026-11-30T22:08:01+01:00"),
            parse_rfc3339("2026-11-30T21:08:01Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-30T16:38:01.250-04:30"),
            Ok(1_796_072_881)
        );
        assert_eq!(parse_rfc3339("2024-02-29t12:00:00z"), Ok(1_709_208_000));
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30 21:08:01Z",
            "2026-11-30T21:08:01",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T21:08:01+1:00",
            "2026-11-30T21:08:01.Z",
            "1969-12-31T23:59:59Z",
            "２０２６-11-30T21:08:01Z",
            "yesterday",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_print_back_at_the_city_offset() {
        assert_eq!(format_rfc3339(1_796_072_881, 0), "2026-11-30T21:08:01Z");
        assert_eq!(
            format_rfc3339(1_796_072_881, 60),
            "2026-11-30T22:08:01+01:00"
        );
        assert_eq!(
            format_rfc3339(1_796_072_881, -270),
            "2026-11-30T16:38:01-04:30"
        );
        for unix in [0, 951_782_400, 1_709_208_000, 4_102_444_799] {
            for offset in [-600, 0, 345] {
                assert_eq!(
                    parse_rfc3339(&format_rfc3339(unix, offset)),
                    Ok(unix),
                    "{unix} at {offset}"
                );
            }
        }
    }

    #[test]
    fn periods_default_to_the_city_day_and_are_bounded() {
        let now = parse_rfc3339("2026-11-30T23:30:00Z").unwrap();
        let utc = Period::parse(None, None, now, 0).unwrap();
        assert_eq!(format_rfc3339(utc.from, 0), "2026-11-30T00:00:00Z");
        assert_eq!(utc.to - utc.from, DAY);
        // Already 1 December at UTC+1.
        let east = Period::parse(None, None, now, 60).unwrap();
        assert_eq!(format_rfc3339(east.from, 60), "2026-12-01T00:00:00+01:00");
        let given = Period::parse(
            Some("2026-11-01T00:00:00Z"),
            Some("2026-12-02T00:00:00Z"),
            now,
            0,
        )
        .unwrap();
        assert_eq!(given.to - given.from, 31 * DAY);
        let from_only = Period::parse(Some("2026-11-01T06:00:00Z"), None, now, 0).unwrap();
        assert_eq!(from_only.to - from_only.from, DAY);
        for (from, to) in [
            (Some("2026-11-02T00:00:00Z"), Some("2026-11-01T00:00:00Z")),
            (Some("2026-11-01T00:00:00Z"), Some("2026-11-01T00:00:00Z")),
            (Some("2026-11-01T00:00:00Z"), Some("2026-12-02T00:00:01Z")),
            (Some("monday"), None),
            (None, Some("2026-11-01")),
        ] {
            assert!(Period::parse(from, to, now, 0).is_err(), "{from:?} {to:?}");
        }
    }

    #[test]
    fn overlaps_count_only_seconds_inside() {
        let p = Period { from: 100, to: 200 };
        assert_eq!(p.overlap(50, 150), 50);
        assert_eq!(p.overlap(120, 180), 60);
        assert_eq!(p.overlap(150, 400), 50);
        assert_eq!(p.overlap(0, 100), 0);
        assert_eq!(p.overlap(250, 300), 0);
        assert!(p.contains(100) && !p.contains(200));
    }
}
